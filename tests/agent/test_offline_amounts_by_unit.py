"""Changes said by what they refer to: an amount whose unit alone names the setting ("45 kV more than the present
setting" raises the beam energy from its present value; "20 pA more than now" is never set as 20 pA), a factor on
"our present field", and "an image that size" after a sentence that says one length."""

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


@pytest.mark.parametrize(
    ("text", "fov_nm"),
    [
        ("Fig. 1a covers 6.5 times our present field; widen ours to match", 208.0),  # status: 32 nm
        ("make it 3 times our current field", 96.0),  # "current" describes the field, it is not the beam current
    ],
)
def test_a_factor_on_our_present_field_scales_the_field(text: str, fov_nm: float) -> None:
    assert drive(text).calls == [("get_status", {}), ("set_scan", {"fov_nm": fov_nm})]


def test_an_image_that_size_takes_the_one_length_the_sentence_before_says() -> None:
    run = drive("Their frame was 2.4 µm at 30 pA. Take an image that size")
    assert run.calls[:2] == [("get_status", {}), ("set_scan", {"fov_nm": 2400.0})] and run.names[-1] == "acquire_image"


@pytest.mark.parametrize(
    "text", ["Take an image that size", "Their frames were 2.4 µm and 30 nm. Take an image that size"]
)
def test_that_size_with_no_one_length_before_it_runs_nothing(text: str) -> None:
    run = drive(text)
    assert run.calls == [] and "that size" in run.answer
