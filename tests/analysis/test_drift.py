"""Drift between two frames: rate and direction against the twin's true motion, the interval read from the
acquisitions' start times, and an honest verdict when a lattice makes the shift ambiguous."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from fastmcp import Client

from copilot.analysis.drift import estimate_drift
from copilot.bench.accuracy_scan import drift_case
from copilot.session import Session
from copilot.tools.server import create_server
from copilot.twin import Microscope


@pytest.mark.xfail(strict=True, reason="known limit: an aliased shift on pristine SrTiO3 (seed 2) is not flagged")
def test_a_pristine_crystal_moved_by_more_than_half_a_cell_is_not_reliable() -> None:
    scope = Microscope("srtio3", seed=2, drift_nm_per_s=2.0)
    scope.set_scan(fov_nm=8.0, pixels=256)
    first, second = scope.acquire_image(), scope.acquire_image()
    drift = estimate_drift(first.data, second.data, first.pixel_size_nm, second.started_s - first.started_s)
    assert not drift.reliable
    assert "modulo a lattice vector" in drift.reliability_note


def test_drift_rate_is_within_15_percent_and_direction_within_15_degrees_of_the_truth() -> None:
    outcome = drift_case(seed=1, drift_nm_per_s=1.0)
    assert outcome.reliable and outcome.ok, outcome


def test_a_shift_too_noisy_for_the_rate_target_is_not_reliable() -> None:
    outcome = drift_case(seed=0, drift_nm_per_s=0.5)  # under half a count per pixel: the shift is known to ~25 %
    assert not outcome.reliable and outcome.ok, outcome


async def test_estimate_drift_reads_the_interval_from_the_start_times(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="gold_nanoparticles", seed=1)
    async with Client(create_server(session)) as client:
        await client.call_tool("set_scan", {"fov_nm": 50.0, "pixels": 128})
        for _ in range(3):
            await client.call_tool("acquire_image", {})
        drift = await client.call_tool("estimate_drift", {"first_acq_id": "a0001", "second_acq_id": "a0003"})
        override = await client.call_tool(
            "estimate_drift", {"first_acq_id": "a0001", "second_acq_id": "a0003", "dt_s": 10.0}
        )
        with pytest.raises(Exception, match="positive interval"):
            await client.call_tool("estimate_drift", {"first_acq_id": "a0003", "second_acq_id": "a0001"})
    starts = [float(session.get_acquisition(i).metadata["started_s"]) for i in ("a0001", "a0003")]
    session.close()
    d, o = drift.structured_content, override.structured_content
    assert d is not None and o is not None
    assert d["dt_s"] == pytest.approx(starts[1] - starts[0])
    assert o["dt_s"] == 10.0 and o["rate_nm_per_s"] == pytest.approx(math.hypot(d["dx_nm"], d["dy_nm"]) / 10.0)
    assert 0.0 <= d["direction_deg"] < 360.0
