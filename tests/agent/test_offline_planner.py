"""The offline planner: free wording -> the right tool sequence, and answers that quote the tool outputs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import RESULTS, drive

# (request, expected tool sequence, expected arguments of some calls, numbers the answer must quote)
CASES: list[tuple[str, list[str], dict[str, dict[str, Any]], list[str]]] = [
    (
        "Load MoS2 with seed 3",
        ["list_specimens", "load_specimen"],
        {"load_specimen": {"name": "mos2", "seed": 3}},
        [],
    ),
    (
        "please insert the gold nanoparticles sample",
        ["list_specimens", "load_specimen"],
        {"load_specimen": {"name": "gold_nanoparticles"}},
        [],
    ),
    ("switch to SrTiO3", ["list_specimens", "load_specimen"], {"load_specimen": {"name": "srtio3"}}, []),
    ("which specimens are available?", ["list_specimens"], {}, []),
    (
        "set fov 20 nm, 512 px, 2 µs dwell",
        ["set_scan"],
        {"set_scan": {"fov_nm": 20.0, "pixels": 512, "dwell_us": 2.0}},
        [],
    ),
    (
        "Field of view to 0.5 um and a dwell time of 500 ns please",
        ["set_scan"],
        {"set_scan": {"fov_nm": 500.0, "dwell_us": 0.5}},
        [],
    ),
    ("use 1024x1024 pixels", ["get_status", "set_scan"], {"set_scan": {"pixels": 1024}}, []),
    ("make the FOV 150 Å", ["set_scan"], {"set_scan": {"fov_nm": 15.0}}, []),
    ("defocus -5 nm", ["set_optics"], {"set_optics": {"defocus_nm": -5.0}}, []),
    ("underfocus by 12 nm", ["set_optics"], {"set_optics": {"defocus_nm": -12.0}}, []),
    ("set the beam to 80 kV and 30 pA", ["set_beam"], {"set_beam": {"energy_kv": 80.0, "current_pa": 30.0}}, []),
    ("blank the beam", ["set_beam"], {"set_beam": {"blanked": True}}, []),
    ("move the stage to x 1.5 um y -0.2 um", ["move_stage"], {"move_stage": {"x_um": 1.5, "y_um": -0.2}}, []),
    ("tilt alpha to 15 degrees", ["move_stage"], {"move_stage": {"alpha_deg": 15.0}}, []),
    ("take an image", ["get_status", "acquire_image"], {}, ["1830", "0.078"]),
    ("acquire a BF image", ["acquire_image"], {"acquire_image": {"detector": "BF"}}, ["a0007"]),
    (
        "fov 20 nm, 256 px then grab a HAADF frame",
        ["set_scan", "acquire_image"],
        {"acquire_image": {"detector": "HAADF"}},
        [],
    ),
    ("autofocus please", ["autofocus"], {}, ["-3.2"]),
    ("bring it into focus and take an image", ["autofocus", "acquire_image"], {}, ["-3.2", "1830"]),
    ("how many atoms are there?", ["acquire_image", "find_atoms"], {"find_atoms": {"acq_id": "a0007"}}, ["57"]),
    (
        "locate the atomic columns in the last image",
        ["list_acquisitions", "find_atoms"],
        {"find_atoms": {"acq_id": "a0005"}},
        ["57"],
    ),
    ("find defects", ["acquire_image", "detect_defects"], {}, ["2"]),
    ("are there any vacancies or dopants?", ["acquire_image", "detect_defects"], {}, ["2"]),
    ("measure the lattice spacing", ["acquire_image", "measure_lattice"], {}, ["0.3161", "0.3158", "119.8"]),
    (
        "count the nanoparticles and give me the size distribution",
        ["acquire_image", "segment_particles"],
        {},
        ["14", "4.87", "0.91"],
    ),
    (
        "take an EELS spectrum on the brightest atom",
        ["acquire_image", "detect_defects", "acquire_spectrum"],
        {"acquire_spectrum": {"kind": "EELS", "x_nm": 5.5, "y_nm": 6.25}},
        ["9100"],
    ),
    (
        "EDS spectrum at the dopant",
        ["acquire_image", "detect_defects", "acquire_spectrum"],
        {"acquire_spectrum": {"kind": "EDS", "x_nm": 5.5, "y_nm": 6.25}},
        [],
    ),
    (
        "record an EELS spectrum at (3.5, 4 nm)",
        ["acquire_spectrum"],
        {"acquire_spectrum": {"x_nm": 3.5, "y_nm": 4.0}},
        [],
    ),
    (
        "which elements are in the specimen?",
        ["get_status", "acquire_spectrum", "identify_elements"],
        {"acquire_spectrum": {"x_nm": 16.0, "y_nm": 16.0}},
        ["Mo"],
    ),
    (
        "survey the sample then zoom into the most interesting region",
        ["set_scan", "acquire_image", "detect_defects", "move_stage", "set_scan", "acquire_image"],
        {"move_stage": {"x_um": -0.08, "y_um": -0.12, "relative": True}},
        [],
    ),
    (
        "do a low-dose overview and zoom in, then find atoms",
        ["set_scan", "acquire_image", "detect_defects", "move_stage", "set_scan", "acquire_image", "find_atoms"],
        {},
        ["57"],
    ),
    ("check the focus quality", ["acquire_image", "focus_quality"], {}, ["0.412"]),
    (
        "estimate the drift",
        ["acquire_image", "acquire_image", "estimate_drift"],
        {"estimate_drift": {"first_acq_id": "a0007", "second_acq_id": "a0007"}},
        ["0.21"],
    ),
    ("what's the status?", ["get_status"], {}, ["12.5"]),
    ("how much dose have I used so far", ["get_status"], {}, ["12.5"]),
    (
        "take an image and export it as tiff",
        ["get_status", "acquire_image", "export_acquisition"],
        {"export_acquisition": {"acq_id": "a0007", "format": "tiff"}},
        ["5120"],
    ),
    (
        "approach the surface and measure the roughness",
        ["get_status", "approach", "acquire_afm_image", "roughness"],
        {"roughness": {"acq_id": "a0011"}},
        ["0.84", "0.66"],
    ),
    (
        "AFM image, 1 µm field, 256 px",
        ["set_afm_scan", "get_status", "approach", "acquire_afm_image"],
        {"set_afm_scan": {"size_nm": 1000.0, "pixels": 256}},
        [],
    ),
    ("measure the step height", ["get_status", "approach", "acquire_afm_image", "step_height"], {}, ["0.62"]),
    ("what is the grating pitch?", ["get_status", "approach", "acquire_afm_image", "grating_pitch"], {}, ["3000"]),
    (
        "take a force curve",
        ["get_status", "approach", "acquire_force_curve"],
        {"acquire_force_curve": {"x_nm": 16.0, "y_nm": 16.0}},
        ["2.3"],
    ),
    ("replace the tip", ["change_tip"], {}, []),
    ("withdraw the tip", ["withdraw"], {}, []),
    (
        "what fraction of the surface is covered by domains",
        ["get_status", "approach", "acquire_afm_image", "domain_fraction"],
        {},
        ["0.37"],
    ),
]


@pytest.mark.parametrize(("text", "tools", "expected_args", "numbers"), CASES, ids=[c[0][:40] for c in CASES])
def test_a_request_in_free_wording_becomes_the_right_plan_and_answer(
    text: str, tools: list[str], expected_args: dict[str, dict[str, Any]], numbers: list[str]
) -> None:
    run = drive(text)
    assert run.names == tools
    for name, args in expected_args.items():
        got = run.args(name)
        for key, value in args.items():
            assert got[key] == pytest.approx(value) if isinstance(value, float) else got[key] == value, (name, key)
    for number in numbers:
        assert number in run.answer, (number, run.answer)
    assert "cannot" not in run.answer.lower()


def test_there_are_at_least_thirty_distinct_phrasings() -> None:
    assert len({text for text, *_ in CASES}) >= 30


@pytest.mark.parametrize(
    "text",
    ["tell me a joke", "heat the sample to 500 C", "record a tomography tilt series", "order more liquid nitrogen"],
)
def test_a_request_outside_the_tools_gets_an_honest_cannot_do_with_suggestions(text: str) -> None:
    run = drive(text)
    assert run.calls == []
    assert "cannot" in run.answer.lower() or "did not recognise" in run.answer.lower()
    assert "find atoms" in run.answer and "spectrum" in run.answer


def test_a_request_that_needs_something_impossible_is_declined_whole_with_the_reason() -> None:
    run = drive("cool the sample with the cryo holder and take an image")
    assert run.calls == []
    assert "cannot change the specimen temperature" in run.answer and "ran nothing" in run.answer


def test_every_number_in_the_answer_comes_from_a_tool_output() -> None:
    run = drive("measure the lattice spacing")
    outputs = str(RESULTS["measure_lattice"]) + str(RESULTS["acquire_image"])
    import re

    for number in re.findall(r"-?\d+(?:\.\d+)?", run.answer.replace("a0007", "")):
        assert number in outputs or number in ("2",), number  # "2" is the count of tool calls


def test_an_acquisition_a_person_declined_is_not_retried_and_the_answer_says_so() -> None:
    declined = "acquire_image was not run: the user did not approve the over-budget dose."
    run = drive("take an image then find atoms", {"acquire_image": lambda args: declined})
    assert run.names == ["acquire_image"]
    assert "did not approve" in run.answer and "approved" not in run.calls[0][1]


def test_a_failing_step_stops_the_plan_and_the_answer_quotes_the_error() -> None:
    run = drive("find atoms", {"find_atoms": lambda args: "find_atoms: no atoms found. Move to a crystalline area."})
    assert run.names == ["acquire_image", "find_atoms"]
    assert "Stopped: find_atoms failed" in run.answer and "crystalline" in run.answer


def test_a_detector_the_tool_does_not_offer_is_reported_not_invented() -> None:
    run = drive("take an ABF image")
    assert run.args("acquire_image") == {}
    assert "ABF" in run.answer and "HAADF / BF" in run.answer


def test_a_survey_without_detectable_features_still_zooms_at_the_centre() -> None:
    run = drive("survey then zoom in", {"detect_defects": lambda args: "detect_defects needs atomic resolution."})
    assert run.names == ["set_scan", "acquire_image", "detect_defects", "set_scan", "acquire_image"]
    assert run.args("set_scan") == {"fov_nm": 400.0, "pixels": 256, "dwell_us": 1.0}
    assert run.calls[3][1]["fov_nm"] == 16.0
    assert "detect_defects failed" in run.answer and "zoom stays at the survey centre" in run.answer
