"""A low-dose session's words: currents in fA, the dose one frame would give (the instrument's planned dose),
"among your specimens", an averaging width of a line, a filter's length scale, a background's order, a patch of a
topograph, "no electrons needed", "compare their sharpness", a new tip "put in", lines per second, and a label
before a question ("Dose budget check: ...")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from copilot.session import Session
from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("Drop the probe current to 600 fA for the dose series.", [("set_beam", {"current_pa": 0.6})]),
        ("Anything like a zeolite among your specimens? Show me what you have.", [("list_specimens", {})]),
        (
            "Line profile on the newest frame from (2, 3) nm to (14, 9) nm, averaged over 0.4 nm.",
            [
                ("list_acquisitions", {}),
                (
                    "line_profile",
                    {"x0_nm": 2.0, "y0_nm": 3.0, "x1_nm": 14.0, "y1_nm": 9.0, "width_nm": 0.4, "acq_id": "a0005"},
                ),
            ],
        ),
        (
            "Median-filter the latest frame with a 0.12 nm length scale.",
            [
                ("list_acquisitions", {}),
                ("denoise_image", {"method": "median", "strength_nm": 0.12, "acq_id": "a0005"}),
            ],
        ),
        (
            "line profile across the middle of the last image, 1 nm wide",
            [
                ("list_acquisitions", {}),
                (
                    "line_profile",
                    {"x0_nm": 0.0, "y0_nm": 10.0, "x1_nm": 20.0, "y1_nm": 10.0, "width_nm": 1.0, "acq_id": "a0005"},
                ),
            ],
        ),
    ],
)
def test_low_dose_requests_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "There's bow in the last topograph - flatten it with a third-order background.",
            [("list_acquisitions", {}), ("plane_level", {"order": 3, "acq_id": "a0005"})],
        ),
        (
            "On my latest topograph, the roughness of a 200 nm x 200 nm patch starting at (100, 300) nm.",
            [
                ("list_acquisitions", {}),
                ("roughness", {"x_nm": 100.0, "y_nm": 300.0, "width_nm": 200.0, "height_nm": 200.0, "acq_id": "a0005"}),
            ],
        ),
    ],
)
def test_afm_analysis_options_are_read(text: str, calls: Calls) -> None:
    assert drive(text, afm()).calls == calls


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "A new 2.4 µm scan with height and phase, then the area fraction of each phase - no electrons needed here.",
            ["set_afm_scan", "get_status", "approach", "acquire_afm_image", "domain_fraction"],
        ),
        (
            "The tip has gone blunt: retract, put in a new one, approach, image, then check it for tip artefacts.",
            ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image", "tip_artifact_check"],
        ),
        (
            "1.2 µm scan at 0.8 lines per second, engage, one topograph, and its roughness.",
            ["set_afm_scan", "get_status", "approach", "acquire_afm_image", "roughness"],
        ),
    ],
)
def test_afm_sequences_in_low_dose_words(text: str, names: list[str]) -> None:
    run = drive(text, afm())
    assert run.names == names
    if "lines per second" in text:
        assert run.args("set_afm_scan") == {"size_nm": 1200.0, "rate_hz": 0.8}


def test_a_through_focus_pair_whose_sharpness_is_compared_scores_both() -> None:
    run = drive("record at 18 nm underfocus and at 18 nm overfocus, and compare their sharpness")
    assert run.names == ["set_optics", "acquire_image"] * 2 + ["focus_quality"] * 2


def test_a_question_after_a_label_is_answered_from_the_status() -> None:
    run = drive("Dose budget check: how much of the session budget is left?")
    assert run.names == ["get_status"] and "remain" in run.answer


def test_the_dose_of_one_frame_is_the_dose_the_instrument_plans(tmp_path: Path) -> None:
    """Measured against the twin: the figure the answer gives is the instrument's own planned frame dose."""
    session = Session(tmp_path / "data", specimen="mos2", seed=0)
    try:
        planned = session.instrument.planned_dose_e_per_A2()
        run = drive(
            "What would one frame cost in dose at the present settings?", {"get_status": lambda args: session.status()}
        )
    finally:
        session.close()
    said = float(re.search(r"about ([\d.]+) e⁻/Å²", run.answer).group(1))  # type: ignore[union-attr]
    assert run.names == ["get_status"]
    assert said == pytest.approx(float(f"{planned:.2g}"))
