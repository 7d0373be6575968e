"""Requests the planner acted on in a misread form: a specimen named by its look or its substrate is loaded, not
imaged; a tilt said as an addition is relative; a named filter runs before the analysis; an export keeps an
unquoted name; a pixel's size is a question, not a one-pixel scan; a corner square is a region, not the scan; a
tip swapped out is changed, not withdrawn; a detector is never the AFM tip; a zoom to a named field is no particle
close-up; settings said between a blank and an unblank change with the beam blanked."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("the terraces sample now please", "afm_steps"),
        ("the gold nanoparticles on silicon for tapping mode, please", "afm_nanoparticles"),
        ("pop in the Au-on-silicon sample for the AFM", "afm_nanoparticles"),
        ("could you load graphene?", "graphene"),
        ("could you swap in the ferroelectric film?", "afm_ferroelectric"),
        ("the moly next, seed 17", "mos2"),
        ("change over to the pitch standard", "afm_grating"),
    ],
)
def test_a_specimen_named_by_its_look_or_its_substrate_is_loaded_and_nothing_else_runs(text: str, name: str) -> None:
    run = drive(text)
    assert run.names[-1] == "load_specimen" and run.args("load_specimen")["name"] == name
    assert not {"approach", "acquire_afm_image", "acquire_image"} & set(run.names)


def test_a_tilt_said_as_an_addition_is_relative_and_two_named_tilts_are_both_set() -> None:
    assert drive("add 1.5° of beta tilt").calls == [("move_stage", {"beta_deg": 1.5, "relative": True})]
    assert drive("alpha -12°, beta 4°").calls == [("move_stage", {"alpha_deg": -12.0, "beta_deg": 4.0})]


@pytest.mark.parametrize(
    ("text", "method"), [("median-filter the last image", "median"), ("median filter it", "median")]
)
def test_a_named_filter_is_a_denoise_with_that_method(text: str, method: str) -> None:
    run = drive(text)
    assert run.names[-1] == "denoise_image" and run.args("denoise_image")["method"] == method


def test_a_filter_said_before_an_analysis_runs_first_and_the_analysis_reads_the_filtered_image() -> None:
    derived = {"acquisition_id": "a0009", "derived_from": "a0007", "method": "wiener"}
    run = drive("take a frame, Wiener-filter it and find the columns", {"denoise_image": lambda args: derived})
    assert run.names == ["acquire_image", "denoise_image", "find_atoms"]
    assert run.args("find_atoms")["acq_id"] == "a0009"


def test_an_export_keeps_an_unquoted_name_and_a_format_is_never_a_name() -> None:
    assert drive("export the newest acquisition to hdf5 as run42").args("export_acquisition")["name"] == "run42"
    assert drive("save it as tiff").args("export_acquisition")["name"] == "a0005_export"


@pytest.mark.parametrize("text", ["size of one pixel in nm?", "how big is one pixel?"])
def test_a_pixels_size_is_answered_from_the_status_and_no_one_pixel_scan_is_tried(text: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"]
    assert "A pixel is 0.125 nm across" in run.answer


def test_a_corner_square_is_the_analysis_region_and_the_scan_is_left_alone() -> None:
    run = drive("roughness of just the top-left 250 nm square of the previous topograph", afm())
    assert run.names == ["list_acquisitions", "roughness"]
    region = {key: run.args("roughness")[key] for key in ("x_nm", "y_nm", "width_nm", "height_nm")}
    assert region == {"x_nm": 0.0, "y_nm": 0.0, "width_nm": 250.0, "height_nm": 250.0}


def test_a_tip_swapped_out_is_changed_not_withdrawn() -> None:
    assert drive("swap the tip out", afm()).names == ["change_tip"]


@pytest.mark.parametrize("text", ["retract the HAADF detector", "insert the EELS spectrometer"])
def test_a_detector_is_never_the_afm_tip_and_moving_one_is_refused(text: str) -> None:
    run = drive(text)
    assert run.calls == [] and "I cannot retract or insert a detector" in run.answer


def test_a_line_rate_said_of_the_scan_lines_sets_it_and_takes_no_image() -> None:
    assert drive("scan lines at 0.3 Hz please", afm()).calls == [("set_afm_scan", {"rate_hz": 0.3})]


def test_a_zoom_to_a_named_field_is_a_second_frame_not_a_particle_close_up() -> None:
    run = drive("2 µm overview first, zoom to 40 nm, then particle stats on the zoomed frame")
    assert run.names == ["set_scan", "acquire_image", "set_scan", "acquire_image", "segment_particles"]
    assert "move_stage" not in run.names


def test_settings_said_between_a_blank_and_an_unblank_are_changed_with_the_beam_blanked() -> None:
    run = drive("blank, drop to 60 kV, unblank, then a BF frame")
    assert run.calls == [
        ("set_beam", {"blanked": True}),
        ("set_beam", {"energy_kv": 60.0}),
        ("set_beam", {"blanked": False}),
        ("acquire_image", {"detector": "BF"}),
    ]
