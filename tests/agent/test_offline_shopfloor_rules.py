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


@pytest.mark.parametrize(
    ("text", "name"), [("on to the STO then", "srtio3"), ("ok, the gold particles now", "gold_nanoparticles")]
)
def test_a_request_that_only_moves_on_to_a_specimen_loads_it_if_it_is_not_in(text: str, name: str) -> None:
    run = drive(text)
    assert run.names == ["get_status", "list_specimens", "load_specimen"]
    assert run.args("load_specimen") == {"name": name}


@pytest.mark.parametrize("text", ["is graphene loaded?", "we're done with the graphene"])
def test_a_specimen_named_in_a_question_or_a_remark_is_not_loaded(text: str) -> None:
    assert "load_specimen" not in drive(text).names


@pytest.mark.parametrize(
    ("text", "fov_nm"),
    [("a quarter of a micron field of view", 250.0), ("field of view two microns", 2000.0), ("fov one micron", 1000.0)],
)
def test_a_length_said_in_words_is_read_as_a_number(text: str, fov_nm: float) -> None:
    assert drive(text).calls == [("set_scan", {"fov_nm": fov_nm})]


@pytest.mark.parametrize("text", ["zero defocus please", "defocus back to zero", "take the focus to zero"])
def test_zero_defocus_said_in_words_sets_it(text: str) -> None:
    assert drive(text).calls == [("set_optics", {"defocus_nm": 0.0})]


@pytest.mark.parametrize("text", ["stage to x 0, y 0", "move back to x = 0 and y = 0"])
def test_a_stage_position_at_zero_needs_no_unit(text: str) -> None:
    assert drive(text).calls == [("move_stage", {"x_um": 0.0, "y_um": 0.0})]


def test_a_stage_position_off_zero_without_a_unit_runs_nothing() -> None:
    run = drive("stage to x 1, y 2")
    assert run.calls == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("what kilovolts are set?", "80 kV"),
        ("which probe current is set?", "30 pA"),
        ("how many nanoamps are we at?", "30 pA"),
        ("what is the field of view set to?", "32 nm"),
    ],
)
def test_a_question_about_how_a_setting_is_set_is_answered_from_the_status(text: str, said: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"]
    assert said in run.answer


def test_retract_alone_withdraws_the_tip() -> None:
    assert drive("retract please").names == ["withdraw"]
    assert "withdraw" not in drive("image at 2 Hz, don't retract").names


@pytest.mark.parametrize("text", ["does the tip look double?", "tip might be double, check it"])
def test_a_tip_said_to_be_double_is_checked(text: str) -> None:
    assert drive(text).names[-1] == "tip_artifact_check"


def test_what_is_there_after_a_spectrum_identifies_the_elements() -> None:
    run = drive("EELS at x 2 nm y 2 nm and tell me what is present")
    assert run.names == ["acquire_spectrum", "identify_elements"]


@pytest.mark.parametrize(
    "text", ["set 200 pA, then image at 10 nm", "beam on and image with 512 px", "set 40 pA, image at 10 nm"]
)
def test_image_said_as_a_verb_after_then_or_and_takes_an_image(text: str) -> None:
    assert drive(text).names[-1] == "acquire_image"


@pytest.mark.parametrize(
    ("text", "pixels"), [("BF @ 10 nm, 2k", 2048), ("a 4k HAADF at 50 nm", 4096), ("HAADF 1k at 8 nm", 1024)]
)
def test_a_bare_1k_2k_4k_is_the_pixels_of_the_frame(text: str, pixels: int) -> None:
    assert drive(text).args("set_scan")["pixels"] == pixels


def test_1k_of_dose_is_not_a_pixel_count() -> None:
    assert all("pixels" not in args for _, args in drive("keep the dose under 1k e/A2 and take a HAADF").calls)
