"""The set_detectors tool: validated collection angles (a refused call changes nothing) that the signals follow."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from fastmcp import Client

from copilot.session import Session
from copilot.twin import Microscope
from copilot.twin.detector import HAADF_RANGE_MRAD
from copilot.twin.dose import electrons
from copilot.twin.eels import angular_factor
from copilot.twin.errors import InvalidSettingError
from tests.twin.helpers import clear_spot

REFUSED: list[dict[str, Any]] = [
    {"haadf_inner_mrad": 30.0},  # below the table and inside the 30 mrad probe cone
    {"haadf_outer_mrad": 400.0},  # beyond the tabulated rings
    {"haadf_inner_mrad": 200.0, "haadf_outer_mrad": 150.0},
    {"haadf_inner_mrad": 120.0, "haadf_outer_mrad": 120.0},
    {"bf_outer_mrad": 0.0},
    {"bf_outer_mrad": "wide"},
    {"eels_collection_mrad": 500.0},
    {"eels_collection_mrad": "NaN"},
    {"haadf_inner_mrad": 60.0, "eels_collection_mrad": -1.0},  # one bad argument: the good one is not applied
]


def _detectors(session: Session) -> dict[str, Any]:
    return dict(session.instrument.snapshot()["detectors"])


async def test_the_tool_sets_every_collection_angle_and_the_status_shows_them(
    client: Client[Any], session: Session
) -> None:
    args = {"haadf_inner_mrad": 60.0, "haadf_outer_mrad": 200.0, "bf_outer_mrad": 6.0, "eels_collection_mrad": 35.0}
    reply = (await client.call_tool("set_detectors", args)).structured_content
    assert {k: reply["settings"]["detectors"][k] for k in args} == args
    status = (await client.call_tool("get_status")).structured_content
    assert {k: status["settings"]["detectors"][k] for k in args} == args
    await client.call_tool("set_detectors", {"bf_outer_mrad": 12.0})  # the others keep their value
    assert _detectors(session)["bf_outer_mrad"] == 12.0
    assert _detectors(session)["haadf_inner_mrad"] == 60.0


@pytest.mark.parametrize("args", REFUSED, ids=[str(i) for i in range(len(REFUSED))])
async def test_a_refused_detector_setting_changes_nothing(
    client: Client[Any], session: Session, args: dict[str, Any]
) -> None:
    before = session.instrument.snapshot()
    result = await client.call_tool("set_detectors", args, raise_on_error=False)
    assert result.is_error
    assert session.instrument.snapshot() == before


async def test_the_schema_states_the_ranges_the_tables_cover(client: Client[Any]) -> None:
    tool = next(t for t in await client.list_tools() if t.name == "set_detectors")
    inner = tool.input_schema["properties"]["haadf_inner_mrad"]["anyOf"][0]
    assert (inner["minimum"], inner["maximum"]) == HAADF_RANGE_MRAD
    assert "mrad" in tool.input_schema["properties"]["eels_collection_mrad"]["description"]


def test_the_annulus_must_clear_the_probe_cone_whichever_is_set_first() -> None:
    m = Microscope("graphene", seed=0, noise=False)
    m.set_detectors(haadf_inner_mrad=45.0)
    before = m.snapshot()
    with pytest.raises(InvalidSettingError, match="convergence"):
        m.set_optics(convergence_mrad=48.0, defocus_nm=3.0)
    assert m.snapshot() == before
    m.set_detectors(haadf_inner_mrad=80.0)
    m.set_optics(convergence_mrad=48.0)
    with pytest.raises(InvalidSettingError, match="convergence"):
        m.set_detectors(haadf_inner_mrad=45.0)
    assert m.snapshot()["detectors"]["haadf_inner_mrad"] == 80.0


def _graphene_area() -> Microscope:
    m = Microscope("graphene", seed=0, noise=False, drift_nm_per_s=0.0)
    x, y = clear_spot(m.specimen, 8.0)
    m.move_stage(x_um=x / 1000.0, y_um=y / 1000.0)
    m.set_scan(fov_nm=4.0, pixels=128)
    return m


@pytest.mark.parametrize("split", [100.0, 93.0, 61.5])
def test_the_haadf_signal_is_the_sum_of_the_annuli_it_is_made_of(split: float) -> None:
    """Two detectors that share an edge (on a table ring edge or inside a ring) collect what the one annulus
    they make up collects, over isolated atoms and over a thick crystal."""
    for name in ("graphene", "srtio3"):
        whole = _haadf_frame(name, 40.0, 250.0)
        parts = _haadf_frame(name, 40.0, split) + _haadf_frame(name, split, 250.0)
        assert np.abs(parts - whole).max() < 1e-4 * whole.max()
        assert _haadf_frame(name, 40.0, split).mean() > 0.05 * whole.mean()


def _haadf_frame(name: str, inner: float, outer: float) -> np.ndarray:
    m = Microscope(name, seed=0, noise=False, drift_nm_per_s=0.0)
    x, y = clear_spot(m.specimen, 8.0, (300.0, 0.0) if name == "srtio3" else (0.0, 0.0))
    m.move_stage(x_um=x / 1000.0, y_um=y / 1000.0)
    m.set_scan(fov_nm=2.0, pixels=64)
    m.set_detectors(haadf_inner_mrad=inner, haadf_outer_mrad=outer)
    return m.acquire_image("HAADF").data.astype(np.float64)


def test_the_bright_field_disc_setting_is_read() -> None:
    m = _graphene_area()
    hole = m.specimen.holes[0]
    m.move_stage(x_um=hole.center_nm[0] / 1000.0, y_um=hole.center_nm[1] / 1000.0)
    m.set_scan(fov_nm=0.5 * hole.radius_nm, pixels=32)
    st = m.state
    n = electrons(st.beam.current_pa, st.scan.dwell_us * 1e-6) * st.detectors.dqe
    fractions = []
    for bf in (5.0, 15.0):
        m.set_detectors(bf_outer_mrad=bf)
        fractions.append(float(m.acquire_image("BF").data.mean()) / n)
    assert fractions == pytest.approx([(5.0 / 30.0) ** 2, (15.0 / 30.0) ** 2], rel=0.03)


def test_an_eels_edge_grows_with_the_collection_angle_as_the_bethe_factor() -> None:
    """C-K of graphene at 10 and 40 mrad: the edge above its background scales with ln(1 + (beta/theta_E)^2)
    (capped at the Bethe ridge), the low-loss part with the Malis mean free path."""
    m = Microscope("graphene", seed=0, noise=False, drift_nm_per_s=0.0)
    x, y = clear_spot(m.specimen, 8.0)
    m.move_stage(x_um=x / 1000.0, y_um=y / 1000.0)
    m.set_scan(fov_nm=4.0)
    edge = []
    for beta in (10.0, 40.0):
        m.set_detectors(eels_collection_mrad=beta)
        s = m.acquire_spectrum("EELS", 2.0, 2.0, dwell_ms=10.0)
        e, c = s.energy_eV, s.counts
        above = (e > 300.0) & (e < 320.0)
        below = (e > 260.0) & (e < 280.0)
        edge.append(float(c[above].mean() - c[below].mean()))
    kv = m.state.beam.energy_kv
    loss = np.array([310.0])
    expected = float(angular_factor(loss, kv, 40.0)[0] / angular_factor(loss, kv, 10.0)[0])
    assert expected > 1.2 and math.isfinite(expected)
    assert edge[1] / edge[0] == pytest.approx(expected, rel=0.1)
