"""Lattice free of drift from two frames scanned in different directions (e.g. scan rotations 0 and 90 deg).

Drift during a frame moves the specimen while the slow scan advances, so each line lands a little further along:
the image is the specimen under an affine map that leaves every position along the fast axis (x, along a row)
alone in time and shears and stretches along the slow axis (y). In reciprocal space that map keeps the x
component of every Fourier peak exact. One frame gives the true components of the peaks along its own fast
axis; a frame scanned in another direction gives them along another axis; together they give the true
reciprocal lattice, and so the true cell, whatever the (constant) drift velocity.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from copilot.analysis._validate import as_image, positive
from copilot.analysis.errors import AnalysisError, NoLatticeError
from copilot.analysis.fft import FFTPeak, find_peaks, power_spectrum
from copilot.analysis.lattice import Lattice, lattice_from_basis, reciprocal_basis, with_uncertainty

PAIR_TOLERANCE = 0.1  # a peak of one frame pairs with one of the other within this fraction of its length
MIN_ANGLE_DEG = 30.0  # the two fast axes must differ by at least this much (mod 180)


def _peaks(image: ArrayLike, px: float) -> NDArray[np.float64]:
    """Fourier peak vectors (both Friedel mates), (n, 2) in 1/nm."""
    peaks = find_peaks(power_spectrum(as_image(image)), px, max_peaks=40)
    half = np.array([[p.kx_per_nm, p.ky_per_nm] for p in peaks]).reshape(-1, 2)
    return np.vstack([half, -half])


def _rotation(deg: float) -> NDArray[np.float64]:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s], [s, c]])


def _pairs(k1: NDArray[np.float64], k2_in_1: NDArray[np.float64]) -> list[tuple[int, int, float]]:
    """(i, j, relative distance) of each peak of frame 1 with its nearest peak of frame 2 (in frame-1 axes)."""
    out = []
    for i, k in enumerate(k1):
        d = np.linalg.norm(k2_in_1 - k, axis=1) / np.linalg.norm(k)
        j = int(np.argmin(d))
        if d[j] < PAIR_TOLERANCE:
            out.append((i, j, float(d[j])))
    return out


def corrected_lattice(
    image_1: ArrayLike, image_2: ArrayLike, pixel_size_nm: float, rotation_1_deg: float, rotation_2_deg: float
) -> Lattice:
    """The lattice (in the axes of frame 1) of one area imaged twice with the scan rotated between the frames.

    Each peak of frame 1 is paired with the peak of frame 2 that the scan rotation brings next to it (both senses of
    the rotation are tried; the one pairing more peaks, closer, wins). Its true component along frame 1's fast axis
    is read from frame 1, along frame 2's fast axis from frame 2; the basis is refined on all such peaks.

    Raises
    ------
    AnalysisError
        If the fast axes of the two frames are (nearly) parallel.
    NoLatticeError
        If too few peaks pair between the frames.
    """
    px = positive("pixel_size_nm", pixel_size_nm)
    delta = float(rotation_2_deg) - float(rotation_1_deg)
    if abs(math.sin(math.radians(delta))) < math.sin(math.radians(MIN_ANGLE_DEG)):
        raise AnalysisError(
            f"the two frames' scan rotations differ by {delta:g} deg: their fast axes are (nearly) parallel.",
            hint="Acquire the second frame with the scan rotated by 90 deg (set_scan rotation_deg).",
        )
    k1, k2 = _peaks(image_1, px), _peaks(image_2, px)
    best: tuple[int, float, float, list[tuple[int, int, float]]] | None = None
    for sense in (1.0, -1.0):
        pairs = _pairs(k1, k2 @ _rotation(sense * delta).T)
        score = (len(pairs), -sum(d for _, _, d in pairs))
        if best is None or score > (best[0], best[1]):
            best = (score[0], score[1], sense, pairs)
    assert best is not None
    _, _, sense, pairs = best
    if len(pairs) < 4:
        raise NoLatticeError(
            f"only {len(pairs)} Fourier peaks pair between the two frames; they must show the same lattice.",
            hint="Image the same area with the same settings, the second frame with the scan rotated.",
        )
    fast_2 = _rotation(sense * delta) @ np.array([1.0, 0.0])  # frame 2's fast axis in frame-1 axes
    system = np.array([[1.0, 0.0], fast_2])
    true_k = np.array([np.linalg.solve(system, [k1[i, 0], k2[j, 0]]) for i, j, _ in pairs])
    peaks = [FFTPeak(float(kx), float(ky), 1.0 / math.hypot(kx, ky), 0.0, 1.0) for kx, ky in true_k if ky >= 0]
    g, n_indexed = reciprocal_basis(peaks)
    return with_uncertainty(lattice_from_basis(g, n_indexed), peaks)
