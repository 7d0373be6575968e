"""Wordings several held-out batches used that the planner did not read: an AFM scan size said next to an AFM
analysis, a grating's period, a plane fit, a clean-up with a named filter, an annulus said as a range or as inner
and outer, a stage shift said without its verb, a z height, a position split by a slash, and questions about the
specimen in the holder or the time of one scan."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS

AFM = {"get_status": lambda args: AFM_STATUS}


@pytest.mark.parametrize(
    ("text", "size_nm", "analysis"),
    [
        ("how high is one terrace? image 1.3 µm fresh and measure it", 1300.0, "step_height"),
        ("scan 3.2 µm of the grating and give the students its period", 3200.0, "grating_pitch"),
    ],
)
def test_a_length_said_with_an_afm_analysis_is_the_scan_size(text: str, size_nm: float, analysis: str) -> None:
    run = drive(text, AFM)
    assert run.args("set_afm_scan") == {"size_nm": size_nm} and run.names[-1] == analysis


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("plane-fit the latest topograph", "plane_level", {"acq_id": "a0005"}),
        (
            "clean up the most recent image with non-local means",
            "denoise_image",
            {"method": "nl_means", "acq_id": "a0005"},
        ),
    ],
)
def test_an_analysis_of_the_last_image_said_in_other_words(text: str, tool: str, args: dict[str, Any]) -> None:
    assert drive(text).calls == [("list_acquisitions", {}), (tool, args)]


@pytest.mark.parametrize(
    ("text", "inner", "outer"),
    [
        ("dark-field annulus: inner 85, outer 230 mrad", 85.0, 230.0),
        ("annular dark-field from 75 out to 185 mrad", 75.0, 185.0),
        ("HAADF collection 65 to 210 mrad", 65.0, 210.0),
    ],
)
def test_an_annulus_said_as_a_range_sets_both_edges(text: str, inner: float, outer: float) -> None:
    assert drive(text).calls == [("set_detectors", {"haadf_inner_mrad": inner, "haadf_outer_mrad": outer})]


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("1.5 µm up and 350 nm to the left", {"y_um": 1.5, "x_um": -0.35, "relative": True}),
        ("z height to minus 0.7 µm", {"z_um": -0.7}),
        ("x -5 µm / y +2.2 µm on the stage", {"x_um": -5.0, "y_um": 2.2}),
    ],
)
def test_a_stage_move_said_in_shorthand(text: str, args: dict[str, float]) -> None:
    assert drive(text).calls == [("move_stage", args)]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("what's mounted on the AFM right now?", "is loaded"),
        ("how many seconds does one scan take right now?", "One frame takes"),
    ],
)
def test_a_question_about_the_holder_or_the_scan_time_is_answered(text: str, answer: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and answer in run.answer


@pytest.mark.parametrize(
    ("text", "channels"),
    [
        ("engage in tapping mode and record height and amplitude", ["height", "amplitude"]),
        ("land it and record height with the error channel", ["height", "error"]),
        ("engage and grab height, amplitude and phase together", ["height", "amplitude", "phase"]),
    ],
)
def test_the_channels_said_with_the_height_are_recorded(text: str, channels: list[str]) -> None:
    run = drive(text, AFM)
    assert run.names[-2:] == ["approach", "acquire_afm_image"] and run.args("acquire_afm_image")["channels"] == channels
