"""Words of remote sessions through the chat window: "for the overview" said last (a purpose, no image), the frame
"from the start of our session" and the spectrum "recorded while I was away" (data taken), "keep the stage still"
beside a spectrum place in nm (no stage move), a filter's scale said with "at", the phase coverage, a size range
of "the ones measuring", a place "our collaborator marked", the HAADF annulus said value first, a question with
"only read it out - don't change it", and lines slowed to a rate (no pixel count)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]
LATEST: Calls = [("list_acquisitions", {})]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Visitor from Lyon here - a 3 µm field and a 0.5 µs dwell for the overview, please.",
            [("set_scan", {"fov_nm": 3000.0, "dwell_us": 0.5})],
        ),
        ("Was the frame from the start of our session in focus?", [*LATEST, ("focus_quality", {"acq_id": "a0005"})]),
        ("What elements did the spectrum recorded while I was away contain?", [("identify_elements", {})]),
        (
            "Please keep the stage still and take an EDS point at (6, 9) nm.",
            [("acquire_spectrum", {"kind": "EDS", "x_nm": 6.0, "y_nm": 9.0})],
        ),
        (
            "Denoise the latest image with a median filter at 0.05 nm.",
            [*LATEST, ("denoise_image", {"method": "median", "strength_nm": 0.05, "acq_id": "a0005"})],
        ),
        (
            "Size the newest image's particles, only the ones measuring 3 nm to 30 nm.",
            [*LATEST, ("segment_particles", {"min_diameter_nm": 3.0, "max_diameter_nm": 30.0, "acq_id": "a0005"})],
        ),
        (
            "Go to x 1.5 µm, y -2 µm; that's the region our collaborator marked.",
            [("move_stage", {"x_um": 1.5, "y_um": -2.0})],
        ),
        (
            "Set the HAADF annulus to 71 mrad inner, 193 mrad outer, please.",
            [("set_detectors", {"haadf_inner_mrad": 71.0, "haadf_outer_mrad": 193.0})],
        ),
    ],
)
def test_remote_words_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_question_that_forbids_a_change_is_answered() -> None:
    run = drive("What's the dwell set to? Only read it out - don't change it.")
    assert run.calls == [("get_status", {})] and "4 µs" in run.answer


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Domain fractions of the newest image: phase coverage, k-means, three classes.",
            [*LATEST, ("domain_fraction", {"method": "kmeans", "classes": 3, "acq_id": "a0005"})],
        ),
        ("Slow the lines to 0.8 Hz.", [("set_afm_scan", {"rate_hz": 0.8})]),
    ],
)
def test_remote_afm_words_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text, afm()).calls == calls
