"""Words the reading did not use stop the plan: a setting named but not read ("the outer angle" read as the inner
one), data already taken while new data would be taken, a limit read as the value, a change said to go down read
as going up, a region the plan ignores, an analysis of one instrument on the other's image. Each request here was
acted on in a misread form before this check; with it, nothing runs and the answer names the words."""

from __future__ import annotations

import pytest

import copilot.agent.offline.parse as parse
from copilot.agent.offline.request import Request
from copilot.agent.offline.unread import unread_numbers
from tests.agent.planner_harness import Run, Tool, drive
from tests.agent.test_corpus import ACTIONS, AFM_STATUS

MISREAD = [
    ("lower the defocus by 10 nm", "lower"),
    ("count atoms in the top-left quadrant", "top-left"),
    ("current limit 20 pA, then a HAADF", "limit"),
    ("rotate the scan and take a HAADF", "rotate"),
    ("roughness of the HAADF frame", "haadf"),
    ("set the outer angle of the HAADF to 200 mrad", "outer angle"),
    ("afm:roughness of the bottom-right quadrant", "bottom-right"),
    ("map the Ti over a 4 nm square", "map"),
]


def _drive(text: str) -> Run:
    afm = text.startswith("afm:")
    tools: dict[str, Tool] = {"get_status": lambda args: AFM_STATUS} if afm else {}
    return drive(text.removeprefix("afm:"), tools)


@pytest.mark.parametrize(("text", "word"), MISREAD)
def test_a_word_the_reading_did_not_use_runs_nothing_and_is_named(text: str, word: str) -> None:
    run = _drive(text)
    assert not set(run.names) & ACTIONS
    assert f"what to do with '{word}'" in run.answer and "ran nothing" in run.answer


@pytest.mark.parametrize(("text", "word"), MISREAD)
def test_without_the_check_the_request_would_be_acted_on(text: str, word: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "unread_words", lambda low, request: [])
    assert set(_drive(text).names) & ACTIONS


@pytest.mark.parametrize(
    "text",
    [
        "leave the dwell where it is and take a BF",
        "denoise the last image with a median filter",
        "export the last image as tiff named edge2",
        "tilt beta down by 3°",
        "EDS at the centre for half a minute",
        "double the pixels and halve the dwell",
        "afm:swap the tip and image again",
    ],
)
def test_words_the_reading_used_let_the_plan_run(text: str) -> None:
    run = _drive(text)
    assert "what to do with" not in run.answer and set(run.names) - {"get_status", "list_acquisitions"}


def test_a_number_said_negative_is_unread_when_read_positive() -> None:
    request = Request(intents={"stage"}, stage_um={"x_um": 3.2, "y_um": 0.6})
    assert unread_numbers("send the stage to (-3.2, 0.6) µm", request) == ["-3.2"]


def test_the_dash_of_a_range_is_no_minus_sign() -> None:
    request = Request(intents={"spectrum"}, spectrum_map=True, region_nm=(2.0, 2.0, 4.0, 4.0))
    assert unread_numbers("eels si over x 2-6 nm, y 2-6 nm", request) == []
