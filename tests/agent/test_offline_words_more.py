"""More of the operators' words: specimens by other names, C1 for the defocus, an annular detector's range, the
stage height, a line's two ends and a rectangle's corners, an element's edge said by its name, back-to-back
frames, the exposure's map, the tip's condition, a new tip fitted and landed, and modes the AFM does not have."""

from __future__ import annotations

from typing import Any

import pytest

from copilot.agent.offline.edges import edge_onset_said
from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("insert the Au nanoparticle grid", "gold_nanoparticles"),
        ("put in molybdenum disulphide with seed 22", "mos2"),
        ("the grating standard for the AFM, please", "afm_grating"),
    ],
)
def test_a_specimen_by_another_name_is_loaded(text: str, name: str) -> None:
    run = drive(text)
    assert run.names[-1] == "load_specimen" and run.args("load_specimen")["name"] == name


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("C1 at -25 Å", [("set_optics", {"defocus_nm": -2.5})]),
        (
            "HAADF annulus from 70 to 200 mrad",
            [("set_detectors", {"haadf_inner_mrad": 70.0, "haadf_outer_mrad": 200.0})],
        ),
        ("raise the stage height to 1.5 µm", [("move_stage", {"z_um": 1.5})]),
    ],
)
def test_a_setting_in_other_words_is_set(text: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
    assert drive(text).calls == calls


def test_a_line_profile_runs_between_the_ends_said_or_corner_to_corner() -> None:
    run = drive("intensity trace from (0, 4) nm to (8, 4) nm across the previous image")
    ends = {k: run.args("line_profile")[k] for k in ("x0_nm", "y0_nm", "x1_nm", "y1_nm")}
    assert run.names == ["list_acquisitions", "line_profile"] and ends == {
        "x0_nm": 0,
        "y0_nm": 4,
        "x1_nm": 8,
        "y1_nm": 4,
    }
    diagonal = drive("intensity profile corner to corner across the last frame").args("line_profile")
    assert (diagonal["x0_nm"], diagonal["y0_nm"], diagonal["x1_nm"], diagonal["y1_nm"]) == (0.0, 0.0, 20.0, 20.0)


def test_a_map_over_two_corners_maps_that_rectangle() -> None:
    run = drive("8x8 EELS map of the square from (1,1) to (5,5) nm")
    region = {k: run.args("acquire_spectrum_image")[k] for k in ("x_nm", "y_nm", "width_nm", "height_nm", "pixels")}
    assert region == {"x_nm": 1.0, "y_nm": 1.0, "width_nm": 4.0, "height_nm": 4.0, "pixels": 8}


@pytest.mark.parametrize(
    ("text", "said"),
    [("where does the sulphur edge start?", ("S", None)), ("measure the titanium l2,3 edge onset", ("Ti", "L2,3"))],
)
def test_an_edge_said_by_the_elements_name_is_read(text: str, said: tuple[str, str | None]) -> None:
    assert edge_onset_said(text) == said


def test_back_to_back_frames_for_a_wandering_sample_are_a_drift_check() -> None:
    run = drive("is the sample wandering? two back-to-back HAADFs at 15 nm")
    assert run.names == ["set_scan", "acquire_image", "acquire_image", "estimate_drift"]


def test_a_count_of_frames_the_plan_does_not_take_runs_nothing() -> None:
    run = drive("take two HAADFs")
    assert run.calls == [] and "take 2 haadf" in run.answer


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("where has the exposure piled up on the specimen so far?", ["get_dose_map"]),
        ("which crystal are we looking at?", ["get_status"]),
        ("how wide is the area being scanned?", ["get_status"]),
        ("what's left of the electron budget?", ["get_status"]),
    ],
)
def test_a_question_in_other_words_reads_what_answers_it(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_the_tips_condition_is_read_from_its_record_and_a_new_tip_is_fitted_and_landed() -> None:
    assert drive("what condition is the tip in?", afm()).names == ["get_tip_state"]
    run = drive("pull the tip up, fit a new one and land again", afm(engaged=True))
    assert run.names == ["get_status", "withdraw", "change_tip", "approach"]


def test_an_afm_mode_the_instrument_does_not_have_is_refused() -> None:
    run = drive("do an MFM scan of the domains", afm())
    assert run.calls == [] and "MFM" in run.answer
