"""Step height of a terraced surface from the histogram of its levelled heights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

from copilot.analysis._validate import as_image, positive
from copilot.analysis.errors import AnalysisError
from copilot.analysis.level import plane_level

MIN_TERRACE_FRACTION = 0.02  # a level must hold this fraction of the flat pixels to count as a terrace
BINS_PER_SIGMA = 4


@dataclass(frozen=True)
class StepHeight:
    """Terrace levels (nm, ascending, relative to the lowest) and the elementary step between them.

    ``step_nm`` is the least-squares unit of which every level difference is a whole multiple (a double step
    counts twice); ``multiples`` gives each level in steps above the lowest. ``terrace_fractions`` are the
    shares of the flat area on each level.
    """

    step_nm: float
    step_std_nm: float
    levels_nm: tuple[float, ...]
    multiples: tuple[int, ...]
    terrace_fractions: tuple[float, ...]
    noise_nm: float


def terrace_levels(heights_nm: NDArray[np.float64], noise_nm: float) -> tuple[list[float], list[float]]:
    """Levels (nm) and shares of the clear peaks of a height histogram smoothed to the noise width.

    Each level is refined to the mean of the heights within two noise sigmas of the histogram peak.
    """
    bin_nm = noise_nm / BINS_PER_SIGMA
    lo, hi = float(heights_nm.min()), float(heights_nm.max())
    n_bins = int(min(max((hi - lo) / bin_nm, 16), 20000))
    counts, edges = np.histogram(heights_nm, bins=n_bins, range=(lo, hi))
    smooth = gaussian_filter1d(counts.astype(np.float64), BINS_PER_SIGMA * (edges[1] - edges[0]) / bin_nm)
    peaks, _ = find_peaks(smooth, prominence=0.05 * smooth.max(), distance=2 * BINS_PER_SIGMA)
    centres = 0.5 * (edges[peaks] + edges[peaks + 1])
    levels, shares = [], []
    for c in centres:
        near = np.abs(heights_nm - c) <= 2.0 * noise_nm
        share = float(near.mean())
        if share >= MIN_TERRACE_FRACTION:
            levels.append(float(heights_nm[near].mean()))
            shares.append(share)
    return levels, shares


def _unit_step(levels: NDArray[np.float64]) -> tuple[float, float, NDArray[np.int64]]:
    """Elementary step (nm), its standard error and the multiple of it at each level above the lowest."""
    rel = levels - levels[0]
    first = float(np.min(np.diff(levels)))
    multiples = np.maximum(np.round(rel / first), np.arange(len(rel))).astype(np.int64)
    n = multiples[1:].astype(np.float64)
    step = float(n @ rel[1:] / (n @ n))
    residual = rel[1:] - step * n
    dof = max(len(n) - 1, 1)
    std = float(np.sqrt(residual @ residual / dof / (n @ n))) if len(n) > 1 else float("nan")
    return step, std, multiples


def step_height(height_nm: ArrayLike, pixel_size_nm: float, order: int = 1) -> StepHeight:
    """Height of the steps between terraces (e.g. 0.314 nm for Si(111) bilayer steps).

    The map is levelled with step edges excluded (one level per flat area, so the terraces do not tilt the
    plane); the heights of the flat pixels form one histogram peak per terrace, located with a smoothing of the
    noise width (estimated from the flat pixels around their area's level) and refined to the mean height
    around each peak. The elementary step is the least-squares unit of the level differences.

    Parameters
    ----------
    height_nm : array_like, 2-D
        Height map in nm (trace or retrace).
    pixel_size_nm : float
        Pixel size in nm.
    order : int
        Order of the background polynomial removed before the histogram.

    Returns
    -------
    StepHeight

    Raises
    ------
    AnalysisError
        If fewer than two terrace levels are found (no steps in view, or steps smaller than the noise).
    """
    positive("pixel_size_nm", pixel_size_nm)
    z = as_image(height_nm, "height_nm")
    levelled = plane_level(z, order=order, exclude_steps=True)
    flat = levelled.height_nm[levelled.flat_mask]
    if levelled.region_count:
        own_level = levelled.height_nm - np.median(flat)
        per_region = [
            own_level[(levelled.regions == r) & levelled.flat_mask] for r in range(1, levelled.region_count + 1)
        ]
        deviations = np.concatenate([v - np.median(v) for v in per_region if v.size])
        noise = 1.4826 * float(np.median(np.abs(deviations)))
    else:
        noise = float(np.std(flat))
    noise = max(noise, 1e-4)
    levels, shares = terrace_levels(flat, noise)
    if len(levels) < 2:
        raise AnalysisError(
            f"found {len(levels)} terrace level(s); a step height needs at least two.",
            hint="Image an area with several terraces (larger scan or another position), or reduce the noise.",
        )
    lv = np.array(levels)
    step, std, multiples = _unit_step(lv)
    total = sum(shares)
    return StepHeight(
        step_nm=step,
        step_std_nm=std,
        levels_nm=tuple(float(v) for v in lv - lv[0]),
        multiples=tuple(int(m) for m in multiples),
        terrace_fractions=tuple(s / total for s in shares),
        noise_nm=noise,
    )
