"""An AFM scan is set before the status is read, as operators set the scan and then engage; the tip still lands
only after the status says it is withdrawn, and a scan that needs the status (a limit, a specimen change, STEM
words too) waits for it."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


@pytest.mark.parametrize(
    ("text", "scan"),
    [
        ("take a topography image at 2 Hz", {"rate_hz": 2.0}),
        ("step height from a new 1.5 µm scan", {"size_nm": 1500.0}),
        ("image the surface at 1 Hz, 512 lines", {"pixels": 512, "rate_hz": 1.0}),
    ],
)
def test_the_scan_is_set_first_then_the_status_then_the_approach(text: str, scan: dict[str, float]) -> None:
    run = drive(text, afm())
    assert run.calls[0] == ("set_afm_scan", scan)
    assert run.names[1:3] == ["get_status", "approach"] and run.names.count("set_afm_scan") == 1


def test_an_engaged_tip_is_not_approached_again_after_the_scan_is_set() -> None:
    engaged = {**afm()["get_status"]({}), "settings": {**afm()["get_status"]({})["settings"], "engaged": True}}
    run = drive("take a topography image at 2 Hz", {"get_status": lambda args: engaged})
    assert run.names == ["set_afm_scan", "get_status", "acquire_afm_image"]


@pytest.mark.parametrize(
    "text",
    [
        "scan 2 µm at 1 Hz but keep the line rate under 0.5 Hz",  # a limit is checked against the status first
        "take a HAADF at 2 Hz",  # STEM words too: the loaded instrument decides
    ],
)
def test_a_scan_that_needs_the_status_waits_for_it(text: str) -> None:
    assert drive(text, afm()).names[0] == "get_status"


def test_a_negation_of_gain_changes_forbids_the_tuning() -> None:
    run = drive("roughness of a new 500 nm scan, no gains changes", afm())
    assert "set_feedback" not in run.names and run.names[-1] == "roughness"
