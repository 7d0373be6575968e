"""Drift between two images of the same area by phase correlation with sub-pixel upsampling."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from skimage.registration import phase_cross_correlation

from copilot.analysis._validate import as_image, positive
from copilot.analysis.errors import AnalysisError


@dataclass(frozen=True)
class Drift:
    """Displacement of the features from image A to image B (FOV frame) and its rate.

    ``confidence`` in [0, 1] compares the correlation peak with the best other peak: near 0 when the shift is
    ambiguous (e.g. a perfect crystal moved by more than half a cell), near 1 when it is unique.
    """

    dx_nm: float
    dy_nm: float
    shift_nm: float
    rate_x_nm_per_s: float
    rate_y_nm_per_s: float
    rate_nm_per_s: float
    confidence: float


def _confidence(a: np.ndarray, b: np.ndarray) -> float:
    """1 - (second peak / first peak) of the phase-correlation surface, second taken outside 3 px of the first."""
    cross = np.fft.fft2(a) * np.conj(np.fft.fft2(b))
    surface = np.fft.ifft2(cross / np.maximum(np.abs(cross), 1e-12)).real
    first = np.unravel_index(np.argmax(surface), surface.shape)
    peak = surface[first]
    masked = np.roll(np.roll(surface, -first[0], axis=0), -first[1], axis=1)
    masked[:4, :4] = masked[:4, -3:] = masked[-3:, :4] = masked[-3:, -3:] = -np.inf
    second = float(masked.max())
    return float(np.clip(1.0 - max(second, 0.0) / peak, 0.0, 1.0)) if peak > 0 else 0.0


def estimate_drift(image_a: ArrayLike, image_b: ArrayLike, pixel_size_nm: float, dt_s: float) -> Drift:
    """How far the specimen moved between two frames taken ``dt_s`` seconds apart.

    Both images are mean-subtracted, then registered by cross-correlation upsampled 50x (more precise sub-pixel
    than phase correlation on band-limited images); ``confidence`` comes from the phase-correlation surface.
    Positive ``dx_nm`` means features moved to the right (+x) in image B.
    """
    a, b = as_image(image_a, "image_a"), as_image(image_b, "image_b")
    if a.shape != b.shape:
        raise AnalysisError(f"the two images differ in shape ({a.shape} vs {b.shape}); acquire both with one setting.")
    px = positive("pixel_size_nm", pixel_size_nm)
    dt = positive("dt_s", dt_s)
    wa, wb = a - a.mean(), b - b.mean()
    shift, _, _ = phase_cross_correlation(wa, wb, upsample_factor=50, normalization=None)
    dy_px, dx_px = -float(shift[0]), -float(shift[1])
    dx, dy = dx_px * px, dy_px * px
    return Drift(dx, dy, math.hypot(dx, dy), dx / dt, dy / dt, math.hypot(dx, dy) / dt, _confidence(wb, wa))
