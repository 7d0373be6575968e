"""Requests asked indirectly, and messages that only tell: a wish, a suggestion, a courtesy ("if it's not too much
trouble"), "any chance of moving ...", "would you mind mapping ...", "would it be possible to make it ...", "I think
we should ...", "I'd prefer the HAADF to collect from ...", "just curious whether ...", "I'm wondering what ...", a
reason said around the request ("the fringes look undersampled", "would settle our argument", "the particle is
clipped at the frame edge"), and remarks about another day or another person's plan, which set nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]
STATUS: Calls = [("get_status", {})]


@pytest.mark.parametrize(
    "text",
    [
        "Just so you know, Sam is going to load the SrTiO3 tomorrow with seed 12.",
        "Last month we ran at 45 pA on this grid.",
        "Yesterday Lee had the BF outer angle at 22 mrad, I think.",
        "Jo's frames from Monday were at a 30 nm field with 512 pixels.",
        "Last time the eucentric height was z = 2.15 µm, for what it's worth.",
        "For the record, Friday's plan is MoS2 at 80 kV and then a BF series at 6 nm - Ana will run it.",
    ],
)
def test_a_remark_about_another_day_or_person_runs_nothing(text: str) -> None:
    run = drive(text)
    assert run.calls == []
    assert "not as a request, so I ran nothing" in run.answer


def test_a_remark_keeps_the_request_said_next_to_it() -> None:
    assert drive("Last week we used 25 pA; set 40 pA now.").calls == [("set_beam", {"current_pa": 40.0})]
    assert drive("Last week 120 kV worked well here, so let's go back to it.").calls == [
        ("set_beam", {"energy_kv": 120.0})
    ]
    assert drive("Apparently Tom will change the tip tonight, so leave the current one in.", afm()).calls == []


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "For the survey it might be worth going to a 2 µm field and a 0.5 µs dwell.",
            [("set_scan", {"fov_nm": 2000.0, "dwell_us": 0.5})],
        ),
        (
            "If it's no trouble, could you load the MoS2 sample? Seed 41 is the one in my notes.",
            [("list_specimens", {}), ("load_specimen", {"name": "mos2", "seed": 41})],
        ),
        (
            "If it's not too much trouble: 1024 pixels and a HAADF.",
            [("set_scan", {"pixels": 1024}), ("acquire_image", {"detector": "HAADF"})],
        ),
        (
            "If you have a moment, a BF at 9 nm would settle our argument.",
            [("set_scan", {"fov_nm": 9.0}), ("acquire_image", {"detector": "BF"})],
        ),
        ("Any chance of moving 1.5 µm up from here?", [("move_stage", {"y_um": 1.5, "relative": True})]),
        (
            "Would you mind mapping the region from x 2 to 12.5 nm and y 3 to 9 nm with EDS?",
            [
                (
                    "acquire_spectrum_image",
                    {
                        "kind": "EDS",
                        "x_nm": 2.0,
                        "y_nm": 3.0,
                        "width_nm": 10.5,
                        "height_nm": 6.0,
                        "pixels": 16,
                        "dwell_ms": 0.5,
                    },
                )
            ],
        ),
        (
            "The dwell feels short; would it be possible to make it 2 times what it is now?",
            [*STATUS, ("set_scan", {"dwell_us": 8.0})],
        ),
        (
            "I think we should stretch the dwell by 50 percent from where it is.",
            [*STATUS, ("set_scan", {"dwell_us": 6.0})],
        ),
        (
            "Could the probe current come down to 50 percent of what it is now?",
            [*STATUS, ("set_beam", {"current_pa": 15.0})],
        ),
        (
            "I'd prefer the HAADF to collect from 60 to 190 mrad.",
            [("set_detectors", {"haadf_inner_mrad": 60.0, "haadf_outer_mrad": 190.0})],
        ),
        (
            "The region is just off to the right - nudge the stage 2 µm in that direction.",
            [("move_stage", {"x_um": 2.0, "relative": True})],
        ),
        (
            "We want to work on the SrTiO3 next, so would you load it with seed 9?",
            [("list_specimens", {}), ("load_specimen", {"name": "srtio3", "seed": 9})],
        ),
        (
            "We suspect the sample is drifting; take two BF frames at 120 nm and estimate the drift.",
            [
                ("set_scan", {"fov_nm": 120.0}),
                ("acquire_image", {"detector": "BF"}),
                ("acquire_image", {"detector": "BF"}),
                ("estimate_drift", {"first_acq_id": "a0007", "second_acq_id": "a0007"}),
            ],
        ),
        (
            "The Mo atoms seem to sit near (4, 6) nm, so an EELS spectrum there, please.",
            [("acquire_spectrum", {"kind": "EELS", "x_nm": 4.0, "y_nm": 6.0})],
        ),
        (
            "Could you zoom out a little? The particle is clipped at the frame edge.",
            [*STATUS, ("set_scan", {"fov_nm": 64.0}), ("acquire_image", {})],
        ),
        ("Zoom in by a factor of 4 - the defect is tiny.", [*STATUS, ("set_scan", {"fov_nm": 8.0})]),
    ],
)
def test_an_indirect_request_is_run_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("I wonder whether the current is still 30 pA; please leave it where it is.", "30 pA"),
        ("I'm wondering what the dwell and the current are at present.", "4 µs"),
        ("I'd like to know how much dose this area has had.", "12.5"),
    ],
)
def test_an_indirect_question_is_answered_from_the_status(text: str, said: str) -> None:
    run = drive(text)
    assert run.calls == STATUS and said in run.answer


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("I suspect the tip picked something up - how's it looking?", [("get_tip_state", {})]),
        ("Roughly how worn is the tip by now?", [("get_tip_state", {})]),
        (
            "Could you check the latest topograph for tip artefacts, retrace direction?",
            [("list_acquisitions", {}), ("tip_artifact_check", {"direction": "retrace", "acq_id": "a0005"})],
        ),
    ],
)
def test_indirect_afm_requests_are_run_as_meant(text: str, calls: Calls) -> None:
    assert drive(text, afm()).calls == calls
