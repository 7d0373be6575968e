"""Requests of the fifteenth held-out batch the planner acted on in a misread form: "outer HAADF edge" is the outer
edge, "still on 30 pA, yes?" asks and sets nothing, a file name keeps its capitals, "EDS SI x 3-13 nm by y 2-8 nm"
is a map, and "swap the probe" changes the tip."""

from __future__ import annotations

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


def test_an_edge_said_between_its_side_and_the_detector() -> None:
    assert drive("outer HAADF edge one hundred seventy mrad").calls == [("set_detectors", {"haadf_outer_mrad": 170.0})]


def test_a_tag_question_about_a_value_is_answered_and_sets_nothing() -> None:
    run = drive("still on 30 pA, yes?")
    assert run.names == ["get_status"] and "30 pA" in run.answer


def test_a_file_name_keeps_the_case_it_was_given_in() -> None:
    run = drive("record a HAADF image and export it as a png named FA2291_sto_hr")
    assert run.args("export_acquisition")["name"] == "FA2291_sto_hr"


def test_an_si_said_with_its_ranges_is_a_map_and_its_elements() -> None:
    run = drive("EDS SI x 3-13 nm by y 2-8 nm at 26 px, then the elements")
    assert run.args("acquire_spectrum_image")["pixels"] == 26 and run.names[-1] == "identify_elements"
    assert "set_scan" not in run.names


def test_swapping_the_probe_is_a_tip_change() -> None:
    run = drive("withdraw, swap the probe, re-approach, image, then Rq", {"get_status": lambda args: AFM_STATUS})
    assert run.names == ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image", "roughness"]
