"""Requests of the seventeenth held-out batch the planner acted on in a misread form: settings in brackets after
"scan" take no frame; a detector's edge said after its angle; "lower than now" tilts down by that much; data
someone took "this morning" is past data, and so is a "topo"; a setting named right before its bound is a limit;
a question about a frame's time takes no frame; "grab one force curve" takes no image first."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import Run, drive
from tests.agent.test_corpus import AFM_STATUS


def afm(text: str) -> Run:
    return drive(text, {"get_status": lambda args: AFM_STATUS})


def test_settings_in_brackets_after_scan_set_the_scan_only() -> None:
    assert drive("scan (1024 px, 1.2 µs, 66 nm)").calls == [
        ("set_scan", {"fov_nm": 66.0, "pixels": 1024, "dwell_us": 1.2})
    ]


@pytest.mark.parametrize(
    ("text", "angles"),
    [
        ("bright field, 9 mrad outer", {"bf_outer_mrad": 9.0}),
        ("dark field, 185 mrad outer", {"haadf_outer_mrad": 185.0}),
        ("dark field, 55 mrad inner", {"haadf_inner_mrad": 55.0}),
    ],
)
def test_a_detector_edge_said_after_its_angle(text: str, angles: dict[str, float]) -> None:
    assert drive(text).calls == [("set_detectors", angles)]


def test_lower_than_now_is_a_relative_tilt_down() -> None:
    assert drive("beta four degrees lower than now").calls == [("move_stage", {"beta_deg": -4.0, "relative": True})]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("fft of the frame ana took this morning", ["list_acquisitions", "compute_fft"]),
        ("what elements showed up in the edx ana ran earlier?", ["identify_elements"]),
        ("level the topo jonas took this morning", ["list_acquisitions", "plane_level"]),
        ("roughness of a 450 nm box at (250, 350) nm, last topo", ["list_acquisitions", "roughness"]),
    ],
)
def test_data_someone_took_earlier_is_analysed_not_retaken(text: str, names: list[str]) -> None:
    assert afm(text).names == names


def test_a_setting_named_before_its_bound_is_a_limit() -> None:
    run = drive("PI says dwell under 3 µs on the beam-sensitive stuff; HAADF pls")  # the dwell is 4 µs
    assert run.names == ["get_status"]


def test_a_question_about_the_frame_time_takes_no_frame() -> None:
    run = drive("what's the dwell, and how long does a frame take?")
    assert run.names == ["get_status"] and "4 µs" in run.answer and "0.28 s" in run.answer


def test_grab_one_force_curve_lands_and_takes_the_curve_only() -> None:
    assert afm("can u grab one force curve at (600, 250) nm").names == ["get_status", "approach", "acquire_force_curve"]
