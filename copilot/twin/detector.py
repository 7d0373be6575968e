"""Detector channels: how much of the beam a column sends onto the HAADF annulus or out of the bright-field disc.

A column of ``n`` atoms of one element contributes an effective cross-section, summed over the rings ``r`` of
the channelling table that the annulus theta1..theta2 covers (a ring partly covered counts with its covered part):

    S = n * sum_r sigma(Z, kV, ring r within theta1..theta2) * g_r(crystal, element, n, kV)       (nm^2)

``sigma`` is the single-atom elastic cross-section (Lobato form factors, see :mod:`copilot.twin.scattering`);
``g_r`` is the channelling factor of that column type at that depth on ring ``r``, tabulated from frozen-phonon
multislice (:mod:`copilot.twin.tables.channelling`; 1 for isolated atoms and amorphous material). The detected
fraction at probe position R is ``sum_columns S * P(R - r_column)`` with ``P`` the probe intensity density, so
the signal depends on both detector angles and falls with the beam energy. The table was made with a 30 mrad
probe; other convergence angles use it as it is.

Bright field: ``V * exp(-sum S_escape P)`` for amorphous material and monolayers (with the weak-phase contrast of
:mod:`copilot.twin.bright_field`), and for the columns of a thick crystal with a bright-field table (SrTiO3)
``- sum S_bf P`` with the signed cross-sections of :mod:`copilot.twin.tables.bright_field`, which carry the
dynamical diffraction that sends up to a third of the beam into the disc on its O columns.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from copilot.twin.scattering import annular_cross_section_nm2
from copilot.twin.tables.bright_field import BRIGHT_FIELD, DISCS_MRAD
from copilot.twin.tables.channelling import CHANNELLING, RINGS_MRAD

ATOM_BLUR_NM = 0.008
"""Thermal vibration of the atoms (root-mean-square displacement), as a Gaussian standard deviation."""
ESCAPE_MRAD = 1000.0
"""Outer angle of the scattering that leaves the bright-field disc (effectively all high-angle scattering)."""
HAADF_RANGE_MRAD = (RINGS_MRAD[0], RINGS_MRAD[-1])
"""Angles the channelling table covers: the HAADF annulus must lie within them."""
_ENERGIES_KV = (80.0, 200.0)


@lru_cache(maxsize=256)
def ring_weights_nm2(element: str, energy_kv: float, inner_mrad: float, outer_mrad: float) -> np.ndarray:
    """Single-atom cross-section (nm^2) of the part of each table ring that lies inside the annulus."""
    parts = [(max(lo, inner_mrad), min(hi, outer_mrad)) for lo, hi in itertools.pairwise(RINGS_MRAD)]
    return np.array([annular_cross_section_nm2(element, energy_kv, a, b) if b > a else 0.0 for a, b in parts])


def channelling(crystal: str | None, element: str, count: np.ndarray, energy_kv: float) -> np.ndarray | None:
    """Channelling factors g (columns x rings) of columns of ``count`` atoms of ``element`` in ``crystal``, or
    None when the crystal or the element is not tabulated (g = 1)."""
    table = CHANNELLING.get(crystal or "")
    if table is None or element not in table:
        return None
    n = np.asarray(count, dtype=np.float64).reshape(-1)
    cells = np.asarray(table["cells"], dtype=np.float64)
    by_kv = table[element]
    out = []
    for kv in _ENERGIES_KV:
        g = np.asarray(by_kv[int(kv)], dtype=np.float64)  # type: ignore[index]  # (cells, rings)
        out.append(np.stack([np.interp(n, cells, g[:, r]) for r in range(g.shape[1])], axis=-1))
    w = float(np.clip((energy_kv - _ENERGIES_KV[0]) / (_ENERGIES_KV[1] - _ENERGIES_KV[0]), 0.0, 1.0))
    return (1.0 - w) * out[0] + w * out[1]


@dataclass(frozen=True)
class Contrast:
    """One detector channel for one crystal: annulus (mrad) at a beam energy."""

    energy_kv: float
    inner_mrad: float
    outer_mrad: float
    crystal: str | None = None
    thick_crystal: str | None = None
    """Leave out this crystal's columns that the thick-crystal bright-field table covers (they come from
    :class:`ThickBrightField`)."""

    def atom_nm2(self, element: str) -> float:
        """Single-atom cross-section for the annulus (nm^2)."""
        return annular_cross_section_nm2(element, self.energy_kv, self.inner_mrad, self.outer_mrad)

    def column_nm2(self, element: str, count: np.ndarray | float, crystalline: bool = True) -> np.ndarray:
        """Effective cross-section (nm^2) of columns of ``count`` atoms; ``crystalline=False`` for amorphous
        material and isolated atoms (no channelling)."""
        n = np.asarray(count, dtype=np.float64)
        if crystalline and self.thick_crystal and thick_bright_field_covers(self.thick_crystal, element):
            return np.zeros_like(n)
        g = channelling(self.crystal if crystalline else None, element, n, self.energy_kv)
        if g is None:
            return n * self.atom_nm2(element)
        weights = ring_weights_nm2(element, self.energy_kv, self.inner_mrad, self.outer_mrad)
        return n * (g @ weights).reshape(n.shape)


def haadf_contrast(energy_kv: float, inner_mrad: float, outer_mrad: float, crystal: str | None) -> Contrast:
    """The HAADF annulus."""
    return Contrast(energy_kv, inner_mrad, outer_mrad, crystal)


def escape_contrast(energy_kv: float, convergence_mrad: float, bf_outer_mrad: float, crystal: str | None) -> Contrast:
    """Scattering beyond the probe cone, or beyond the bright-field disc when that is the larger: it can no
    longer reach the disc. No channelling factor: the bright-field signal ``exp(-sum S P)`` saturates by itself.
    Columns of thick crystals with a bright-field table are left to :class:`ThickBrightField`."""
    return Contrast(energy_kv, max(convergence_mrad, bf_outer_mrad), ESCAPE_MRAD, thick_crystal=crystal)


def thick_bright_field_covers(crystal: str | None, element: str) -> bool:
    """True when the thick-crystal bright-field table has columns of ``element`` in ``crystal``."""
    table = BRIGHT_FIELD.get(crystal or "")
    return table is not None and element in table


@dataclass(frozen=True)
class ThickBrightField(Contrast):
    """Bright field of the columns of a thick crystal, from multislice: the signed cross-section (nm^2) a column
    of ``n`` atoms takes out of a disc of ``outer_mrad`` (negative where dynamical diffraction sends more of the
    beam into the disc than the vacuum probe puts there). Nothing for amorphous material or other crystals."""

    def atom_nm2(self, element: str) -> float:
        return 0.0

    def column_nm2(self, element: str, count: np.ndarray | float, crystalline: bool = True) -> np.ndarray:
        n = np.asarray(count, dtype=np.float64)
        if not crystalline or not thick_bright_field_covers(self.crystal, element):
            return np.zeros_like(n)
        table = BRIGHT_FIELD[self.crystal or ""]
        cells = np.concatenate([[0.0], np.asarray(table["cells"], dtype=np.float64)])
        discs = np.concatenate([[0.0], np.asarray(DISCS_MRAD)])
        disc = float(np.clip(self.outer_mrad, 0.0, discs[-1]))
        by_kv = []
        for kv in _ENERGIES_KV:
            s = np.asarray(table[element][int(kv)], dtype=np.float64)  # type: ignore[index]  # (cells, discs)
            s = np.pad(s, ((1, 0), (1, 0)))  # nothing at zero depth or a zero disc
            at_disc = np.array([np.interp(disc, discs, row) for row in s])
            by_kv.append(np.interp(n, cells, at_disc))
        w = float(np.clip((self.energy_kv - _ENERGIES_KV[0]) / (_ENERGIES_KV[1] - _ENERGIES_KV[0]), 0.0, 1.0))
        return (1.0 - w) * by_kv[0] + w * by_kv[1]


def thick_bright_field(energy_kv: float, bf_outer_mrad: float, crystal: str | None) -> ThickBrightField | None:
    """The thick-crystal bright-field channel of a crystal with a table, else None."""
    return ThickBrightField(energy_kv, 0.0, bf_outer_mrad, crystal) if crystal in BRIGHT_FIELD else None
