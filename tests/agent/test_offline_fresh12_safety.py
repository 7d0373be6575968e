"""Requests of the thirteenth held-out batch the planner acted on in a misread form: a specimen said "after the
terraces" is the one named next, "back beta off" goes down, "name it X" names the file X, "the frame I've got" and
"zero extra dose" take no new frame, "3 µs per pixel or shorter" is a limit, a question announced as a "quick
check" sets nothing, "fit a fresh cantilever" changes the tip, and "half a hertz" is the line rate."""

from __future__ import annotations

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS

AFM = {"get_status": lambda args: AFM_STATUS}


def test_the_specimen_worked_on_before_is_not_the_one_loaded() -> None:
    run = drive("after the terraces, the Au particles on silicon for the AFM, seed 3")
    assert run.names[-1] == "load_specimen" and run.args("load_specimen") == {"name": "afm_nanoparticles", "seed": 3}


def test_backing_a_tilt_off_tilts_it_down() -> None:
    assert drive("back beta off by 1.5 degrees").calls == [("move_stage", {"beta_deg": -1.5, "relative": True})]


def test_name_it_gives_the_export_its_name() -> None:
    run = drive("export the latest frame as tiff, name it night_mos2_vac")
    assert run.args("export_acquisition")["name"] == "night_mos2_vac"


def test_the_frame_ive_got_with_zero_extra_dose_takes_no_new_frame() -> None:
    run = drive("atom positions from the frame I've got, zero extra dose please")
    assert run.names == ["list_acquisitions", "find_atoms"]


def test_a_limit_said_after_its_value_with_or_shorter_runs_nothing_when_broken() -> None:
    run = drive("3 µs per pixel or shorter on this monolayer, then a BF")
    assert run.names == ["get_status"] and "ran nothing" in run.answer


def test_a_quick_check_question_is_answered_and_sets_nothing() -> None:
    run = drive("quick check: blanker still in, or is the beam on the flake?")
    assert run.names == ["get_status"] and "blanked" in run.answer


def test_a_fresh_cantilever_is_a_tip_change_in_the_order_said() -> None:
    run = drive("retract, fit a fresh cantilever, re-approach, take an image and look for double-tip artefacts", AFM)
    assert run.names == ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image", "tip_artifact_check"]


def test_half_a_hertz_is_the_line_rate() -> None:
    run = drive("set 1.2 µm and half a hertz, engage, image it, and give me the roughness", AFM)
    assert run.calls[0] == ("set_afm_scan", {"size_nm": 1200.0, "rate_hz": 0.5})
