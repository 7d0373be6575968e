"""The offline planner on short forms (a detector said as the image, a quick look), on the order the request says
its actions in, and on status questions about the frame time, the AFM scan and the tip, each rule tried on
wordings other than the one that first showed it."""

from __future__ import annotations

import pytest

from copilot.agent.offline.lexicon import normalise
from copilot.agent.offline.said_order import said_clauses
from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS

AFM = {"get_status": lambda args: AFM_STATUS}


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("quick BF at 50 nm", [("set_scan", {"fov_nm": 50.0}), ("acquire_image", {"detector": "BF"})]),
        ("a fresh ADF please", [("acquire_image", {"detector": "HAADF"})]),
        ("just a 10 nm HAADF", [("set_scan", {"fov_nm": 10.0}), ("acquire_image", {"detector": "HAADF"})]),
        ("one 512 px HAADF", [("set_scan", {"pixels": 512}), ("acquire_image", {"detector": "HAADF"})]),
    ],
)
def test_a_detector_said_as_the_thing_to_take_is_an_image(
    text: str, calls: list[tuple[str, dict[str, object]]]
) -> None:
    assert drive(text).calls == calls


def test_a_detector_named_as_a_detector_takes_no_image() -> None:
    assert "acquire_image" not in drive("a HAADF detector setting question: which one is in?").names


def test_a_negated_autofocus_before_a_short_form_image_takes_only_the_image() -> None:
    run = drive("no autofocus this time, just a 10 nm HAADF")
    assert run.names == ["set_scan", "acquire_image"]


@pytest.mark.parametrize("text", ["quick look at 20 nm", "take a look at 20 nm", "have a quick look at 20 nm"])
def test_a_quick_look_is_an_image_on_the_instrument_the_status_names(text: str) -> None:
    assert drive(text).calls == [("get_status", {}), ("set_scan", {"fov_nm": 20.0}), ("acquire_image", {})]
    assert drive(text, AFM).names == ["get_status", "approach", "set_afm_scan", "acquire_afm_image"]


def test_a_quick_look_over_a_dose_limit_runs_nothing() -> None:
    run = drive("dose below 500 e/A2, quick look at 20 nm")
    assert run.names == ["get_status"] and "over your limit" in run.answer


def test_a_look_at_a_named_specimen_loads_it_and_takes_no_image() -> None:
    assert "acquire_image" not in drive("let's look at the gold particles").names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("AF, then a 1k HAADF", ["autofocus", "set_scan", "acquire_image"]),
        (
            "refocus, take a 5 nm frame and measure the lattice",
            ["autofocus", "set_scan", "acquire_image", "measure_lattice"],
        ),
        ("take an image, then defocus to -10 nm", ["acquire_image", "set_optics"]),
        ("autofocus; move the stage 1 um to the left", ["autofocus", "move_stage"]),
        ("take a 5 nm image, autofocus first", ["autofocus", "set_scan", "acquire_image"]),
        ("set 40 pA, then autofocus, then take a 2k image", ["set_beam", "autofocus", "set_scan", "acquire_image"]),
    ],
)
def test_the_plan_runs_in_the_order_the_request_says(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_a_beam_blanked_before_an_image_in_words_is_still_blanked_after_it() -> None:
    assert drive("blank the beam and then take an image").calls[-1] == ("set_beam", {"blanked": True})


def test_analyses_of_one_image_keep_the_plan_order() -> None:
    run = drive("take an image and measure the lattice and count the atoms")
    assert run.names == ["acquire_image", "find_atoms", "measure_lattice"]


def test_a_survey_and_its_zoom_keep_their_order() -> None:
    run = drive("survey the sample then zoom into the most interesting region")
    assert run.names == ["set_scan", "acquire_image", "detect_defects", "move_stage", "set_scan", "acquire_image"]


def test_the_clauses_are_cut_at_then_semicolons_and_before_actions() -> None:
    said = said_clauses(normalise("AF, then a 1k HAADF; measure the lattice and count the atoms"))
    assert said == ["autofocus", "a 1024 px haadf", "measure the lattice", "count the atoms"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("how long is one frame?", "One frame takes 0.28 s"),
        ("frame time?", "One frame takes 0.28 s"),
        ("how long does each frame take?", "One frame takes 0.28 s"),
    ],
)
def test_the_frame_time_is_answered_from_the_status(text: str, said: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and said in run.answer


def test_a_frame_time_the_status_does_not_report_is_pixels_squared_times_the_dwell() -> None:
    status = {"settings": {"scan": {"fov_nm": 20.0, "pixels": 512, "dwell_us": 2.0}}}
    run = drive("how long is one frame?", {"get_status": lambda args: status})
    assert "about 0.5243 s" in run.answer


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("scan size at the moment?", "The scan size is 1000 nm"),
        ("how big is the scan?", "The scan size is 1000 nm"),
        ("line rate?", "The line rate is 1 Hz"),
        ("how long is one frame?", "about 256 s (256 lines at 1 Hz)"),
    ],
)
def test_afm_scan_questions_are_answered_from_the_afm_status(text: str, said: str) -> None:
    run = drive(text, AFM)
    assert run.names == ["get_status"] and said in run.answer


@pytest.mark.parametrize("text", ["is the tip still sharp?", "tip still ok?", "is my tip damaged?"])
def test_a_question_about_the_tip_state_is_a_tip_check_on_a_new_image(text: str) -> None:
    assert drive(text, AFM).names == ["get_status", "approach", "acquire_afm_image", "tip_artifact_check"]


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("RMS of the last topograph", "roughness"),
        ("roughness of the previous height image", "roughness"),
        ("step height on the last topography", "step_height"),
    ],
)
def test_an_analysis_of_the_last_topograph_reads_no_status_and_lands_no_tip(text: str, tool: str) -> None:
    assert drive(text, AFM).names == ["list_acquisitions", tool]


@pytest.mark.parametrize(("text", "said"), [("is the beam on?", "not blanked"), ("is the beam off?", "not blanked")])
def test_a_question_whether_the_beam_is_on_is_answered_and_changes_nothing(text: str, said: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and said in run.answer


def test_current_as_an_adjective_asks_for_the_status_not_the_probe_current() -> None:
    run = drive("current settings?")
    assert run.names == ["get_status"] and "energy 80 kV" in run.answer


def test_the_pixel_count_is_said_in_one_sentence() -> None:
    assert "The scan has 256 pixels a side." in drive("how many pixels").answer


@pytest.mark.parametrize(
    ("text", "tool"), [("2 nm HAADF and count", "find_atoms"), ("take a 500 nm image, then count", "segment_particles")]
)
def test_a_bare_count_after_an_image_counts_by_its_scale(text: str, tool: str) -> None:
    assert drive(text).names[-1] == tool


@pytest.mark.parametrize("text", ["a second image", "a fresh frame", "one more picture"])
def test_a_second_or_fresh_image_is_an_image(text: str) -> None:
    assert drive(text).names == ["get_status", "acquire_image"]


@pytest.mark.parametrize("text", ["what have we acquired?", "show me the last acquisitions", "what data do we have"])
def test_a_question_about_what_was_acquired_lists_the_acquisitions(text: str) -> None:
    run = drive(text)
    assert run.names == ["list_acquisitions"] and "Acquisitions: a0001, a0005 (latest a0005)." in run.answer


def test_an_empty_listing_says_so() -> None:
    run = drive("list the acquisitions", {"list_acquisitions": lambda args: {"acquisitions": []}})
    assert "No acquisitions have been recorded yet." in run.answer
