"""Sequences said the short way: a later clause that names only a value goes on with the setting before it ("back
to 0", "frame at +10 nm"), "score both" compares the two frames, a survey and the next frame's field said as "then
80 nm"; and a value that only a sequence reads runs nothing when the request is no sequence."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

TWO_FRAMES = ["set_optics", "acquire_image", "set_optics", "acquire_image", "focus_quality", "focus_quality"]


@pytest.mark.parametrize(
    ("text", "defocus_nm"),
    [
        ("defocus -20 nm, take a frame, back to 0, take another, and compare sharpness", (-20.0, 0.0)),
        ("frame at -10 nm defocus, frame at +10 nm, then score both for sharpness", (-10.0, 10.0)),
    ],
)
def test_a_value_said_alone_goes_on_with_the_setting_before_it(text: str, defocus_nm: tuple[float, float]) -> None:
    run = drive(text)
    assert run.names == TWO_FRAMES
    assert tuple(args["defocus_nm"] for name, args in run.calls if name == "set_optics") == defocus_nm


def test_a_value_only_a_sequence_reads_runs_nothing_outside_one() -> None:
    run = drive("set the defocus to -10 nm, back to 0")
    assert run.calls == [] and "back to 0" in run.answer


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("survey at 600 nm, then 30 nm, and size the particles on the second", (600.0, 30.0)),
        ("overview at 3 µm, then 80 nm, then particle statistics on the 80 nm frame", (3000.0, 80.0)),
    ],
)
def test_a_survey_then_a_field_is_two_frames_and_the_analysis_is_on_the_second(
    text: str, fields: tuple[float, float]
) -> None:
    run = drive(text)
    assert run.names == ["set_scan", "acquire_image", "set_scan", "acquire_image", "segment_particles"]
    assert tuple(args["fov_nm"] for name, args in run.calls if name == "set_scan") == fields


def test_frames_said_as_when_a_negated_action_would_happen_are_still_taken() -> None:
    run = drive("don't blank between frames; two frames for the drift")
    assert run.names == ["acquire_image", "acquire_image", "estimate_drift"]


def test_bare_p_and_i_said_together_are_the_gains_and_a_swap_over_loads() -> None:
    assert drive("P 0.08, I 0.5 per ms", afm()).calls == [("set_feedback", {"p_gain": 0.08, "i_gain_per_ms": 0.5})]
    assert drive("swap over to the polycrystalline graphene, seed 19").names == ["list_specimens", "load_specimen"]
