"""General reading rules behind requests the held-out batches showed the planner misread, each tested on other
wordings than the batch's, and with the readings they must not take over."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive


@pytest.mark.parametrize("text", ["I'd like to check out the gold particles", "let's examine the gold particles"])
def test_a_specimen_named_as_the_thing_to_look_at_is_loaded_if_it_is_not_in(text: str) -> None:
    run = drive(text)
    assert run.names == ["get_status", "list_specimens", "load_specimen"]
    assert run.args("load_specimen") == {"name": "gold_nanoparticles"}


def test_a_specimen_named_to_look_at_that_is_in_already_is_not_loaded_again() -> None:
    assert drive("let's examine the MoS2").names == ["get_status"]  # the scripted status has MoS2 in


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("put in +40 nm of defocus", ("set_optics", {"defocus_nm": 40.0})),
        ("switch to 120 kV", ("set_beam", {"energy_kv": 120.0})),
    ],
)
def test_a_load_verb_followed_by_a_quantity_sets_it_instead_of_loading_a_specimen(
    text: str, call: tuple[str, dict[str, float]]
) -> None:
    assert drive(text).calls == [call]


def test_an_amount_of_underfocus_said_before_the_word_is_negative() -> None:
    assert drive("dial in 8 nm of underfocus").calls == [("set_optics", {"defocus_nm": -8.0})]


def test_a_load_verb_followed_by_a_specimen_still_loads_it() -> None:
    assert drive("put in the graphene, seed 3").calls[-1] == ("load_specimen", {"name": "graphene", "seed": 3})


@pytest.mark.parametrize("text", ["shoot one at 1k px", "capture one at 512 pixels"])
def test_shoot_or_capture_one_takes_an_image(text: str) -> None:
    assert drive(text).names == ["get_status", "set_scan", "acquire_image"]  # which instrument: the status says


@pytest.mark.parametrize("text", ["please focus, then check how sharp it is", "first focus and tell me the sharpness"])
def test_focus_said_as_a_verb_runs_the_autofocus_before_the_check(text: str) -> None:
    assert drive(text).names == ["autofocus", "acquire_image", "focus_quality"]


@pytest.mark.parametrize("text", ["is it in focus?", "check the focus quality of a new image"])
def test_a_focus_check_alone_runs_no_autofocus(text: str) -> None:
    assert "autofocus" not in drive(text).names


@pytest.mark.parametrize("text", ["lift the cantilever up", "bring the tip back", "draw the tip away please"])
def test_taking_the_tip_away_from_the_surface_withdraws_it(text: str) -> None:
    assert drive(text).names == ["withdraw"]


def test_moving_something_back_that_is_not_the_tip_withdraws_nothing() -> None:
    assert "withdraw" not in drive("move the stage back to x 0 um").names


@pytest.mark.parametrize(
    ("text", "fov_nm"), [("after the move take a 25 nm BF frame", 25.0), ("tilt to 5°, then a 12 nm image", 12.0)]
)
def test_a_length_right_before_an_image_noun_is_its_field_of_view(text: str, fov_nm: float) -> None:
    assert ("set_scan", {"fov_nm": fov_nm}) in drive(text).calls


@pytest.mark.parametrize(
    ("text", "kv"), [("high tension 300", 300.0), ("accelerating voltage to 60", 60.0), ("HT: 80", 80.0)]
)
def test_a_bare_number_after_the_high_tension_is_in_kv(text: str, kv: float) -> None:
    assert drive(text).calls == [("set_beam", {"energy_kv": kv})]


def test_a_negated_high_tension_change_sets_nothing() -> None:
    run = drive("don't change the HT 200, just take an image")
    assert "set_beam" not in run.names and "acquire_image" in run.names
