"""Requests of the twelfth held-out batch the planner acted on in a misread form: seeds and lengths said in words
("seed sixty-one", "a hundred and twenty ångströms"), an amount taken off a setting, a focus score that is no
autofocus, a frame "on screen" or "we already have" that is not taken again, a limit said "never more than" or
"or shorter", a spectrum dwell of "a fifth of a second", a purpose said first, and a yes-or-no question about a
value that is answered from the status and never set."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


@pytest.mark.parametrize(
    ("text", "seed"),
    [
        ("for our visitor's first look, mount the strontium titanate with seed sixty-one", 61),
        ("please load plain graphene, seed one hundred", 100),
    ],
)
def test_a_seed_said_in_words_is_loaded_and_nothing_else_runs(text: str, seed: int) -> None:
    run = drive(text)
    assert run.names == ["list_specimens", "load_specimen"] and run.args("load_specimen")["seed"] == seed


def test_a_length_said_in_words_in_angstroms_is_the_field_of_view() -> None:
    assert drive("field of view a hundred and twenty ångströms, dwell 1.5 µs").calls == [
        ("set_scan", {"fov_nm": 12.0, "dwell_us": 1.5})
    ]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("take 12 nm off the field of view", ("set_scan", {"fov_nm": 20.0})),
        ("take 20 pA off the probe current", ("set_beam", {"current_pa": 10.0})),
    ],
)
def test_an_amount_taken_off_a_setting_is_subtracted_from_its_present_value(
    text: str, call: tuple[str, dict[str, float]]
) -> None:
    assert drive(text).calls == [("get_status", {}), call]


def test_a_focus_score_of_the_frame_on_screen_scores_the_last_frame() -> None:
    assert drive("focus score for the frame on screen").names == ["list_acquisitions", "focus_quality"]


def test_a_height_map_we_already_have_is_not_taken_again() -> None:
    run = drive("Rq of the height map we already have, no re-landing", {"get_status": lambda args: AFM_STATUS})
    assert run.names == ["list_acquisitions", "roughness"]


@pytest.mark.parametrize(
    "text",
    [
        "visitor's rule: never more than 12 pA on the flake; BF at 20 nm",
        "we keep the dwell at 2 µs or shorter on this one; HAADF please",
    ],
)
def test_a_limit_the_present_settings_break_runs_nothing(text: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and "ran nothing" in run.answer


def test_a_fifth_of_a_second_is_the_spectrum_dwell() -> None:
    run = drive("park the probe dead centre, EELS for a fifth of a second, and name the elements")
    assert run.args("acquire_spectrum")["dwell_ms"] == 200.0


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("is it still at eighty kV or did someone change it?", "80 kV"),
        ("is the current still 30 pA?", "30 pA"),
    ],
)
def test_a_yes_or_no_question_about_a_value_is_answered_and_never_set(text: str, answer: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and answer in run.answer
