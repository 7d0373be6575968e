"""Requests the planner acted on in a misread form: a bicrystal is the grain boundary, a factor said in any number
word is that factor, "defocus 0.2 µm under" is an underfocus, a probe widened is no zoom, a spectrometer angle is
no convergence and no spectrum, a purpose said first orders nothing, a shot from earlier is no new exposure, a dose
cap in words still bounds the frame, a blunt tip is a question for its record, a cantilever changed is a tip
change, "ignoring anything under" is a lower bound, and a change by an amount is never set as the value."""

from __future__ import annotations

from typing import Any

import pytest

from copilot.agent.offline.parse import parse_request
from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


def test_a_bicrystal_is_the_grain_boundary_specimen() -> None:
    run = drive("next on the list is the bicrystal graphene, seed 27")
    assert run.args("load_specimen") == {"name": "grain_boundary", "seed": 27}


def test_a_zoom_factor_in_any_number_word_is_that_factor() -> None:
    assert ("set_scan", {"fov_nm": 512.0}) in drive("zoom out sixteenfold").calls


def test_defocus_said_under_is_an_underfocus() -> None:
    assert drive("defocus 0.2 µm under").calls == [("set_optics", {"defocus_nm": -200.0})]


def test_a_probe_widened_is_its_convergence_not_a_zoom() -> None:
    assert drive("widen the probe convergence to 40 mrad").calls == [("set_optics", {"convergence_mrad": 40.0})]


@pytest.mark.parametrize(
    ("text", "angles"),
    [
        ("spectrometer acceptance semi-angle of 35 mrad for the EELS", {"eels_collection_mrad": 35.0}),
        ("ADF inner angle 90 mrad, outer 220", {"haadf_inner_mrad": 90.0, "haadf_outer_mrad": 220.0}),
        (
            "For better light-element contrast in the dark-field channel, please bring the HAADF inner cut-off down "
            "to 45 mrad.",
            {"haadf_inner_mrad": 45.0},
        ),
    ],
)
def test_a_detector_angle_sets_the_detector_and_nothing_else(text: str, angles: dict[str, float]) -> None:
    assert drive(text).calls == [("set_detectors", angles)]


def test_a_purpose_said_first_does_not_move_the_field_of_view_after_the_frame() -> None:
    run = drive("To check whether the rhenium dopants cluster, grab a 9 nm frame and run the point-defect search on it")
    assert run.names == ["set_scan", "acquire_image", "detect_defects"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("lattice fit on the shot from earlier", ["list_acquisitions", "measure_lattice"]),
        ("assign the elements in the spectrum from a moment ago", ["identify_elements"]),
    ],
)
def test_data_from_earlier_is_analysed_without_a_new_exposure(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_a_dose_cap_said_in_words_still_bounds_the_frame() -> None:
    run = drive("dose cap of four hundred electrons per Å², then one frame at these settings")
    assert run.names == ["get_status"] and "over your limit" in run.answer


def test_a_blunt_tip_is_answered_from_its_record_and_a_changed_cantilever_is_a_tip_change() -> None:
    assert drive("how blunt has the tip got?", afm()).names == ["get_tip_state"]
    run = drive("retract, change the cantilever, land, then a height map", afm(engaged=True))
    assert run.names == ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image"]


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("particle sizing on a new 400 nm frame, ignoring anything under 1.5 nm", {"min_diameter_nm": 1.5}),
        (
            "only count particles between 2 and 8 nm across on the previous frame",
            {"min_diameter_nm": 2.0, "max_diameter_nm": 8.0},
        ),
    ],
)
def test_particle_size_bounds_are_the_ones_said(text: str, sizes: dict[str, float]) -> None:
    args = drive(text).args("segment_particles")
    assert {key: args.get(key) for key in ("min_diameter_nm", "max_diameter_nm") if key in args} == sizes


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("raise the current by 10 pA", ("set_beam", {"current_pa": 40.0})),
        ("increase the dwell by 2 us", ("set_scan", {"dwell_us": 6.0})),
        ("bring the accelerating voltage up by forty kV", ("set_beam", {"energy_kv": 120.0})),
        ("lower the HT by 20 kV", ("set_beam", {"energy_kv": 60.0})),
        ("reduce the field of view by 10 nm", ("set_scan", {"fov_nm": 22.0})),
        ("raise the probe current by a third", ("set_beam", {"current_pa": 40.0})),
        ("cut the dwell by a quarter", ("set_scan", {"dwell_us": 3.0})),
    ],
)
def test_a_change_by_an_amount_or_a_part_starts_from_the_present_value(text: str, call: tuple[str, Any]) -> None:
    assert drive(text).calls == [("get_status", {}), call]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("make the AFM frame three times as big", ("set_afm_scan", {"size_nm": 3000.0})),
        ("run the AFM lines half as fast", ("set_afm_scan", {"rate_hz": 0.5})),
    ],
)
def test_an_afm_setting_said_as_times_as_big_or_half_as_fast_is_scaled(text: str, call: tuple[str, Any]) -> None:
    assert drive(text, afm()).calls == [("get_status", {}), call]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("crank the current up 10 pA", ("set_beam", {"current_pa": 40.0})),
        ("push the HT up 20 kV", ("set_beam", {"energy_kv": 100.0})),
    ],
)
def test_a_setting_said_up_by_an_amount_is_changed_from_its_present_value(text: str, call: tuple[str, Any]) -> None:
    assert drive(text).calls == [("get_status", {}), call]


@pytest.mark.parametrize("text", ["current up to 50 pA", "take the current down to 3 pA"])
def test_up_to_or_down_to_a_value_is_that_value(text: str) -> None:
    assert drive(text).names == ["set_beam"]


def test_an_amount_said_as_a_change_the_reader_cannot_apply_runs_nothing() -> None:
    request = parse_request("beam current 20 pA, then up another 5 pA")
    assert request.unread, "a change said as an amount is never set as the value"
