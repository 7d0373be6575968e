"""Analyses named in operators' words are run, not cut short: every column is an atom count, missing sulphurs a
defect search, creeping a drift estimate, "chemically" or "tell me what it is" an element identification, and a
dose map or where the beam dosed most the ledger's map."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive


@pytest.mark.parametrize(
    ("text", "last"),
    [
        ("Z-contrast frame at 2 nm, then locate every column", "find_atoms"),
        ("any missing sulphurs in a 6 nm field?", "detect_defects"),
        ("two quick frames at 20 nm to see if it's creeping", "estimate_drift"),
        ("what's in the middle of the frame, chemically? use EDS", "identify_elements"),
        ("EDS spot at 5 nm, 5 nm for 200 ms, then ID the elements", "identify_elements"),
        ("EDX on a Re dopant and tell me what it is", "identify_elements"),
    ],
)
def test_an_analysis_said_in_other_words_is_run_after_its_acquisition(text: str, last: str) -> None:
    run = drive(text)
    assert run.names[-1] == last
    assert {"acquire_image", "acquire_spectrum"} & set(run.names)


@pytest.mark.parametrize(
    "text", ["show me the accumulated dose map", "where has the beam dosed the specimen most?", "dose map please"]
)
def test_a_dose_map_is_read_from_the_ledger_alone(text: str) -> None:
    assert drive(text).names == ["get_dose_map"]


def test_the_dose_used_is_still_a_status_question() -> None:
    assert drive("how much dose so far?").names == ["get_status"]
