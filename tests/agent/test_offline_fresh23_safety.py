"""Requests of the twenty-fourth held-out batch (scientists of neighbouring fields, in their own words) the planner
acted on in a misread form: a change said "105 kV above where it sits now" set as the value itself; "a chemist wants
heavy atoms bright, so set the HAADF angles" run with an image and an atom count; four AFM channels said after
"topography" recorded as height and phase only."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


@pytest.mark.parametrize(
    ("text", "beam"),
    [
        ("could you put the gun voltage 70 kV above where it sits now?", {"energy_kv": 150.0}),  # status: 80 kV
        ("current 10 pA below the present value", {"current_pa": 20.0}),  # status: 30 pA
    ],
)
def test_an_amount_above_or_below_the_present_value_is_a_change(text: str, beam: dict[str, float]) -> None:
    assert drive(text).calls == [("get_status", {}), ("set_beam", beam)]


@pytest.mark.parametrize(
    "text", ["put the field 20 nm above where it is now", "set the defocus 5 nm under the present value"]
)
def test_a_change_from_the_present_value_the_reading_cannot_make_runs_nothing(text: str) -> None:
    assert drive(text).calls == []


def test_what_someone_wants_before_so_is_the_reason_not_more_to_do() -> None:
    run = drive("A crystallographer wants light atoms dark, so set the HAADF collection angles to 71-183 mrad.")
    assert run.calls == [("set_detectors", {"haadf_inner_mrad": 71.0, "haadf_outer_mrad": 183.0})]


@pytest.mark.parametrize(
    ("text", "channels"),
    [
        (
            "bring the tip down and record topography, error, phase and amplitude",
            ["height", "error", "phase", "amplitude"],
        ),
        ("topograph plus amplitude, please", ["height", "amplitude"]),
    ],
)
def test_channels_said_after_topography_are_all_recorded_in_order(text: str, channels: list[str]) -> None:
    run = drive(text, afm())
    assert run.names[-1] == "acquire_afm_image" and run.args("acquire_afm_image") == {"channels": channels}
