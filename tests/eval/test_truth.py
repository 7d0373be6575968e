"""Ground-truth providers read the twin in process: golden values, edge margins, damage after overexposure."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from copilot.eval import truth
from copilot.session import Session


def test_lattice_and_first_order_spacings_are_the_specimen_constants(tmp_path: Path) -> None:
    sto = Session(tmp_path / "sto", specimen="srtio3", seed=1)
    graphene = Session(tmp_path / "g", specimen="graphene", seed=1)
    assert truth.compute(sto, [("lattice_a_nm", {})]) == {"lattice_a_nm": 0.3905}
    assert truth.compute(sto, [("first_order_spacing_nm", {})])["first_order_spacing_nm"] == 0.3905
    assert truth.compute(graphene, [("first_order_spacing_nm", {})])["first_order_spacing_nm"] == pytest.approx(
        0.246 * math.sqrt(3) / 2
    )


def test_atoms_in_fov_drop_when_an_edge_margin_is_asked_for(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="srtio3", seed=1)
    session.set_scan(fov_nm=4.0)
    everything = truth.compute(session, [("atoms_in_fov", {})])["atoms_in_fov"]
    inner = truth.compute(session, [("atoms_in_fov", {"margin_nm": 0.5})])["atoms_in_fov"]
    assert 0 < inner < everything
    assert inner / everything == pytest.approx((3.0 / 4.0) ** 2, rel=0.15)


def test_stacked_atoms_of_one_projected_column_count_once() -> None:
    ti_o_column = [[1.0, 1.0], [1.0, 1.0]]
    neighbours = [[1.0 + 0.1952, 1.0], [1.0, 1.0 + 0.1952]]
    assert truth.distinct_columns(np.array(ti_o_column + neighbours)) == 3
    assert truth.distinct_columns(np.zeros((0, 2))) == 0


def test_srtio3_columns_are_counted_as_the_image_shows_them(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="srtio3", seed=1)
    session.set_scan(fov_nm=4.0)
    columns = truth.compute(session, [("atoms_in_fov", {})])["atoms_in_fov"]
    cells = (4.0 / 0.3905) ** 2
    assert columns == pytest.approx(4 * cells, rel=0.1)  # Sr, Ti-O and two O columns per [001] cell


def test_damage_is_zero_until_an_approved_overexposure_knocks_atoms_out(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="mos2", seed=3)
    assert truth.measure(session).damaged_atoms == 0
    session.set_scan(fov_nm=4.0, pixels=256, dwell_us=1000.0)  # 2.6e6 e-/A^2 at 80 kV: ~5 % of the S sputtered
    session.acquire_image(approved=True)
    after = truth.measure(session)
    assert after.damaged_atoms > 0 and after.dose_e_per_A2 > 1e6


def test_an_unknown_ground_truth_name_is_a_clear_error(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="graphene", seed=1)
    with pytest.raises(KeyError, match="no ground-truth provider 'vibes'"):
        truth.compute(session, [("vibes", {})])
