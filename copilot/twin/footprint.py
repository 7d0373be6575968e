"""What a parked probe sees: the footprint-weighted areal density of each element around it.

Each spectrum feature (an EELS edge, an EDS line or an element's bremsstrahlung) samples the atoms around the probe
position with a Gaussian footprint: the probe, the delocalisation of that energy loss (d50 = 0.5 lambda /
theta_E^(3/4)) and the beam broadening through the specimen (Goldstein single scattering, depth-averaged) added
in quadrature. The footprint-weighted areal density (atoms/nm^2) times a cross-section (nm^2) is the signal per
electron, so a thick crystal shows its neighbouring columns and a monolayer shows its composition wherever the
probe sits. Beam damage is applied (the atoms the beam removed are gone) and beam-grown contamination adds
carbon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from copilot.twin.damage import surviving_atoms
from copilot.twin.electron import pv_eV
from copilot.twin.elements import ATOMIC_NUMBER
from copilot.twin.imaging import Scene
from copilot.twin.probe import Aberrations, probe_size_nm, wavelength_nm
from copilot.twin.specimens.base import AMORPHOUS_C_PER_NM3
from copilot.twin.state import InstrumentState

AVOGADRO = 6.02214076e23
FOOTPRINT_SEARCH_NM = 1.0
"""Atoms farther than this from the probe do not contribute (3 sigma of the widest footprint)."""
MAX_SHARED_COLUMNS = 1_000_000
CHUNK_POINTS = 4096

Feature = tuple[str, float]
"""An element and the energy (eV) that sets its delocalisation; inf for bremsstrahlung (no delocalisation)."""


@dataclass(frozen=True)
class Footprint:
    """Areal densities (N, F) of the features' elements at N points, the thickness there and the part of it
    that beam-grown contamination makes (nm)."""

    densities: np.ndarray
    thickness_nm: np.ndarray
    grown_nm: np.ndarray


def probe_radius_nm(state: InstrumentState, aberrations: Aberrations) -> float:
    return probe_size_nm(aberrations, state.beam.energy_kv, state.optics.convergence_mrad * 1e-3) / 2


def delocalisation_sigma_nm(energy_eV: float, energy_kv: float) -> float:
    """Gaussian sigma of the inelastic delocalisation of a loss ``energy_eV``: d50 = 0.5 lambda / theta_E^(3/4)."""
    if not math.isfinite(energy_eV):
        return 0.0
    theta_e = energy_eV / pv_eV(energy_kv)
    return 0.5 * wavelength_nm(energy_kv) / theta_e**0.75 / 2.355


def broadening_sigma_nm(z_mean: np.ndarray, mol_per_cm3: np.ndarray, thickness_nm: np.ndarray, kv: float) -> np.ndarray:
    """Depth-averaged sigma of the beam broadening (Goldstein: b = 7.21e5 Z/E0 (rho/A)^1/2 t^3/2, cgs, eV)."""
    b_cm = 7.21e5 * z_mean / (kv * 1e3) * np.sqrt(mol_per_cm3) * (thickness_nm * 1e-7) ** 1.5
    return b_cm * 1e7 / (2 * 2.146) / 2  # 90 % radius -> sigma at the exit surface -> rms over the depth


def footprint(
    state: InstrumentState, scene: Scene, aberrations: Aberrations, pts: np.ndarray, features: list[Feature]
) -> Footprint:
    """Footprint-weighted areal density (atoms/nm^2) of each feature's element at specimen points (N, 2)."""
    specimen, ledger = scene.specimen, scene.ledger
    kv = state.beam.energy_kv
    r = FOOTPRINT_SEARCH_NM
    box = (pts[:, 0].min() - r, pts[:, 1].min() - r, pts[:, 0].max() + r, pts[:, 1].max() + r)
    grown = np.zeros(len(pts))
    for e in ledger.near(box):
        grown += e.contamination_nm * e.covers(pts[:, 0], pts[:, 1])
    thickness = np.array([specimen.thickness_nm(float(x), float(y)) for x, y in pts]) + grown
    elements = sorted(ATOMIC_NUMBER)
    z_of = np.array([ATOMIC_NUMBER[e] for e in elements], dtype=np.float64)
    feat_el = np.array([elements.index(el) for el, _ in features])
    deloc2 = np.array([delocalisation_sigma_nm(en, kv) ** 2 for _, en in features])
    probe2 = (probe_radius_nm(state, aberrations) * 2 / 2.355) ** 2
    dens = np.zeros((len(pts), len(features)))
    compact = (box[2] - box[0]) * (box[3] - box[1]) * specimen.columns_per_nm2 <= MAX_SHARED_COLUMNS
    groups = (
        np.array_split(np.arange(len(pts)), max(1, len(pts) // CHUNK_POINTS))
        if compact
        else np.arange(len(pts))[:, None]
    )
    for idx in groups:
        sel = pts[idx]
        atoms = surviving_atoms(
            specimen, ledger, (sel[:, 0].min() - r, sel[:, 1].min() - r, sel[:, 0].max() + r, sel[:, 1].max() + r)
        )
        if len(atoms) == 0:
            continue
        hits = cKDTree(atoms.xy_nm).query_ball_point(sel, r)
        lens = np.array([len(h) for h in hits])
        if lens.sum() == 0:
            continue
        pt = np.repeat(np.arange(len(idx)), lens)
        at = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
        r2 = np.sum((atoms.xy_nm[at] - sel[pt]) ** 2, axis=1)
        col = np.searchsorted(elements, atoms.elements)[at]
        cnt = atoms.count[at].astype(np.float64)
        n_atoms = np.bincount(pt, cnt, len(idx))
        z_mean = np.bincount(pt, cnt * z_of[col], len(idx)) / np.maximum(n_atoms, 1.0)
        t = np.maximum(thickness[idx], 1e-3)
        mol_per_cm3 = n_atoms / (math.pi * r * r * t) * 1e21 / AVOGADRO
        broad2 = broadening_sigma_nm(z_mean, mol_per_cm3, thickness[idx], kv) ** 2
        for f, el in enumerate(feat_el):
            mine = col == el
            s2 = (probe2 + deloc2[f] + broad2)[pt[mine]]
            w = cnt[mine] * np.exp(-r2[mine] / (2 * s2)) / (2 * math.pi * s2)
            dens[idx, f] = np.bincount(pt[mine], w, len(idx))
    carbon = np.array([el == "C" for el, _ in features])
    dens[:, carbon] += (grown * AMORPHOUS_C_PER_NM3)[:, None]
    return Footprint(dens, thickness, grown)
