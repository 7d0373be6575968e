"""Requests of the twenty-first held-out batch (a published protocol quoted) the planner acted on in a misread form:
a value a paper used, said next to a question about ours ("What probe current are we running? They used 25 pA."),
set as if asked for; "300 keV" the same; "the field needs to grow by 52 nm" set to 52 nm, with a frame "to match
their overview"; a detector's angle in mrad set as the convergence; "I recorded an EDX spectrum" and "the topograph
already on disk" recorded again; a tip change put after the check a tip "looking blunt" was read as asking for."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("What probe current are we running? They used 40 pA.", "30 pA"),
        ("What is our HT right now? I am comparing with the 200 keV in the paper.", "80 kV"),
        ("What is our pixel size right now? Theirs was 0.03 nm per pixel.", "0.125 nm"),
    ],
)
def test_a_value_someone_else_used_is_no_setting(text: str, said: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and said in run.answer, run.answer


def test_a_field_grown_by_an_amount_to_match_a_paper() -> None:
    run = drive("Our field needs to grow by 40 nm to match their overview; please do that")
    assert run.calls == [("get_status", {}), ("set_scan", {"fov_nm": 72.0})]


def test_a_detector_angle_said_by_its_signal_is_no_convergence() -> None:
    run = drive("Bright-field signal was collected up to 12 mrad in the paper; please set the BF outer angle to match")
    assert run.calls == [("set_detectors", {"bf_outer_mrad": 12.0})]


def test_a_spectrum_someone_recorded_is_past_data() -> None:
    assert drive("Before lunch I recorded an EDX spectrum; what elements does it contain?").names == [
        "identify_elements"
    ]


def test_a_topograph_already_on_disk_is_not_imaged_again() -> None:
    run = drive(
        "Step height from the topograph already on disk; do not re-approach", {"get_status": lambda a: AFM_STATUS}
    )
    assert run.names == ["list_acquisitions", "step_height"]


def test_a_tip_said_to_look_blunt_is_changed_before_the_check() -> None:
    run = drive(
        "Tip looks blunt compared with their images: withdraw, change the tip, re-engage, image, and run the tip "
        "artefact check",
        {"get_status": lambda a: AFM_STATUS},
    )
    assert run.names == ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image", "tip_artifact_check"]
