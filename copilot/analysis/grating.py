"""Pitch and depth of a line grating (an AFM calibration standard)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu

from copilot.analysis._validate import as_image, positive
from copilot.analysis.errors import AnalysisError
from copilot.analysis.level import plane_level


@dataclass(frozen=True)
class GratingPitch:
    """Period of the lines (nm), their height over the trenches (nm) and geometry.

    ``angle_deg`` is the direction across the lines (of the grating vector) from +x, y downwards, in [0, 180);
    ``duty_cycle`` the fraction of each period on the top of a line at mid-height; ``edges`` the number of
    mid-height crossings the pitch was fitted on.
    """

    pitch_nm: float
    pitch_std_nm: float
    depth_nm: float
    angle_deg: float
    duty_cycle: float
    edges: int


def _orientation(z: NDArray[np.float64]) -> float:
    """Direction (rad, from +x, y down) across the lines: main axis of the structure tensor of the gradients."""
    gy, gx = np.gradient(ndi.gaussian_filter(z, 1.0))
    jxx, jyy, jxy = float(np.mean(gx * gx)), float(np.mean(gy * gy)), float(np.mean(gx * gy))
    return 0.5 * math.atan2(2.0 * jxy, jxx - jyy)


def _crossings(profile: NDArray[np.float64], level: float, rising: bool) -> NDArray[np.float64]:
    """Sub-sample positions where ``profile`` crosses ``level`` upwards (or downwards), linear interpolation."""
    above = profile > level
    idx = np.flatnonzero(above[1:] & ~above[:-1]) if rising else np.flatnonzero(~above[1:] & above[:-1])
    a, b = profile[idx], profile[idx + 1]
    return idx + (level - a) / (b - a)


def _fit_period(groups: list[NDArray[np.float64]]) -> tuple[float, float]:
    """Common spacing of several arithmetic sequences (rising and falling edges), least squares, with its std."""
    rows, targets, n_groups = [], [], len(groups)
    for g, positions in enumerate(groups):
        for k, p in enumerate(positions):
            row = np.zeros(1 + n_groups)
            row[0], row[1 + g] = k, 1.0
            rows.append(row)
            targets.append(p)
    design, y = np.array(rows), np.array(targets)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    dof = len(y) - design.shape[1]
    if dof < 1:
        return float(coef[0]), float("nan")
    sigma2 = float(np.sum((y - design @ coef) ** 2)) / dof
    cov = sigma2 * np.linalg.inv(design.T @ design)
    return float(coef[0]), float(np.sqrt(cov[0, 0]))


def grating_pitch(height_nm: ArrayLike, pixel_size_nm: float) -> GratingPitch:
    """Pitch and depth of a line grating with at least two periods in view.

    The map is levelled with the sidewalls excluded; the direction across the lines comes from the structure
    tensor of the gradients; all pixels are projected on that direction and averaged in bins of half a pixel
    into one profile; the pitch is the common spacing of the rising and of the falling mid-height crossings
    (least squares), so it is exact to a small fraction of a pixel. The depth is the difference of the median
    flat heights above and below the Otsu level (tops and trench floors, sidewalls left out).

    Parameters
    ----------
    height_nm : array_like, 2-D
        Height map in nm.
    pixel_size_nm : float
        Pixel size in nm.

    Returns
    -------
    GratingPitch

    Raises
    ------
    AnalysisError
        If fewer than two periods are in view (fewer than two crossings in both directions).
    """
    z = as_image(height_nm, "height_nm")
    px = positive("pixel_size_nm", pixel_size_nm)
    levelled = plane_level(z, order=1, exclude_steps=True)
    h = levelled.height_nm
    theta = _orientation(h)
    rows, cols = np.mgrid[0 : h.shape[0], 0 : h.shape[1]].astype(np.float64)
    u = cols * math.cos(theta) + rows * math.sin(theta)  # pixels along the grating vector
    bins = np.floor((u - u.min()) * 2.0).astype(np.int64)
    counts = np.bincount(bins.ravel())
    sums = np.bincount(bins.ravel(), weights=h.ravel())
    full = counts >= 0.5 * np.median(counts[counts > 0])  # drop the thinly sampled corner bins
    first, last = np.flatnonzero(full)[[0, -1]]
    profile = sums[first : last + 1] / np.maximum(counts[first : last + 1], 1)
    level = float(threshold_otsu(h))
    up, down = _crossings(profile, level, True), _crossings(profile, level, False)
    groups = [g for g in (up, down) if len(g) >= 2]
    if not groups:
        raise AnalysisError(
            f"found {len(up)} rising and {len(down)} falling edges; a pitch needs two of a kind (two periods).",
            hint="Scan a field of view at least two grating periods wide.",
        )
    period_bins, std_bins = _fit_period(groups)
    tops = h[levelled.flat_mask & (h > level)]
    floors = h[levelled.flat_mask & (h <= level)]
    if tops.size == 0 or floors.size == 0:
        raise AnalysisError("no flat line tops or trench floors were found.", hint="Check that this is a grating.")
    duty = float("nan")
    if len(up) and len(down):
        # Width of a top: from each rising edge to the next falling edge, modulo the period.
        widths = np.array([(down[down > r][0] - r) if np.any(down > r) else np.nan for r in up])
        widths = widths[np.isfinite(widths)]
        duty = float(np.median(widths) / period_bins) if widths.size else float("nan")
    return GratingPitch(
        pitch_nm=period_bins * 0.5 * px,
        pitch_std_nm=std_bins * 0.5 * px,
        depth_nm=float(np.median(tops) - np.median(floors)),
        angle_deg=math.degrees(theta) % 180.0,
        duty_cycle=duty,
        edges=len(up) + len(down),
    )
