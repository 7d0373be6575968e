"""Places in the image said the ways microscopists say them: a point in parentheses with its unit after it, a
point in ångströms, two points joined by "to" without a "from", spectra at two places in the order said, and
"N and a half" of a unit."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive


@pytest.mark.parametrize(
    ("text", "x_nm", "y_nm"),
    [
        ("EDX at (12, 3) nm", 12.0, 3.0),
        ("loss spectrum at 30 Å, 90 Å", 3.0, 9.0),
        ("EELS at (25, 40) Å", 2.5, 4.0),
    ],
)
def test_a_point_is_read_in_its_unit(text: str, x_nm: float, y_nm: float) -> None:
    args = drive(text).args("acquire_spectrum")
    assert (args["x_nm"], args["y_nm"]) == (x_nm, y_nm)


def test_two_points_joined_by_to_are_a_line() -> None:
    run = drive("intensity trace on the newest frame, (3, 3) to (9, 12) nm")
    assert run.args("line_profile") == {"x0_nm": 3.0, "y0_nm": 3.0, "x1_nm": 9.0, "y1_nm": 12.0, "acq_id": "a0005"}


def test_spectra_at_two_places_are_taken_in_the_order_said() -> None:
    assert drive("EELS at (2, 3) nm, then EDS at (8, 3) nm").calls == [
        ("acquire_spectrum", {"kind": "EELS", "x_nm": 2.0, "y_nm": 3.0}),
        ("acquire_spectrum", {"kind": "EDS", "x_nm": 8.0, "y_nm": 3.0}),
    ]


@pytest.mark.parametrize(
    ("text", "tool", "argument", "value"),
    [
        ("EDX at (12, 3) nm, two and a half seconds", "acquire_spectrum", "dwell_ms", 2500.0),
        ("setpoint sixteen and a half nm", "set_feedback", "setpoint_nm", 16.5),
    ],
)
def test_n_and_a_half_is_read(text: str, tool: str, argument: str, value: float) -> None:
    assert drive(text).args(tool)[argument] == value
