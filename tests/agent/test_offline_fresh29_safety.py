"""Requests of an ordinary facility day that the planner acted on in a misread form, each now read as meant: a
survey label "for our visitors:", an image "from just before lunch", "is my latest image sharp, or did the focus
wander off?", "so our team can take it home", a question after "quick check before I leave the room:", and a tip
check "using the retrace"; a feedback said with the scan goes before the status read with it, and "On the
grating sample: ..." names where the work is (no load), as "On the grating: ..." does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Low-mag survey for the new student: a 3.8 µm field and a 0.5 µs dwell.",
            [("set_scan", {"fov_nm": 3800.0, "dwell_us": 0.5})],
        ),
        (
            "Were there any vacancies in the image from just before the meeting?",
            [("list_acquisitions", {}), ("detect_defects", {"acq_id": "a0005"})],
        ),
        (
            "Is my latest image sharp, or did the focus drift off again?",
            [("list_acquisitions", {}), ("focus_quality", {"acq_id": "a0005"})],
        ),
        (
            "Save the latest acquisition as a PNG called demo_07 so the visitors can take it home.",
            [
                ("list_acquisitions", {}),
                ("export_acquisition", {"name": "demo_07", "format": "png", "acq_id": "a0005"}),
            ],
        ),
        ("Quick check before I go to lunch: is the beam blanked or on?", [("get_status", {})]),
    ],
)
def test_an_ordinary_day_does_only_what_it_asks(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_tip_check_using_the_retrace_is_no_feedback_tuning() -> None:
    run = drive("Check the last topography image for tip artefacts, using the retrace.", afm())
    assert run.calls == [("list_acquisitions", {}), ("tip_artifact_check", {"acq_id": "a0005", "direction": "retrace"})]


def test_a_feedback_said_with_the_scan_is_set_before_the_status_read_too() -> None:
    run = drive("Setpoint to 8.5 nm and line rate to 0.9 Hz, then engage and take one height image.", afm())
    assert run.calls[:3] == [
        ("set_feedback", {"setpoint_nm": 8.5}),
        ("set_afm_scan", {"rate_hz": 0.9}),
        ("get_status", {}),
    ]
    assert run.names[3:] == ["approach", "acquire_afm_image"]


def test_a_specimen_named_as_where_the_work_is_is_not_loaded() -> None:
    run = drive("On the grating sample: a 2.75 µm image and then the pitch.", afm())
    assert "load_specimen" not in run.names and run.names[-1] == "grating_pitch"
