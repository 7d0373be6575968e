"""English shaped by another language (``phrasing``): a setting put "on" a value, a change "of" an amount, a setting
named before its verb ("the dwell reduce please"), "EELS in (x, y)", "and after", "more sharp", "to up", "for a
factor", "seed is", "the settings of now", decimal commas, and the readings they lead to."""

from __future__ import annotations

from typing import Any

import pytest

from copilot.agent.offline.phrasing import rephrased
from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("the field of view put on 15 nm", "set the field of view to 15 nm"),
        ("the probe current i need on 40 pa", "the probe current i need to 40 pa"),
        ("move the sample of 2 µm to the left", "move the sample by 2 µm to the left"),
        ("the dwell reduce please of 30 percent", "reduce the dwell by 30 percent"),
        ("eels in (6, 3) nm and after edx in (9, 9) nm", "eels at (6, 3) nm and then edx at (9, 9) nm"),
        ("which is more sharp", "which is sharper"),
        ("a shift of 300 nm to up", "a shift by 300 nm up"),
        ("zoom out for a factor 6", "zoom out by a factor of 6"),
        ("seed is 12", "seed 12"),
        ("the actual value", "the present value"),
        ("at 2,2 nm", "at 2,2 nm"),
        ("cs on 0,45 mm", "cs to 0.45 mm"),
    ],
)
def test_phrasing_is_rewritten_to_the_words_the_reader_reads(said: str, read: str) -> None:
    assert rephrased(said) == read


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("The probe current I need on 0,045 nA, please.", [("set_beam", {"current_pa": 45.0})]),
        ("Cs on 0,65 mm, like in our paper.", [("set_optics", {"cs_um": 650.0})]),
        (
            "Astigmatism A1 put on 3,2 nm with the angle 40 degree.",
            [("set_optics", {"astig_nm": 3.2, "astig_angle_deg": 40.0})],
        ),
        ("Move the sample of 1.8 µm to the left from here.", [("move_stage", {"x_um": -1.8, "relative": True})]),
        ("Tilt the alpha at 9,5 degrees.", [("move_stage", {"alpha_deg": 9.5})]),
        ("Beta increase of 4 degrees from the actual position.", [("move_stage", {"beta_deg": 4.0, "relative": True})]),
        ("The height z put on 0.9 µm please.", [("move_stage", {"z_um": 0.9})]),
        (
            "The dwell reduce please of 25 percent from the actual value.",
            [("get_status", {}), ("set_scan", {"dwell_us": 3.0})],
        ),
        (
            "Zoom out for a factor twelve, I search again the flake.",
            [("get_status", {}), ("set_scan", {"fov_nm": 384.0})],
        ),
        (
            "Can you change the sample to the polycrystalline graphene? Seed is one hundred twelve.",
            [("list_specimens", {}), ("load_specimen", {"name": "grain_boundary", "seed": 112})],
        ),
        (
            "Please put inside the microscope the MoS2, seed 21.",
            [("list_specimens", {}), ("load_specimen", {"name": "mos2", "seed": 21})],
        ),
        (
            "The last image denoise with a median filter of 0,08 nm.",
            [
                ("list_acquisitions", {}),
                ("denoise_image", {"method": "median", "strength_nm": 0.08, "acq_id": "a0005"}),
            ],
        ),
        (
            "EELS at (7, 12) nm and after that the onset of the edge of sulphur.",
            [
                ("acquire_spectrum", {"kind": "EELS", "x_nm": 7.0, "y_nm": 12.0}),
                ("measure_edge_onset", {"element": "S"}),
            ],
        ),
    ],
)
def test_requests_in_other_languages_english_are_read_as_meant(text: str, calls: Calls) -> None:
    run = drive(text)
    assert [(name, {k: v for k, v in args.items() if k != "acq_id"}) for name, args in run.calls] == [
        (name, {k: v for k, v in args.items() if k != "acq_id"}) for name, args in calls
    ]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("The setpoint put on 9,5 nm.", [("set_feedback", {"setpoint_nm": 9.5})]),
        (
            "Gains of the feedback: P on 0.7 and I on 11 per ms.",
            [("set_feedback", {"p_gain": 0.7, "i_gain_per_ms": 11.0})],
        ),
        ("Put the AFM scan size on 2,25 µm, but the tip do not approach yet.", [("set_afm_scan", {"size_nm": 2250.0})]),
        (
            "Make the line rate of the AFM to 40 percent of the actual.",
            [("get_status", {}), ("set_afm_scan", {"rate_hz": 0.4})],
        ),
        (
            "Control please if the last AFM image has artefacts of the tip.",
            [("list_acquisitions", {}), ("tip_artifact_check", {"acq_id": "a0005"})],
        ),
        ("The tip is still good, or it is already worn?", [("get_tip_state", {})]),
    ],
)
def test_afm_requests_in_other_languages_english(text: str, calls: Calls) -> None:
    assert drive(text, afm()).calls == calls


def test_an_image_not_to_be_made_is_not_made() -> None:
    run = drive("Measure the lattice on the image that we have already; a new one do not make.")
    assert run.names == ["list_acquisitions", "measure_lattice"]


def test_a_frame_time_asked_in_other_words_is_read_from_the_status() -> None:
    run = drive("How long needs one frame with the settings of now?")
    assert run.names == ["get_status"] and "0.28 s" in run.answer
