"""Detector channels: how much of the beam a column sends onto the HAADF annulus or out of the bright-field disc.

A column of ``n`` atoms of one element contributes an effective cross-section

    S = n * sigma(Z, kV, theta1, theta2) * g(crystal, element, n, kV)       (nm^2)

``sigma`` is the single-atom elastic cross-section for the annulus (Lobato form factors, see
:mod:`copilot.twin.scattering`); ``g`` is the channelling factor of that column type at that depth, tabulated
from frozen-phonon multislice (:mod:`copilot.twin.tables.channelling`; 1 for isolated atoms and amorphous
material). The detected fraction at probe position R is ``sum_columns S * P(R - r_column)`` with ``P`` the probe
intensity density, so the signal depends on the detector angles and falls with the beam energy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copilot.twin.scattering import annular_cross_section_nm2
from copilot.twin.tables.channelling import CHANNELLING

ATOM_BLUR_NM = 0.008
"""Thermal vibration of the atoms (root-mean-square displacement), as a Gaussian standard deviation."""
ESCAPE_MRAD = 1000.0
"""Outer angle of the scattering that leaves the bright-field disc (effectively all high-angle scattering)."""
_ENERGIES_KV = (80.0, 200.0)


def channelling(crystal: str | None, element: str, count: np.ndarray, energy_kv: float) -> np.ndarray:
    """Channelling factor g of columns of ``count`` atoms of ``element`` in ``crystal`` (1 when not tabulated)."""
    n = np.asarray(count, dtype=np.float64)
    table = CHANNELLING.get(crystal or "")
    if table is None or element not in table:
        return np.ones_like(n)
    cells = np.asarray(table["cells"], dtype=np.float64)
    by_kv = table[element]
    lo, hi = (np.interp(n, cells, np.asarray(by_kv[int(kv)])) for kv in _ENERGIES_KV)  # type: ignore[index]
    w = float(np.clip((energy_kv - _ENERGIES_KV[0]) / (_ENERGIES_KV[1] - _ENERGIES_KV[0]), 0.0, 1.0))
    return (1.0 - w) * lo + w * hi


@dataclass(frozen=True)
class Contrast:
    """One detector channel for one crystal: annulus (mrad) at a beam energy."""

    energy_kv: float
    inner_mrad: float
    outer_mrad: float
    crystal: str | None = None

    def atom_nm2(self, element: str) -> float:
        """Single-atom cross-section for the annulus (nm^2)."""
        return annular_cross_section_nm2(element, self.energy_kv, self.inner_mrad, self.outer_mrad)

    def column_nm2(self, element: str, count: np.ndarray | float, crystalline: bool = True) -> np.ndarray:
        """Effective cross-section (nm^2) of columns of ``count`` atoms; ``crystalline=False`` for amorphous
        material and isolated atoms (no channelling)."""
        n = np.asarray(count, dtype=np.float64)
        g = channelling(self.crystal if crystalline else None, element, n, self.energy_kv)
        return n * self.atom_nm2(element) * g


def haadf_contrast(energy_kv: float, inner_mrad: float, outer_mrad: float, crystal: str | None) -> Contrast:
    """The HAADF annulus."""
    return Contrast(energy_kv, inner_mrad, outer_mrad, crystal)


def escape_contrast(energy_kv: float, convergence_mrad: float) -> Contrast:
    """Scattering beyond the probe cone: it can no longer reach the bright-field disc. No channelling factor:
    the bright-field signal ``exp(-sum S P)`` saturates by itself in thick crystals."""
    return Contrast(energy_kv, convergence_mrad, ESCAPE_MRAD)
