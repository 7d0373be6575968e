"""Settings said in operators' shorthand: bare P and I gains in a gains clause, a defocus said "under focus" or
after a comma, an astigmatism's direction said "along", and two shifts in one relative move."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


@pytest.mark.parametrize(
    ("text", "gains"),
    [
        ("I gain 2 per ms, P 0.2", {"p_gain": 0.2, "i_gain_per_ms": 2.0}),
        ("feedback gains: proportional 1, integral 20/ms", {"p_gain": 1.0, "i_gain_per_ms": 20.0}),
        ("set the gains to P 0.3 and I 5", {"p_gain": 0.3, "i_gain_per_ms": 5.0}),
    ],
)
def test_bare_p_and_i_in_a_gains_clause_set_the_feedback(text: str, gains: dict[str, float]) -> None:
    assert drive(text, afm()).calls == [("set_feedback", gains)]


@pytest.mark.parametrize(
    ("text", "defocus_nm"),
    [("go 40 Å under focus", -4.0), ("a touch of overfocus, +3 nm", 3.0), ("under-focus by 5 nm", -5.0)],
)
def test_a_defocus_said_under_or_over_focus_is_set_with_its_sign(text: str, defocus_nm: float) -> None:
    assert drive(text).calls == [("set_optics", {"defocus_nm": defocus_nm})]


def test_an_astigmatism_direction_said_along_is_its_angle() -> None:
    assert drive("two-fold stig of 8 nm along 30°").calls == [
        ("set_optics", {"astig_nm": 8.0, "astig_angle_deg": 30.0})
    ]


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("nudge it 50 nm up and 80 nm right", {"x_um": 0.08, "y_um": 0.05}),
        ("go 400 nm left and 100 nm down", {"x_um": -0.4, "y_um": -0.1}),
        ("move left 100 nm and down 50 nm", {"x_um": -0.1, "y_um": -0.05}),
    ],
)
def test_two_shifts_said_together_are_one_relative_move(text: str, move: dict[str, Any]) -> None:
    run = drive(text)
    assert run.names == ["move_stage"] and run.args("move_stage") == {**move, "relative": True}


def test_two_shifts_along_one_axis_are_not_guessed_into_one() -> None:
    assert drive("move 100 nm right and 50 nm right").calls == []


@pytest.mark.parametrize(
    ("text", "dwell_us"), [("dwell of 250 nanoseconds", 0.25), ("dwell 2 μs", 2.0), ("dwell 500 ns", 0.5)]
)
def test_every_time_unit_the_reader_knows_converts_to_the_dwell(text: str, dwell_us: float) -> None:
    assert drive(text).calls == [("set_scan", {"dwell_us": dwell_us})]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("HT one and a half times what it is", ("set_beam", {"energy_kv": 120.0})),
        ("three times as many pixels per line as now", ("set_scan", {"pixels": 768})),
        ("a third less current than we have now", ("set_beam", {"current_pa": 20.0})),
        ("shrink the field to five-eighths of what it is", ("set_scan", {"fov_nm": 20.0})),
        ("an eighth of the present pixel count, please", ("set_scan", {"pixels": 32})),
    ],
)
def test_a_change_on_the_present_value_said_in_words_reads_the_status_first(
    text: str, call: tuple[str, dict[str, float]]
) -> None:
    assert drive(text).calls == [("get_status", {}), call]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("pull back 5x on the field", [("get_status", {}), ("set_scan", {"fov_nm": 160.0})]),
        (
            "go in 20x, then a bright-field",
            [("get_status", {}), ("set_scan", {"fov_nm": 1.6}), ("acquire_image", {"detector": "BF"})],
        ),
    ],
)
def test_a_zoom_said_as_pulling_back_or_going_in(text: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
    assert drive(text).calls == calls


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("underfocus the probe by 90 Å", [("set_optics", {"defocus_nm": -9.0})]),
        ("stage to 2.5, 1.5 microns", [("move_stage", {"x_um": 2.5, "y_um": 1.5})]),
        ("alpha minus 7, please", [("move_stage", {"alpha_deg": -7.0})]),
        ("recentre the stage at the origin", [("move_stage", {"x_um": 0.0, "y_um": 0.0})]),
    ],
)
def test_stage_and_focus_shorthand_is_read(text: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
    assert drive(text).calls == calls


def test_an_unsigned_bare_alpha_names_no_unit_and_runs_nothing() -> None:
    assert drive("alpha 12").calls == []
