"""Numbers and units in the forms people write them: thousands separators with a comma or a space ("seed 2,417",
"1 536 px"), powers of ten ("8.5x10^3 pm", "-2.5E-8 m"), lengths in metres and angles in radians, approximate
values ("~3x"), "half again as long", a share "20 % below where it is now", a place as "9/13 nm (x/y)" or
"x=2 y=4", a stage place in nm, a range whose first number has no unit ("30-120 Å"), a signed tilt "from where it
is now", and an expectation said beside the request ("I'd expect about 2,000 of them")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]
STATUS: Calls = [("get_status", {})]
LATEST: Calls = [("list_acquisitions", {})]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Load the graphene, seed 2,417, please.",
            [("list_specimens", {}), ("load_specimen", {"name": "graphene", "seed": 2417})],
        ),
        (
            "The MoS2, seed 1 024.",
            [*STATUS, ("list_specimens", {}), ("load_specimen", {"name": "mos2", "seed": 1024})],
        ),
        ("How many specimens does the twin have?", [("list_specimens", {})]),
        (
            "Scan setup from the old protocol sheet: 8.5x10^3 pm field, 1 536 px.",
            [*STATUS, ("set_scan", {"fov_nm": 8.5, "pixels": 1536})],
        ),
        ("Make the dwell half again as long.", [*STATUS, ("set_scan", {"dwell_us": 6.0})]),
        ("Zoom out by ~3x.", [*STATUS, ("set_scan", {"fov_nm": 96.0})]),
        ("Accelerating voltage 20 % below where it is now.", [*STATUS, ("set_beam", {"energy_kv": 64.0})]),
        ("C1 = -2.5E-8 m", [("set_optics", {"defocus_nm": -25.0})]),
        ("A Cs of 1.5e-3 m.", [("set_optics", {"cs_um": 1500.0})]),
        ("BF outer angle 0.021 rad.", [("set_detectors", {"bf_outer_mrad": 21.0})]),
        ("Move the stage to (2500, -1250) nm.", [("move_stage", {"x_um": 2.5, "y_um": -1.25})]),
        ("Shift the stage by 1/-0.5 µm in x/y.", [("move_stage", {"x_um": 1.0, "y_um": -0.5, "relative": True})]),
        ("EDS point at 9/13 nm (x/y).", [("acquire_spectrum", {"kind": "EDS", "x_nm": 9.0, "y_nm": 13.0})]),
        (
            "Line profile on the latest image from x=2 y=4 to x=18 y=16 nm.",
            [*LATEST, ("line_profile", {"x0_nm": 2.0, "y0_nm": 4.0, "x1_nm": 18.0, "y1_nm": 16.0, "acq_id": "a0005"})],
        ),
        (
            "Size only the particles that are 30-120 Å across in the newest frame.",
            [*LATEST, ("segment_particles", {"min_diameter_nm": 3.0, "max_diameter_nm": 12.0, "acq_id": "a0005"})],
        ),
        (
            "Find the atoms in the newest frame; I'd expect about 2,000 of them.",
            [*LATEST, ("find_atoms", {"acq_id": "a0005"})],
        ),
        ("Beta +2.5 deg from where it is now.", [("move_stage", {"beta_deg": 2.5, "relative": True})]),
    ],
)
def test_a_number_in_another_form_is_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_setpoint_share_below_the_present_one() -> None:
    assert drive("Lower the setpoint 15 % below where it is now.", afm()).calls == [
        *STATUS,
        ("set_feedback", {"setpoint_nm": 11.9}),
    ]


def test_a_stage_place_in_micrometres_is_not_rewritten() -> None:
    assert drive("stage to x=3.4um y=-6.2um").calls == [("move_stage", {"x_um": 3.4, "y_um": -6.2})]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("Autofocus over ±50 nm in 21 steps.", [("autofocus", {"range_nm": 100.0, "steps": 21})]),
        ("Autofocus over a 300 nm range.", [("autofocus", {"range_nm": 300.0})]),  # as asked: no fine pass added
        (
            "Segment the particles on the newest image with a 6σ threshold.",
            [*LATEST, ("segment_particles", {"threshold_sigmas": 6.0, "acq_id": "a0005"})],
        ),
        (
            "Export the newest acquisition as a TIFF named run_1p2nm.",
            [*LATEST, ("export_acquisition", {"name": "run_1p2nm", "format": "tiff", "acq_id": "a0005"})],
        ),
        ("Count the atoms in the frame from 5 min ago.", [*LATEST, ("find_atoms", {"acq_id": "a0005"})]),
        (
            "BF at 40 nm; the defocus stays at its -10 nm.",
            [("set_scan", {"fov_nm": 40.0}), ("acquire_image", {"detector": "BF"})],
        ),
        ("A BF with 0 changes to the scan.", [("acquire_image", {"detector": "BF"})]),
    ],
)
def test_options_and_references_said_with_numbers(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_settings_asked_together_with_both_are_answered() -> None:
    run = drive("P gain and I gain, both, please.", afm())
    assert run.calls == STATUS and "0.05" in run.answer and "0.1 per ms" in run.answer


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("If the dwell is between 3 and 5 µs, a HAADF with 1024 pixels.", True),
        ("If the dwell is between 5 and 8 µs, a HAADF with 1024 pixels.", False),
        ("Only if the probe current is 30 +/- 5 pA: a BF at 8.8 nm.", True),
        ("Only if the probe current is 50 +/- 5 pA: a BF at 8.8 nm.", False),
    ],
)
def test_a_condition_said_as_a_range_or_a_tolerance_is_judged_on_both_bounds(text: str, runs: bool) -> None:
    run = drive(text)  # the status has 4 µs and 30 pA
    assert run.calls[0] == ("get_status", {})
    assert (len(run.calls) > 1) is runs
    assert runs or "ran nothing" in run.answer
