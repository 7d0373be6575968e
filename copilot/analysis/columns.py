"""Column intensities by a joint fit of Gaussian columns (atomap-style): every column's amplitude is solved
together with its neighbours', so a bright column does not spill into the dim ones beside it."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.linalg import lsqr

REACH_SIGMAS = 3.0  # each column's Gaussian is evaluated out to this many sigmas
WIDTH_STEPS = (0.6, 0.8, 1.0, 1.25, 1.6, 2.0)  # trial column widths, as multiples of the first guess


def _design(shape: tuple[int, int], px: float, points_nm: NDArray[np.float64], sigma_nm: float) -> csr_matrix:
    """Sparse (pixels x points) matrix of unit-height Gaussians of width ``sigma_nm`` at ``points_nm``."""
    ny, nx = shape
    reach = max(1, int(np.ceil(REACH_SIGMAS * sigma_nm / px)))
    dy, dx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    cols_f, rows_f = points_nm[:, 0] / px - 0.5, points_nm[:, 1] / px - 0.5
    r = np.round(rows_f).astype(np.int64)[:, None] + dy.ravel()[None, :]
    c = np.round(cols_f).astype(np.int64)[:, None] + dx.ravel()[None, :]
    d2 = (r - rows_f[:, None]) ** 2 + (c - cols_f[:, None]) ** 2
    values = np.exp(-0.5 * d2 * (px / sigma_nm) ** 2)
    ok = (r >= 0) & (r < ny) & (c >= 0) & (c < nx)
    point = np.broadcast_to(np.arange(len(points_nm))[:, None], r.shape)
    return csr_matrix((values[ok], ((r * nx + c)[ok], point[ok])), shape=(ny * nx, len(points_nm)))


def _solve(image: NDArray[np.float64], design: csr_matrix) -> tuple[NDArray[np.float64], float]:
    """Amplitudes and a constant background by least squares; also the residual sum of squares."""
    ones = csr_matrix(np.ones((design.shape[0], 1)))
    full = hstack([design, ones]).tocsr()
    y = image.ravel()
    solution = lsqr(full, y, atol=1e-6, btol=1e-6, iter_lim=300)[0]
    residual = y - full @ solution
    return solution[:-1], float(residual @ residual)


def column_width_nm(image: NDArray[np.float64], px: float, points_nm: NDArray[np.float64], guess_nm: float) -> float:
    """The Gaussian width that fits the columns best, tried on a central crop of about 64 x 64 pixels."""
    ny, nx = image.shape
    half = min(32, ny // 2, nx // 2)
    r0, c0 = ny // 2 - half, nx // 2 - half
    crop = image[r0 : r0 + 2 * half, c0 : c0 + 2 * half]
    local = points_nm - np.array([c0, r0]) * px
    keep = np.all((local > -3 * guess_nm) & (local < 2 * half * px + 3 * guess_nm), axis=1)
    if keep.sum() < 3:
        return guess_nm
    fits = [(_solve(crop, _design(crop.shape, px, local[keep], guess_nm * f))[1], guess_nm * f) for f in WIDTH_STEPS]
    return min(fits)[1]


def column_amplitudes(
    image: NDArray[np.float64], px: float, points_nm: NDArray[np.float64], guess_nm: float
) -> tuple[NDArray[np.float64], float]:
    """Amplitude (counts above the background) of a Gaussian column at each point, fitted jointly, and the
    column width used (nm). Points with no column get an amplitude near zero."""
    width = column_width_nm(image, px, points_nm, guess_nm)
    amplitudes, _ = _solve(image, _design(image.shape, px, points_nm, width))
    return amplitudes, width
