"""Requests of the fourteenth held-out batch the planner acted on in a misread form: a purpose said with "so Leo can
see domains" asks for no domain analysis, and "12 nm wider" is a change of the field of view, never its value."""

from __future__ import annotations

from tests.agent.planner_harness import drive


def test_a_purpose_said_after_a_load_asks_for_nothing_more() -> None:
    run = drive("load the ferroelectric thin film with seed 38 so Leo can see domains")
    assert run.names == ["list_specimens", "load_specimen"]


def test_an_amount_said_with_a_comparative_changes_the_present_value() -> None:
    assert drive("make the field 12 nm wider").calls == [("get_status", {}), ("set_scan", {"fov_nm": 44.0})]


def test_an_amount_said_with_a_comparative_is_never_set_as_the_value() -> None:
    run = drive("a 12 nm wider field")
    assert "set_scan" not in run.names
