"""EDS: characteristic lines over a thin-target bremsstrahlung background, as a silicon drift detector sees them.

Ionisation cross-sections (Bethe) times the photons per ionisation of each line, over a thin-target
bremsstrahlung background (Bethe-Heitler, ~Z^2/E), seen by a 0.7 sr silicon drift detector through a polymer
window; lines broadened to the detector resolution.
"""

from __future__ import annotations

import math

import numpy as np

from copilot.twin.electron import ELECTRON_REST_EV, kinetic_T_eV
from copilot.twin.elements import ATOMIC_NUMBER, EDS_LINES
from copilot.twin.footprint import Feature

EDS_ENERGY_EV = np.arange(5.0, 20000.0, 10.0)
EDS_SOLID_ANGLE_SR = 0.7
EDS_WINDOW_KEV = 0.27
"""Polymer window transmission exp(-(E_w/E)^3): 0.4 at C Ka, 0.87 at O Ka, 1 above 1.5 keV."""
SDD_SI_THICKNESS_CM = 0.045
SI_MU_RHO_10KEV_CM2_PER_G = 34.0
SI_DENSITY_G_PER_CM3 = 2.33
BETHE_CM2_KEV2 = 6.51e-20
ALPHA_RE2_NM2 = 5.795e-14
"""Fine-structure constant times the classical electron radius squared, nm^2."""


def _gauss(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Unit-area Gaussian sampled on ``x``, normalised per channel of the axis."""
    step = float(x[1] - x[0])
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) * step / (sigma * math.sqrt(2 * math.pi))


def ionisation_cross_section_nm2(edge_keV: float, shell_nb: float, energy_kv: float) -> float:
    """Bethe ionisation cross-section of a shell, 6.51e-20 n_s b_s ln(U) / (U E_c^2) cm^2 (0 below threshold)."""
    u = kinetic_T_eV(energy_kv) / 1e3 / edge_keV
    return 0.0 if u <= 1.0 else BETHE_CM2_KEV2 * shell_nb * math.log(u) / (u * edge_keV**2) * 1e14


def eds_efficiency(energy_eV: np.ndarray) -> np.ndarray:
    """Detected fraction of photons entering the detector: window transmission times absorption in the Si."""
    e_kev = np.asarray(energy_eV, dtype=np.float64) / 1e3
    window = np.exp(-((EDS_WINDOW_KEV / e_kev) ** 3))
    mu_t = SI_MU_RHO_10KEV_CM2_PER_G * (10.0 / e_kev) ** 2.8 * SI_DENSITY_G_PER_CM3 * SDD_SI_THICKNESS_CM
    return window * -np.expm1(-mu_t)


def _bremsstrahlung_nm2_per_eV(z: int, energy_eV: np.ndarray, energy_kv: float) -> np.ndarray:
    """Thin-target bremsstrahlung cross-section per atom (Bethe-Heitler, non-relativistic), nm^2 per eV."""
    t = kinetic_T_eV(energy_kv)
    k = np.clip(energy_eV, 1.0, t * (1 - 1e-9))
    log = np.log((math.sqrt(t) + np.sqrt(t - k)) ** 2 / k)
    return 16.0 / 3.0 * ALPHA_RE2_NM2 * z * z * (ELECTRON_REST_EV / t) / k * log


def eds_features() -> list[Feature]:
    """The features an EDS spectrum samples: every line (delocalised by its edge energy), then every element's
    bremsstrahlung."""
    lines = [(el, ln.edge_keV * 1e3) for el in sorted(EDS_LINES) for ln in EDS_LINES[el]]
    return lines + [(el, math.inf) for el in sorted(ATOMIC_NUMBER)]


def eds_per_electron(densities: np.ndarray, energy_kv: float) -> np.ndarray:
    """Expected counts per electron per channel of ``EDS_ENERGY_EV`` (N, n_E), given the areal densities (N, F)
    of :func:`eds_features`."""
    kv = energy_kv
    e = EDS_ENERGY_EV
    step = float(e[1] - e[0])
    seen = EDS_SOLID_ANGLE_SR / (4 * math.pi) * eds_efficiency(e)
    lines = [(el, ln) for el in sorted(EDS_LINES) for ln in EDS_LINES[el]]
    rows = []
    for _, ln in lines:
        energy = ln.energy_keV * 1e3
        fwhm = math.sqrt(50.0**2 + 2.5 * energy)
        sigma = ionisation_cross_section_nm2(ln.edge_keV, ln.shell_nb, kv)
        rows.append(sigma * ln.photons_per_ionisation * _gauss(e, energy, fwhm / 2.355) * seen)
    for el in sorted(ATOMIC_NUMBER):
        rows.append(_bremsstrahlung_nm2_per_eV(ATOMIC_NUMBER[el], e, kv) * step * seen)
    return densities @ np.array(rows)
