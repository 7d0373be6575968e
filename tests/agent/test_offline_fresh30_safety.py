"""Requests of an industrial R&D lab that the planner acted on in a misread form, each now read as meant: an
overview label "of the coating cross-section:", an edge that "has slipped out of view" (why to zoom out, not a
particle to zoom on), "for the coating adhesion study" (no force curve) and "gains for the rough coating" (no
roughness)."""

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
            "Overview of the catalyst support: 4.2 µm field, 0.6 µs per pixel.",
            [("set_scan", {"fov_nm": 4200.0, "dwell_us": 0.6})],
        ),
        (
            "Zoom out slightly - the particle's edge has drifted out of the frame.",
            [("get_status", {}), ("set_scan", {"fov_nm": 64.0}), ("acquire_image", {})],
        ),
    ],
)
def test_rd_lab_remarks_ask_for_nothing_of_their_own(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Engage and record height and phase for the binder adhesion study.",
            [("get_status", {}), ("approach", {}), ("acquire_afm_image", {"channels": ["height", "phase"]})],
        ),
        ("Gains for the rough film: P 0.8 and I 6 per ms.", [("set_feedback", {"p_gain": 0.8, "i_gain_per_ms": 6.0})]),
    ],
)
def test_afm_context_words_start_no_analysis(text: str, calls: Calls) -> None:
    assert drive(text, afm()).calls == calls
