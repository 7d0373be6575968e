"""An expert's jargon: C3 for Cs, alpha and beta as semi-angles in mrad, an azimuth, a BF disc, "12.5-fold relative
to now", core-loss EELS in a sequence, PFM channels, the retrace of an AFM channel, an integration width, iDPC, a
Ronchigram and a spot size declined; and the fresh28 requests acted on in a misread form (a contrast wanted after a
load, "- sampling for sub-Å lattice images", "Survey frame:", "so only the core is in the frame", "beta 4.5° lower
than where it is now", this morning's HAADF, "the step height from the retrace", iDPC)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Load the STO with seed 9; I want Z-contrast on the columns.",
            [("list_specimens", {}), ("load_specimen", {"name": "srtio3", "seed": 9})],
        ),
        ("FOV 2.8 nm, 1536 px - sampling for sub-Å lattice images.", [("set_scan", {"fov_nm": 2.8, "pixels": 1536})]),
        ("Survey frame: 1.6 µm FOV at 0.4 µs/px.", [("set_scan", {"fov_nm": 1600.0, "dwell_us": 0.4})]),
        (
            "Narrow the FOV by 20 nm from its present value so only the boundary is in the frame.",
            [("get_status", {}), ("set_scan", {"fov_nm": 12.0})],
        ),
        ("Beta 3.5° lower than where it is now.", [("move_stage", {"beta_deg": -3.5, "relative": True})]),
        (
            "Any S vacancies in yesterday's HAADF?",
            [("list_acquisitions", {}), ("detect_defects", {"acq_id": "a0005"})],
        ),
        ("C3 to -8 µm; we run slightly negative Cs for bright-atom contrast.", [("set_optics", {"cs_um": -8.0})]),
        ("Probe semi-angle alpha to 22.5 mrad.", [("set_optics", {"convergence_mrad": 22.5})]),
        ("EELS collection semi-angle beta = 35 mrad.", [("set_detectors", {"eels_collection_mrad": 35.0})]),
        ("BF disc collection semi-angle to 11 mrad.", [("set_detectors", {"bf_outer_mrad": 11.0})]),
        ("A1 at 2.1 nm, azimuth 62°.", [("set_optics", {"astig_nm": 2.1, "astig_angle_deg": 62.0})]),
        ("Widen the field of view 7.5-fold relative to now.", [("get_status", {}), ("set_scan", {"fov_nm": 240.0})]),
        (
            "EDS at (12, 3) nm for 1.2 s, then core-loss EELS at (4, 20) nm for 80 ms.",
            [
                ("acquire_spectrum", {"kind": "EDS", "x_nm": 12.0, "y_nm": 3.0, "dwell_ms": 1200.0}),
                ("acquire_spectrum", {"kind": "EELS", "x_nm": 4.0, "y_nm": 20.0, "dwell_ms": 80.0}),
            ],
        ),
    ],
)
def test_expert_jargon_is_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("iDPC image of the O sublattice at 5 nm FOV.", "iDPC"),
        ("Record a Ronchigram at 30 mrad.", "Ronchigram"),
        ("spot size 8 please", "spot size"),
    ],
)
def test_what_the_twin_cannot_record_is_declined(text: str, reason: str) -> None:
    run = drive(text)
    assert run.calls == [] and reason in run.answer


def test_pfm_channels_are_recorded_not_declined() -> None:
    run = drive("engage and record height plus the PFM amplitude and phase", afm())
    assert run.calls[-1] == ("acquire_afm_image", {"channels": ["height", "piezo_amplitude", "piezo_phase"]})


def test_an_analysis_of_the_retrace_is_no_feedback_tuning() -> None:
    run = drive("Image the terraces over 2.5 µm, then the step height from the retrace.", afm())
    assert run.names == ["set_afm_scan", "get_status", "approach", "acquire_afm_image", "step_height"]
    assert run.args("step_height") == {"acq_id": "a0011", "direction": "retrace"}


def test_a_line_profile_with_an_integration_width() -> None:
    run = drive("Line profile on the latest frame from (1, 2) nm to (9, 4) nm, 0.25 nm integration width.")
    assert run.args("line_profile")["width_nm"] == 0.25


def test_a_previous_frame_asked_in_focus_is_scored() -> None:
    run = drive("Is the previous frame in focus, or is C1 off?")
    assert run.names == ["list_acquisitions", "focus_quality"]
