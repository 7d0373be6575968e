"""A change by an amount whose unit alone names the setting: "45 kV more than the present setting" raises the beam
energy from its present value, and "20 pA more than now" is never set as 20 pA."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive


@pytest.mark.parametrize(
    ("text", "beam"),
    [
        ("> can we go a bit higher in kV? Yes - 45 kV more than the present setting, please.", {"energy_kv": 125.0}),
        ("raise it by 45 kV", {"energy_kv": 125.0}),
        ("go 20 kV lower", {"energy_kv": 60.0}),
        ("20 pA more than now", {"current_pa": 50.0}),
        ("0.02 nA lower than it is now", {"current_pa": 10.0}),
    ],
)
def test_an_amount_said_with_its_unit_changes_that_setting_from_its_present_value(
    text: str, beam: dict[str, float]
) -> None:
    assert drive(text).calls == [("get_status", {}), ("set_beam", beam)]


def test_an_amount_in_nanometres_names_no_single_setting_and_sets_nothing() -> None:
    assert drive("12 nm more than now").calls == []
