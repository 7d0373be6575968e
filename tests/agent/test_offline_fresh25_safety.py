"""Requests of a low-dose session that the planner acted on in a misread form, each now read as meant: a settings
label, "while I study the overview", "for the low-dose BF", "there's a crystal there on the overview", "; the focus
range is easier there" and "the spectrometer should collect out to ..." ask for nothing of their own, "never goes
above" is a limit, and a value asked for by reference after a spaced dash is the one said before it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Low-dose overview settings: field of view 1.8 µm, 512 pixels.",
            [("set_scan", {"fov_nm": 1800.0, "pixels": 512})],
        ),
        (
            "Blank the beam while I study the survey and pick the next particle.",
            [("set_beam", {"blanked": True})],
        ),
        ("Open the bright-field disc to 16 mrad for the low-dose BF.", [("set_detectors", {"bf_outer_mrad": 16.0})]),
        (
            "The spectrometer should collect out to 24 mrad - set the EELS angle to that.",
            [("set_detectors", {"eels_collection_mrad": 24.0})],
        ),
        (
            "Go to x = -4.2 µm, y = 3.3 µm - there's a fresh crystal there on the overview.",
            [("move_stage", {"x_um": -4.2, "y_um": 3.3})],
        ),
        ("Raise the specimen to z = 0.6 µm; the focus range is easier there.", [("move_stage", {"z_um": 0.6})]),
    ],
)
def test_low_dose_remarks_ask_for_nothing_of_their_own(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_rule_that_the_high_tension_never_goes_above_a_value_is_a_limit() -> None:
    run = drive("Our knock-on rule says the HT never goes above 100 kV. Please set it to 200 kV.")
    assert run.names == ["get_status"] and "ran nothing" in run.answer
