"""Limits said as operators say them and the action said with them: a dose in e/Å² or in electrons per square
ångström, a cap per frame, "don't exceed", and "one frame" or "a frame" as the action the limit is checked against."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive


@pytest.mark.parametrize(
    "text",
    [
        "one frame please, but stay below 2000 electrons per square angstrom",
        "image at 64 nm but keep the dose under 2000 e/Å²",
    ],
)
def test_a_frame_within_a_dose_limit_said_in_any_unit_is_taken(text: str) -> None:
    run = drive(text)
    assert run.names[0] == "get_status" and run.names[-1] == "acquire_image"
    assert "stay within your dose limit" in run.answer


@pytest.mark.parametrize(
    "text", ["dose cap of 100 e/Å² per frame, then a frame", "stay below 300 e/Å² and take a frame"]
)
def test_a_frame_over_a_dose_cap_is_not_taken_and_the_answer_says_why(text: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"]
    assert "over your limit" in run.answer and "479.3" in run.answer


def test_a_current_cap_the_present_current_breaks_stops_the_frame() -> None:
    run = drive("probe current capped at 25 pA; one frame")
    assert run.names == ["get_status"] and "outside your limit" in run.answer


def test_dont_exceed_is_a_ceiling_a_later_setting_is_checked_against() -> None:
    over = drive("don't exceed 120 kV, then set 200 kV")
    assert over.names == ["get_status"] and "a limit (don't exceed 120 kv)" in over.answer
    within = drive("don't exceed 120 kV, then set 100 kV")
    assert within.calls[-1] == ("set_beam", {"energy_kv": 100.0})


@pytest.mark.parametrize("text", ["a frame please", "one image at 10 nm"])
def test_one_frame_or_a_frame_is_an_image(text: str) -> None:
    assert drive(text).names[-1] == "acquire_image"


def test_a_question_about_a_frame_takes_none() -> None:
    assert drive("how long does a frame take?").names == ["get_status"]


@pytest.mark.parametrize(
    "text",
    [
        "the holder is rated to 160 kV; go to 260 kV",
        "knock-on damage means 100 kV is the most this flake sees; set 120 kV",
        "HT ceiling is 150 kV on this cartridge; go to 180 kV",
    ],
)
def test_a_high_tension_rating_said_as_a_fact_is_a_limit_the_setting_breaks(text: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and "ran nothing" in run.answer
