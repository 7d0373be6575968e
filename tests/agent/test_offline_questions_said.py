"""Questions about the instrument said as operators say them: C3 for Cs, the probe's semi-angle, the field being
scanned, a dose in e/Å², the AFM scan's size, the sample library, and a bare list of settings."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("what's the C3 at?", "Cs (spherical aberration) is 1 µm."),
        ("what semi-angle is the probe at?", "The convergence semi-angle is 30 mrad."),
        ("what field are we scanning?", "The field of view is 32 nm."),
        ("how many e/Å² can I still spend?", "99999988 e⁻/Å² remain"),
        ("HT and current, quickly", "The beam energy is 80 kV. The probe current is 30 pA."),
        ("dwell and pixels", "The dwell time is 4 µs per pixel."),
    ],
)
def test_a_question_is_answered_from_the_status_alone(text: str, said: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and said in run.answer


def test_the_afm_scan_size_is_a_question_about_the_afm_status() -> None:
    run = drive("how big is the AFM scan?", afm())
    assert run.names == ["get_status"] and "1000 nm" in run.answer


def test_the_sample_library_lists_the_specimens() -> None:
    assert drive("what's in the sample library?").names == ["list_specimens"]


@pytest.mark.parametrize(
    ("text", "tool"), [("focus", "autofocus"), ("focus please", "autofocus"), ("blank", "set_beam")]
)
def test_a_bare_verb_is_still_an_order_not_a_question(text: str, tool: str) -> None:
    assert drive(text).names == [tool]
