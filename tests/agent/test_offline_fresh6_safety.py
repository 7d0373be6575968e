"""Requests the planner acted on in a misread form: a signed stage position keeps its sign, a tilt reduced goes
down, a factor said in words is not a default zoom, a particle size bound is no field of view, a file name is no
survey, a limit said as a ceiling is not a setting, a tapping setpoint is no image, a frame said by its size in a
list of settings is no frame to take, and a setting scaled is every setting said."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


def test_a_signed_stage_position_keeps_its_sign() -> None:
    assert drive("send the stage to (-3.2, 0.6) µm").calls == [("move_stage", {"x_um": -3.2, "y_um": 0.6})]


@pytest.mark.parametrize(
    ("text", "tilt"),
    [("reduce alpha by 2.5°", {"alpha_deg": -2.5}), ("decrease beta by 3 degrees", {"beta_deg": -3.0})],
)
def test_a_tilt_reduced_by_an_angle_goes_down(text: str, tilt: dict[str, float]) -> None:
    assert drive(text).calls == [("move_stage", {**tilt, "relative": True})]


def test_a_zoom_factor_said_in_words_is_that_factor() -> None:
    run = drive("mag up eightfold and shoot a bright-field")
    assert run.calls[1:] == [("set_scan", {"fov_nm": 4.0}), ("acquire_image", {"detector": "BF"})]


def test_a_particle_size_bound_filters_the_sizing_and_takes_no_new_image() -> None:
    run = drive("size only the particles bigger than 3 nm in the previous image")
    assert run.names == ["list_acquisitions", "segment_particles"]
    assert run.args("segment_particles")["min_diameter_nm"] == 3.0


def test_a_file_name_is_not_read_as_a_request() -> None:
    run = drive("write the last acquisition out as PNG named overview_3")
    assert run.names == ["list_acquisitions", "export_acquisition"]
    assert {k: run.args("export_acquisition")[k] for k in ("name", "format")} == {"name": "overview_3", "format": "png"}


def test_a_current_ceiling_is_a_limit_the_present_current_is_checked_against() -> None:
    run = drive("current ceiling of 20 pA, then a BF")
    assert run.names == ["get_status"] and "outside your limit" in run.answer


def test_a_tapping_setpoint_is_a_feedback_setting_and_no_image() -> None:
    assert drive("bump the tapping setpoint to 13.5 nm", afm()).calls == [("set_feedback", {"setpoint_nm": 13.5})]


def test_a_frame_said_by_its_size_in_a_list_of_settings_is_set_not_taken() -> None:
    assert drive("600 nm frame, 1024 px, 1.5 Hz", afm()).calls == [
        ("set_afm_scan", {"size_nm": 600.0, "pixels": 1024, "rate_hz": 1.5})
    ]
    assert drive("a 20 nm frame").names[-1] == "acquire_image"


@pytest.mark.parametrize(
    ("text", "scan"),
    [
        ("double the pixels and halve the dwell", {"pixels": 512, "dwell_us": 2.0}),
        ("shrink the field of view to a quarter", {"fov_nm": 8.0}),
        ("make the field 50 % bigger", {"fov_nm": 48.0}),
        ("widen the FOV by 25 percent", {"fov_nm": 40.0}),
        ("five times longer dwell per pixel", {"dwell_us": 20.0}),
        ("shrink the FOV by a factor of eight", {"fov_nm": 4.0}),
    ],
)
def test_every_setting_scaled_is_scaled_and_no_image_is_taken(text: str, scan: dict[str, Any]) -> None:
    assert drive(text).calls == [("get_status", {}), ("set_scan", scan)]


def test_a_scan_rate_halved_is_never_the_field_of_view() -> None:
    assert "set_scan" not in drive("halve the scan rate").names
    assert drive("shrink the AFM frame to a fifth", afm()).calls[-1] == ("set_afm_scan", {"size_nm": 200.0})
