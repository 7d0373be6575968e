"""Drift shear of a lattice: a sheared cell is flagged, and two frames with orthogonal fast axes give the true cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastmcp import Client

from copilot.analysis.errors import AnalysisError
from copilot.analysis.lattice import measure_lattice
from copilot.analysis.lattice_drift import corrected_lattice
from copilot.session import Session
from copilot.tools.server import create_server
from copilot.twin import Microscope

SRTIO3_A_NM = 0.3905


@pytest.mark.parametrize(("seed", "drift_nm_per_s"), [(0, 0.3), (1, 1.0), (2, 2.0)])
def test_two_frames_with_orthogonal_scans_give_the_srtio3_cell_within_half_a_percent(
    seed: int, drift_nm_per_s: float
) -> None:
    scope = Microscope("srtio3", seed=seed, drift_nm_per_s=drift_nm_per_s)
    scope.set_scan(fov_nm=8.0, pixels=512)
    first = scope.acquire_image()
    scope.set_scan(rotation_deg=90.0)
    second = scope.acquire_image()
    if drift_nm_per_s <= 1.0:  # a few % of shear: told from a square cell; a strong one looks like an oblique cell
        single = measure_lattice(first.data, first.pixel_size_nm)
        assert not single.reliable and "slow scan" in single.reliability_note
    cell = corrected_lattice(first.data, second.data, first.pixel_size_nm, 0.0, 90.0)
    assert cell.a_nm == pytest.approx(SRTIO3_A_NM, rel=0.005)
    assert cell.b_nm == pytest.approx(SRTIO3_A_NM, rel=0.005)
    assert cell.gamma_deg == pytest.approx(90.0, abs=0.3)
    assert cell.a_uncertainty_nm < 0.005 * SRTIO3_A_NM


def test_a_lattice_without_drift_is_reliable() -> None:
    scope = Microscope("srtio3", seed=0, drift_nm_per_s=0.0)
    scope.set_scan(fov_nm=8.0, pixels=512)
    frame = scope.acquire_image()
    cell = measure_lattice(frame.data, frame.pixel_size_nm)
    assert cell.reliable, cell.reliability_note
    assert cell.a_nm == pytest.approx(SRTIO3_A_NM, rel=0.005)


def test_frames_with_parallel_fast_axes_cannot_correct_drift() -> None:
    scope = Microscope("srtio3", seed=0)
    scope.set_scan(fov_nm=8.0, pixels=128)
    a, b = scope.acquire_image(), scope.acquire_image()
    with pytest.raises(AnalysisError, match="parallel"):
        corrected_lattice(a.data, b.data, a.pixel_size_nm, 0.0, 180.0)


async def test_measure_lattice_names_the_fast_axis_and_corrects_drift_from_a_rotated_frame(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="srtio3", seed=0)
    scope = session.instrument
    assert isinstance(scope, Microscope)
    scope.set_drift(1.0)
    async with Client(create_server(session)) as client:
        await client.call_tool("set_scan", {"fov_nm": 8.0, "pixels": 512})
        first = (await client.call_tool("acquire_image", {})).structured_content
        await client.call_tool("set_scan", {"rotation_deg": 90.0})
        second = (await client.call_tool("acquire_image", {})).structured_content
        assert first is not None and second is not None
        single = (await client.call_tool("measure_lattice", {"acq_id": first["id"]})).structured_content
        both = (
            await client.call_tool("measure_lattice", {"acq_id": first["id"], "rotated_acq_id": second["id"]})
        ).structured_content
    session.close()
    assert single is not None and both is not None
    assert single["fast_scan_axis"] == "x" and not single["reliable"] and not single["drift_corrected"]
    assert both["drift_corrected"] and both["rotated_acquisition_id"] == second["id"]
    assert both["a_nm"] == pytest.approx(SRTIO3_A_NM, rel=0.005)
    assert both["b_nm"] == pytest.approx(SRTIO3_A_NM, rel=0.005)
