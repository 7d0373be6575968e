"""Requests of the twenty-second held-out batch (a conference demo, narrated) the planner acted on in a misread
form: "scan:" before settings taken as a frame; a frame "we showed the previous group" taken anew; "the focus is
perfect, leave it alone" run with an autofocus; "leave the tip withdrawn" run as a withdraw; a question announced
"for the audience" run as a blank; "tell the audience what ... pixel count it's using" taking a frame. (Whether the
tip is still sharp is checked on a new image, as fresh3 and its tests have it; this batch read the wear record.)"""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import Run, drive
from tests.agent.test_corpus import AFM_STATUS


def afm(text: str) -> Run:
    return drive(text, {"get_status": lambda args: AFM_STATUS})


def test_settings_after_scan_colon_take_no_frame() -> None:
    assert drive("scan: 0.28 um fov, 2.1 us dwell").calls == [("set_scan", {"fov_nm": 280.0, "dwell_us": 2.1})]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Was the image we showed the last group actually in focus?", ["list_acquisitions", "focus_quality"]),
        ("FFT of the frame for the previous group", ["list_acquisitions", "compute_fft"]),
    ],
)
def test_data_shown_to_an_earlier_group_is_past_data(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_the_focus_said_perfect_and_left_alone_takes_no_autofocus() -> None:
    assert drive("HAADF at 160 nm please; the focus is perfect, leave it alone").names == ["set_scan", "acquire_image"]


def test_a_tip_left_withdrawn_is_not_withdrawn_or_engaged() -> None:
    assert afm("Pitch of the grating topograph we took for the last group; leave the tip withdrawn").names == [
        "list_acquisitions",
        "grating_pitch",
    ]
    assert afm("Plane-level the topograph we showed the previous group").names == ["list_acquisitions", "plane_level"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Quick check for the audience: is the beam on, or is it blanked?", "not blanked"),
        ("Tell the audience what dwell time and pixel count it's using", "256"),
    ],
)
def test_a_question_put_for_an_audience_is_answered(text: str, said: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and said in run.answer, run.answer


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "I'll ask it to set the field to 3.1 nm and the pixel count to 1216",
            [("get_status", {}), ("set_scan", {"fov_nm": 3.1, "pixels": 1216})],
        ),
        (
            "Now give it forty percent more probe current than it has at the moment",
            [("get_status", {}), ("set_beam", {"current_pa": 42.0})],
        ),
        ("Let's slide the sample over by 1.3 µm to the right", [("move_stage", {"x_um": 1.3, "relative": True})]),
    ],
)
def test_narrated_requests_are_requests(text: str, calls: list[tuple[str, dict[str, float]]]) -> None:
    assert drive(text).calls == calls


def test_status_questions_in_a_demo() -> None:
    run = afm("Tell me the AFM's present sample and its proportional gain")
    assert run.names == ["get_status"] and "afm_steps" in run.answer and "0.05" in run.answer, run.answer
    run = drive("How long does a single frame take to scan right now?")
    assert run.names == ["get_status"] and "0.28 s" in run.answer, run.answer
