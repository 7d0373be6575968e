"""Requests of the twentieth held-out batch (a core facility's shorthand) the planner acted on in a misread form:
"add 96 px per side" set 96 pixels; data named by the time it was taken ("the 11am frame", "the image from 9am",
"teh 8am topo") taken anew; "the topo already taken" imaged again; a list of four AFM channels cut to three."""

from __future__ import annotations

import pytest

from copilot.agent.offline.lexicon import normalise
from tests.agent.planner_harness import Run, drive
from tests.agent.test_corpus import AFM_STATUS


def afm(text: str) -> Run:
    return drive(text, {"get_status": lambda args: AFM_STATUS})


@pytest.mark.parametrize(("text", "pixels"), [("add 64 px per side", 320), ("add 128 pixels", 384)])
def test_pixels_added_are_added_to_the_present_count(text: str, pixels: int) -> None:
    assert drive(text).calls == [("get_status", {}), ("set_scan", {"pixels": pixels})]  # status: 256 px


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Did the image from 10am show any vacancies?", ["list_acquisitions", "detect_defects"]),
        ("was teh 10am frame in focus?", ["list_acquisitions", "focus_quality"]),
        ("fft of the 9:30 a.m. image", ["list_acquisitions", "compute_fft"]),
    ],
)
def test_data_named_by_the_time_it_was_taken_is_past_data(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_a_time_of_day_that_names_no_data_is_no_setting() -> None:
    assert "2" not in normalise("for the 2 a.m. slot: graphene, seed 5").split(",")[0]


def test_a_topograph_already_taken_is_not_imaged_again() -> None:
    assert afm("plane-level teh 7am topo").names == ["list_acquisitions", "plane_level"]
    assert afm("Rq of the topo already taken, dont re-engage").names == ["list_acquisitions", "roughness"]


def test_four_afm_channels_in_the_order_written() -> None:
    run = afm("engage, channels=height,amplitude,error,phase")
    assert run.args("acquire_afm_image")["channels"] == ["height", "amplitude", "error", "phase"]
