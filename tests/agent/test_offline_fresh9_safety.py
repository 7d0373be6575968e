"""Requests the planner acted on in a misread form: "no refocusing" forbids the autofocus, an EELS collection said
"collect out to" is no convergence, "rate the focus" is a sharpness check and no autofocus, "that last EELS" is no
new spectrum, "only allowed 2 µs" is a limit and never a setting, and "change a double tip" is conditional."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


def test_a_negated_refocusing_forbids_the_autofocus() -> None:
    run = drive("no refocusing, just a fresh 10 nm BF and its lattice")
    assert "autofocus" not in run.names and run.names[-1] == "measure_lattice"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("for EELS, collect out to 10 mrad", ["set_detectors"]),
        ("snap a HAADF and rate the focus", ["acquire_image", "focus_quality"]),
        ("which elements turned up in that last EELS?", ["identify_elements"]),
    ],
)
def test_the_request_runs_only_what_it_asks_for(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_only_allowed_is_a_limit_and_never_a_setting() -> None:
    run = drive("we're only allowed 2 µs per pixel on this beam-sensitive flake, so take a HAADF if that holds")
    assert "set_scan" not in run.names and "acquire_image" not in run.names


@pytest.mark.parametrize(
    "text",
    [
        "Record topography and check for tip artifacts; change a double tip and take a new image.",
        "Take a height image, run a tip artifact check, replace the tip if it is double and re-image.",
    ],
)
def test_a_double_tip_is_changed_only_when_the_check_finds_one(text: str) -> None:
    assert "change_tip" not in drive(text, afm()).names  # the scripted check finds none


@pytest.mark.parametrize("text", ["4 µm field of view, I want a survey first", "1.5 µm field please, it's an overview"])
def test_a_survey_said_as_the_purpose_of_a_setting_takes_no_frame(text: str) -> None:
    assert "acquire_image" not in drive(text).names


def test_the_new_image_after_a_double_tip_is_taken_after_the_tip_change() -> None:
    double = afm(tip_artifact_check=lambda args: {"acquisition_id": "a0011", "double_tip": True})
    run = drive("Record topography and check for tip artifacts; change a double tip and take a new image.", double)
    assert run.names[-4:] == ["withdraw", "change_tip", "approach", "acquire_afm_image"]


def test_an_annulus_edge_said_before_the_detector_is_that_edge() -> None:
    assert drive("outer edge of the HAADF annulus at 180 mrad").calls == [
        ("set_detectors", {"haadf_outer_mrad": 180.0})
    ]


def test_a_blunt_tip_said_with_a_new_one_put_in_is_changed_before_the_tip_lands() -> None:
    run = drive("tip's blunt, retract, put a new one in, re-land and do a topograph", afm())
    assert run.names == ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image"]
