"""Elastic electron scattering by single atoms: Lobato form factors, annular cross-sections and phase form factors.

The electron scattering factor of a neutral atom (Lobato & Van Dyck 2014, the parametrisation abTEM uses) is

    f(q) = sum_i a_i (2 + b_i q^2) / (1 + b_i q^2)^2        (A, q in 1/A, non-relativistic)

scaled by the relativistic mass factor gamma. An atom sends ``sigma = int |gamma f(theta / lambda)|^2 dOmega``
onto an annulus theta1..theta2, which makes the HAADF signal depend on the detector angles and fall with the beam
energy (about 4.5x for carbon from 80 to 200 kV on 80-250 mrad). The projected phase an atom imprints on the
beam has the Fourier transform ``lambda * gamma * f(q)`` (first Born approximation), used for bright field.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from copilot.twin.probe import relativistic_gamma, wavelength_nm
from copilot.twin.tables.lobato import LOBATO

_SAMPLES = 2048


def form_factor_A(element: str, q_per_A: np.ndarray) -> np.ndarray:
    """Non-relativistic electron scattering factor (A) at spatial frequencies ``q_per_A`` (1/A)."""
    a, b = (np.asarray(v, dtype=np.float64) for v in LOBATO[element])
    q2 = np.asarray(q_per_A, dtype=np.float64)[..., None] ** 2
    return (a * (2.0 + b * q2) / (1.0 + b * q2) ** 2).sum(axis=-1)


@lru_cache(maxsize=512)
def annular_cross_section_nm2(element: str, energy_kv: float, inner_mrad: float, outer_mrad: float) -> float:
    """Cross-section (nm^2) for elastic scattering of one atom onto an annulus (small-angle, kinematic)."""
    if outer_mrad <= inner_mrad:
        return 0.0
    lam_A = wavelength_nm(energy_kv) * 10.0
    gamma = relativistic_gamma(energy_kv)
    # Integrate in log(theta): the integrand spans decades between 1 and 300 mrad.
    theta = np.geomspace(max(inner_mrad, 1e-3), outer_mrad, _SAMPLES) * 1e-3
    f = gamma * form_factor_A(element, theta / lam_A)
    integrand = f * f * 2.0 * math.pi * theta * theta  # |f|^2 2 pi theta dtheta, with dtheta = theta dlog(theta)
    sigma_A2 = float(np.trapezoid(integrand, np.log(theta)))
    if inner_mrad < 1e-3:  # the disc below 1 urad: f is flat there
        f0 = gamma * form_factor_A(element, np.zeros(1))[0]
        sigma_A2 += f0 * f0 * math.pi * 1e-12
    return sigma_A2 / 100.0


def phase_form_factor_nm2(element: str, energy_kv: float, k_per_nm: np.ndarray) -> np.ndarray:
    """Fourier transform (nm^2) of the projected phase one atom imprints, at spatial frequencies ``k_per_nm``."""
    lam_nm = wavelength_nm(energy_kv)
    f_nm = relativistic_gamma(energy_kv) * form_factor_A(element, np.asarray(k_per_nm) / 10.0) / 10.0
    return lam_nm * f_nm
