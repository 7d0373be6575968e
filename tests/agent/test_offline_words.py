"""The offline planner on shop-floor words read by the shared lexer and vocabulary: pronoun counts, magnifications,
specimens named as the thing to look at, the instrument the words belong to, units written before the number,
limits said as verbs, the beam turned off and on, moves with the direction first."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import RESULTS, drive
from tests.agent.test_corpus import AFM_STATUS


@pytest.mark.parametrize("text", ["count em", "count 'em please", "count them", "how many are there?"])
def test_a_count_that_names_nothing_counts_the_atomic_columns_of_an_atomic_scale_image(text: str) -> None:
    assert drive(text).names == ["acquire_image", "find_atoms"]


def test_a_count_that_names_nothing_counts_the_particles_of_a_survey() -> None:
    run = drive("take a 500 nm image and count them")
    assert run.calls[0] == ("set_scan", {"fov_nm": 500.0})
    assert run.names == ["set_scan", "acquire_image", "segment_particles"]
    assert "Particles 14" in run.answer


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("set mag to 500kx", "500,000x"),
        ("take an image at 200kx", "200,000x"),
        ("mag 1Mx", "1,000,000x"),
        ("200000x magnification please", "200,000x"),
    ],
)
def test_a_magnification_is_not_guessed_into_a_field_of_view_and_nothing_runs(text: str, said: str) -> None:
    run = drive(text)
    assert run.calls == []
    assert f"I did not set a magnification of {said}" in run.answer and "field of view" in run.answer


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("let's look at the gold particles", "gold_nanoparticles"),
        ("let's have a look at the SrTiO3", "srtio3"),
        ("I'd like to see a dark-field image of the grain boundary sample", "grain_boundary"),
        ("on the gold sample, how big are the particles?", "gold_nanoparticles"),
    ],
)
def test_a_specimen_named_as_the_thing_to_look_at_is_loaded_when_it_is_not_in(text: str, name: str) -> None:
    run = drive(text)
    assert run.names[:3] == ["get_status", "list_specimens", "load_specimen"]
    assert run.args("load_specimen") == {"name": name}


def test_a_specimen_named_as_the_thing_to_look_at_is_not_reloaded_when_it_is_in() -> None:
    assert "load_specimen" not in drive("let's have a look at the MoS2 and count the atoms").names


def test_a_negated_afm_action_still_says_the_scan_is_the_afm_scan() -> None:
    run = drive("don't approach, just set the scan to 1 um", {"get_status": lambda args: AFM_STATUS})
    assert run.calls == [("set_afm_scan", {"size_nm": 1000.0})]


def test_a_negated_stem_action_says_which_instrument_an_image_is_for_without_reading_the_status() -> None:
    run = drive("never autofocus on this sample, just image it at 20 nm")
    assert run.calls == [("set_scan", {"fov_nm": 20.0}), ("acquire_image", {})]


def test_an_image_request_naming_no_instrument_reads_the_status_to_know_which() -> None:
    assert drive("image it at 20 nm").names == ["get_status", "set_scan", "acquire_image"]


@pytest.mark.parametrize(
    ("text", "fov_nm"),
    [("do a quick survey at 2 um then zoom into something interesting", 2000.0), ("overview of 5 um", 5000.0)],
)
def test_a_survey_sized_after_its_name_takes_that_field_of_view(text: str, fov_nm: float) -> None:
    assert drive(text).args("set_scan")["fov_nm"] == fov_nm


@pytest.mark.parametrize(
    ("text", "beam"),
    [("raise the kV to 200", {"energy_kv": 200.0}), ("set pA to 20 please", {"current_pa": 20.0})],
)
def test_a_unit_written_before_its_number_is_read(text: str, beam: dict[str, float]) -> None:
    assert drive(text).calls == [("set_beam", beam)]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("turn the beam off", [("set_beam", {"blanked": True})]),
        ("beam off please", [("set_beam", {"blanked": True})]),
        ("switch the beam back on and take an image", [("set_beam", {"blanked": False}), ("acquire_image", {})]),
    ],
)
def test_the_beam_turned_off_or_on_is_blanked_or_unblanked(text: str, calls: list[tuple[str, Any]]) -> None:
    assert drive(text).calls == calls


def test_putting_the_beam_on_a_feature_is_a_spectrum_there_not_an_unblank() -> None:
    run = drive("put the beam on the dopant and take an EELS spectrum")
    assert run.names == ["acquire_image", "detect_defects", "acquire_spectrum"]


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("move up by 200 nm", {"y_um": 0.2, "relative": True}),
        ("shift left 1 um", {"x_um": -1.0, "relative": True}),
        ("go back to the origin", {"x_um": 0.0, "y_um": 0.0}),
    ],
)
def test_a_move_with_its_direction_first_or_to_the_origin_is_made(text: str, move: dict[str, Any]) -> None:
    assert drive(text).calls == [("move_stage", move)]


@pytest.mark.parametrize(
    "text", ["hold the current under 50 pA and take an image", "limit the current to 50 pA, image"]
)
def test_a_limit_said_as_a_verb_is_checked_and_said_kept_not_set(text: str) -> None:
    run = drive(text)
    assert run.names == ["get_status", "acquire_image"]
    assert "Kept: current_pa stays at 30" in run.answer and "Skipped" not in run.answer


def test_a_limit_the_present_dwell_breaks_runs_nothing() -> None:
    run = drive("cap the dwell at 2 us, then image")
    assert run.names == ["get_status"] and "dwell_us is 4 now" in run.answer


@pytest.mark.parametrize(
    ("text", "load"),
    [("swap the sample for MoS2", "mos2"), ("exchange the specimen for graphene", "graphene")],
)
def test_a_specimen_swap_loads_the_one_named(text: str, load: str) -> None:
    assert drive(text).calls == [("list_specimens", {}), ("load_specimen", {"name": load})]


def test_a_line_profile_of_the_newest_listed_image_runs_across_its_own_field_of_view() -> None:
    listing = {
        "acquisitions": [{"id": "a0001", "fov_nm": 400.0}, {"id": "a0005", "fov_nm": 12.0}],
        "latest_acquisition_id": "a0005",
    }
    run = drive("line profile across the last image", {"list_acquisitions": lambda args: listing})
    assert run.calls[-1] == (
        "line_profile",
        {"acq_id": "a0005", "x0_nm": 0.0, "y0_nm": 6.0, "x1_nm": 12.0, "y1_nm": 6.0},
    )


def test_an_analysis_of_the_last_afm_image_works_on_the_listed_one() -> None:
    run = drive("measure the roughness of the last afm image", {"get_status": lambda args: AFM_STATUS})
    assert "acquire_afm_image" not in run.names and run.names[-2:] == ["list_acquisitions", "roughness"]


def test_saving_that_exports_the_newest_acquisition() -> None:
    run = drive("save that as a png")
    assert run.calls[-1][0] == "export_acquisition" and run.calls[-1][1]["format"] == "png"
    assert run.calls[-1][1]["acq_id"] == RESULTS["list_acquisitions"]["latest_acquisition_id"]
