"""Golden numbers: STEM analysis on frames of the STEM twin against its ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.analysis.atoms import find_atoms
from copilot.analysis.lattice import measure_lattice
from copilot.twin import Microscope

MARGIN_NM = 0.3  # columns cut by the image border are left out of both counts


def _focused(specimen: str, fov_nm: float, pixels: int, dwell_us: float) -> Microscope:
    m = Microscope(specimen, seed=0, drift_nm_per_s=0.0)  # a still specimen: the truth box is the imaged area
    m.set_scan(fov_nm=fov_nm, pixels=pixels, dwell_us=dwell_us)
    m.set_optics(defocus_nm=m.true_focus_defocus_nm())
    return m


def test_graphene_atom_count_matches_the_ground_truth_within_five_percent() -> None:
    m = _focused("graphene", 4.0, 256, 20.0)
    frame = m.acquire_image()
    found = find_atoms(frame.data, frame.pixel_size_nm)
    inside = np.all((found.positions_nm > MARGIN_NM) & (found.positions_nm < 4.0 - MARGIN_NM), axis=1)
    half = 2.0 - MARGIN_NM
    truth = m.ground_truth_atoms(-half, -half, half, half)
    assert int(inside.sum()) == pytest.approx(len(truth), rel=0.05)


def test_srtio3_lattice_spacing_is_within_two_percent() -> None:
    # A short frame (1 s): drift during a long one shears the cell by a few per cent, as on a real instrument.
    m = _focused("srtio3", 8.0, 512, 4.0)
    frame = m.acquire_image()
    lattice = measure_lattice(frame.data, frame.pixel_size_nm)
    assert lattice.a_nm == pytest.approx(0.3905, rel=0.02)
    assert lattice.b_nm == pytest.approx(0.3905, rel=0.02)
    assert lattice.gamma_deg == pytest.approx(90.0, abs=3.0)
