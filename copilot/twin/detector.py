"""Detector response: HAADF and BF cross-sections and how a projected weight becomes a detected fraction.

A column of weight ``w = sum(count * Z**n)`` seen by a probe of intensity density ``P`` (1/nm^2) sends the
fraction ``1 - exp(-SIGMA_HAADF * w * P)`` of the beam onto the HAADF annulus (linear for light columns,
saturating for thick heavy ones) and leaves ``exp(-SIGMA_BF * w * P)`` in the bright-field disc.
"""

from __future__ import annotations

import numpy as np

from copilot.twin.elements import HAADF_Z_EXPONENT

SIGMA_HAADF_NM2 = 2.0e-6
"""HAADF cross-section per unit Z**1.7 (a carbon atom: 4e-5 nm^2)."""
SIGMA_BF_NM2 = 1.0e-4
"""Bright-field attenuation cross-section per unit Z."""
BF_TRANSMISSION = 0.85
"""Fraction of the unscattered beam the BF detector collects."""
ATOM_BLUR_NM = 0.035
"""Thermal vibration and the width of the atomic potential, as a Gaussian standard deviation."""
NOMINAL_PROBE_SIGMA_NM = 0.04
"""Gaussian width of a focused corrected probe, used to average the response over a unit cell."""


def response(weight_per_nm2: np.ndarray, exponent: float) -> np.ndarray:
    """Detected fraction (before DQE and BF transmission) for a probe-weighted areal weight."""
    if exponent == HAADF_Z_EXPONENT:
        return -np.expm1(-SIGMA_HAADF_NM2 * weight_per_nm2)
    return np.exp(-SIGMA_BF_NM2 * weight_per_nm2)


def inverse_response(fraction: np.ndarray, exponent: float) -> np.ndarray:
    """Areal weight that gives ``fraction`` through :func:`response`."""
    if exponent == HAADF_Z_EXPONENT:
        return -np.log1p(-fraction) / SIGMA_HAADF_NM2
    return -np.log(fraction) / SIGMA_BF_NM2


def cell_effective_weight(
    columns: list[tuple[float, float, float]], cell_nm: float, exponent: float, samples: int = 24
) -> float:
    """Areal weight whose response equals the mean response over a square unit cell of atomic columns.

    ``columns`` holds (u, v, weight) with (u, v) fractional positions in the cell. At low magnification a pixel
    is one probe position somewhere in the cell, so its expected signal is this cell average, which is lower
    than the response of the mean weight once heavy columns saturate.
    """
    sigma = float(np.hypot(ATOM_BLUR_NM, NOMINAL_PROBE_SIGMA_NM))
    grid = (np.arange(samples) + 0.5) / samples * cell_nm
    x, y = np.meshgrid(grid, grid)
    s = np.zeros_like(x)
    for u, v, w in columns:
        for i in (-1, 0, 1):
            for j in (-1, 0, 1):
                d2 = (x - (u + i) * cell_nm) ** 2 + (y - (v + j) * cell_nm) ** 2
                s += w * np.exp(-d2 / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    return float(inverse_response(response(s, exponent).mean(), exponent))
