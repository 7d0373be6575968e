"""Requests of the eighteenth held-out batch (dictated by voice, transcribed) the planner acted on in a misread form:
"a seventy one nanometre field" read as 72 nm (the article counted as one); a self-correction ("to the right, sorry
I mean to the left", "forty no sorry thirty four nanometres") acted on before it was corrected; a size range with
"three and a half" in it read as the field of view; "was the frame ... in focus" run as an autofocus; a question
that starts with "sorry" run as a blank."""

from __future__ import annotations

import pytest

from copilot.agent.offline.lexicon import normalise
from copilot.agent.offline.spoken import word_value
from tests.agent.planner_harness import drive


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("a seventy one", 71.0),
        ("a two hundred and twenty", 220.0),
        ("a hundred", 100.0),
        ("a thousand", 1000.0),
        ("point four five", 0.45),
        ("two point eight", 2.8),
        ("six three", None),  # two numbers, not one
        ("five twenty", None),
    ],
)
def test_an_article_before_a_number_in_words_is_no_one(said: str, value: float | None) -> None:
    assert word_value(said) == value


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("scan settings 1024 pixels and a sixty one nanometer field", ("set_scan", {"pixels": 1024, "fov_nm": 61.0})),
        ("seven hundred pixels and a two point four microsecond dwell", ("set_scan", {"pixels": 700, "dwell_us": 2.4})),
        ("point five four microns field", ("set_scan", {"fov_nm": 540.0})),
    ],
)
def test_numbers_in_words_with_an_article_are_read_as_said(text: str, call: tuple[str, dict[str, float]]) -> None:
    assert drive(text).calls[-1] == call


@pytest.mark.parametrize(
    ("text", "call"),
    [
        (
            "shift the stage four hundred nanometres to the right sorry I mean to the left",
            ("move_stage", {"x_um": -0.4, "relative": True}),
        ),
        ("set the field of view to thirty no sorry twenty six nanometres", ("set_scan", {"fov_nm": 26.0})),
        (
            "the high tension to two hundred no wait two hundred and twenty kilovolts",
            ("set_beam", {"energy_kv": 220.0}),
        ),
        ("set the current to twenty five no twenty two picoamps", ("set_beam", {"current_pa": 22.0})),
        ("HAADF no sorry BF at 30 nm", ("acquire_image", {"detector": "BF"})),
    ],
)
def test_a_self_correction_is_acted_on_as_corrected(text: str, call: tuple[str, dict[str, float]]) -> None:
    assert drive(text).calls[-1] == call


def test_a_seed_corrected_in_words() -> None:
    run = drive("let's swap in the gold particles seed 40 no sorry forty eight")
    assert run.calls[-1] == ("load_specimen", {"name": "gold_nanoparticles", "seed": 48})


def test_sorry_with_nothing_to_correct_changes_nothing() -> None:
    assert normalise("sorry, is the beam blanked?") == normalise("is the beam blanked?")
    assert drive("sorry is the beam currently blanked or not").names == ["get_status"]


def test_a_size_range_with_a_half_in_words_bounds_the_particles() -> None:
    run = drive("on the last image only count the particles between two and a half and 18 nanometres")
    assert run.names == ["list_acquisitions", "segment_particles"]
    assert run.args("segment_particles") | {"acq_id": None} == {
        "min_diameter_nm": 2.5,
        "max_diameter_nm": 18.0,
        "acq_id": None,
    }


@pytest.mark.parametrize(
    "text",
    ["was the frame we recorded at the start of the call in focus", "was the frame we recorded before in focus"],
)
def test_whether_a_past_frame_was_in_focus_is_checked_not_run(text: str) -> None:
    assert drive(text).names == ["list_acquisitions", "focus_quality"]


def test_a_dwell_in_words_after_an_article_on_a_spectrum() -> None:
    run = drive("find a vacancy and then park the probe on it for a three hundred and ten millisecond EELS")
    assert run.names == ["acquire_image", "detect_defects", "acquire_spectrum"]
    assert run.args("acquire_spectrum")["dwell_ms"] == 310.0
