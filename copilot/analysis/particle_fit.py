"""Particle size by a model fit: the projected thickness of a sphere, blurred by the pixel response, fitted to the
background-subtracted pixels of one particle. The diameter so found does not depend on where a threshold cuts the
particle's soft rim, nor on the image's contrast scale (the amplitude is free)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

SUPERSAMPLE = 3
PAD_PX = 3
MAX_FIT_PX = 24
# Profile (1 - r^2 / R^2)^shape: 0.5 is a sphere of uniform contrast, towards 0 a flat disc (a thick crystal whose
# HAADF signal saturates with thickness); the shape is fitted only where a particle spans enough pixels to show it.
SPHERE, FLAT = 0.5, 0.02
MIN_SHAPE_RADIUS_PX = 3.0


@dataclass(frozen=True)
class SphereFit:
    """Fitted centre (row, col in the image), radius (px), peak amplitude and their 1-sigma radius error (px)."""

    row: float
    col: float
    radius_px: float
    amplitude: float
    radius_error_px: float


def _grid(ny: int, nx: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sub-pixel row and column coordinates, shape (ny * s, nx * s), of pixel centres at integers."""
    sub = (np.arange(SUPERSAMPLE) + 0.5) / SUPERSAMPLE - 0.5
    rows = (np.arange(ny)[:, None] + sub[None, :]).ravel()
    cols = (np.arange(nx)[:, None] + sub[None, :]).ravel()
    return np.meshgrid(rows, cols, indexing="ij")


def _model(rr: NDArray[np.float64], cc: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Profile (peak = amplitude) on the sub-pixel grid averaged over each pixel (its box response)."""
    r0, c0, radius, amp, shape = p
    s = SUPERSAMPLE
    t = np.clip(1.0 - ((rr - r0) ** 2 + (cc - c0) ** 2) / max(radius, 1e-3) ** 2, 0.0, None) ** shape
    ny, nx = rr.shape[0] // s, rr.shape[1] // s
    return np.asarray(amp * t.reshape(ny, s, nx, s).mean(axis=(1, 3)), dtype=np.float64)


def _bin(a: NDArray[np.float64], b: int) -> NDArray[np.float64]:
    """Mean over b x b blocks (the array is cropped to a multiple of b)."""
    ny, nx = a.shape[0] // b, a.shape[1] // b
    return np.asarray(a[: ny * b, : nx * b].reshape(ny, b, nx, b).mean(axis=(1, 3)), dtype=np.float64)


def fit_sphere(
    residual: NDArray[np.float64], own: NDArray[np.bool_], others: NDArray[np.bool_], sigma: float
) -> SphereFit | None:
    """Fit one particle in ``residual`` (image minus background): ``own`` marks its segmented pixels, ``others``
    those of its neighbours (left out of the fit); ``sigma`` is the per-pixel noise. A large particle is fitted
    on a binned crop (at most ``MAX_FIT_PX`` across). None if the fit fails."""
    rows_i, cols_i = np.nonzero(own)
    if rows_i.size == 0:
        return None
    ny, nx = residual.shape
    r_lo, r_hi = max(rows_i.min() - PAD_PX, 0), min(rows_i.max() + PAD_PX + 1, ny)
    c_lo, c_hi = max(cols_i.min() - PAD_PX, 0), min(cols_i.max() + PAD_PX + 1, nx)
    b = max(1, int(np.ceil(max(r_hi - r_lo, c_hi - c_lo) / MAX_FIT_PX)))
    data = _bin(residual[r_lo:r_hi, c_lo:c_hi], b)
    weight = _bin((~others[r_lo:r_hi, c_lo:c_hi]).astype(np.float64), b) > 0.5
    rr, cc = _grid(*data.shape)
    values = residual[rows_i, cols_i]
    w = np.clip(values, 0.0, None) + 1e-12
    row0 = (float(np.average(rows_i, weights=w)) - r_lo + 0.5) / b - 0.5
    col0 = (float(np.average(cols_i, weights=w)) - c_lo + 0.5) / b - 0.5
    radius0 = max(float(np.sqrt(rows_i.size / np.pi)) / b, 0.5)
    amp0 = max(float(values.max()), sigma)
    free_shape = radius0 * b >= MIN_SHAPE_RADIUS_PX
    p0 = np.array([row0, col0, radius0, amp0, SPHERE])
    lo = np.array([-0.5, -0.5, 0.3 / b, 0.0, FLAT if free_shape else SPHERE - 1e-3])
    hi = np.array([data.shape[0] - 0.5, data.shape[1] - 0.5, max(data.shape), 10 * amp0 + 10 * sigma, 1.0])
    if not free_shape:
        hi[4] = SPHERE + 1e-3
    p0 = np.clip(p0, lo + 1e-6, hi - 1e-6)

    def resid(p: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(((_model(rr, cc, p) - data) * weight).ravel(), dtype=np.float64)

    try:
        fit = least_squares(resid, p0, bounds=(lo, hi), x_scale="jac", ftol=1e-4, xtol=1e-4, max_nfev=30)
    except (ValueError, np.linalg.LinAlgError):
        return None
    cov = np.linalg.pinv(fit.jac.T @ fit.jac) * (sigma / b) ** 2
    r0, c0, radius, amp, _ = (float(v) for v in fit.x)
    return SphereFit(
        r_lo + (r0 + 0.5) * b - 0.5, c_lo + (c0 + 0.5) * b - 0.5, radius * b, amp, float(np.sqrt(max(cov[2, 2], 0))) * b
    )
