"""Input checks shared by the analysis routines: they raise ``AnalysisError`` with a message that says what to fix."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from copilot.analysis.errors import AnalysisError

MIN_SIDE_PX = 8


def as_image(image: ArrayLike, name: str = "image") -> NDArray[np.float64]:
    """Return ``image`` as a finite 2-D float64 array of at least 8 x 8 pixels."""
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim != 2:
        raise AnalysisError(f"{name} must be a 2-D array, got shape {arr.shape}.")
    if min(arr.shape) < MIN_SIDE_PX:
        raise AnalysisError(f"{name} must be at least {MIN_SIDE_PX} x {MIN_SIDE_PX} pixels, got {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise AnalysisError(f"{name} contains NaN or infinite values; replace or crop them first.")
    return arr


def positive(name: str, value: float) -> float:
    """Return ``value`` as a float if it is finite and > 0."""
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise AnalysisError(f"{name} must be a finite number > 0, got {value!r}.")
    return v


def fraction(name: str, value: float) -> float:
    """Return ``value`` as a float if it lies in [0, 1]."""
    v = float(value)
    if not (math.isfinite(v) and 0.0 <= v <= 1.0):
        raise AnalysisError(f"{name} must lie in [0, 1], got {value!r}.")
    return v


def pixel_to_fov_nm(rows: ArrayLike, cols: ArrayLike, pixel_size_nm: float) -> NDArray[np.float64]:
    """Pixel (row, col) coordinates (centres at integers) to FOV (x, y) nm from the top-left corner, shape (n, 2)."""
    r = np.asarray(rows, dtype=np.float64)
    c = np.asarray(cols, dtype=np.float64)
    return np.column_stack([(c + 0.5) * pixel_size_nm, (r + 0.5) * pixel_size_nm])


def noise_sigma(image: NDArray[np.float64]) -> float:
    """Standard deviation of the white noise in ``image``, from the outer ring of its power spectrum.

    The optics band-limit the signal, so spatial frequencies above 0.8 x Nyquist hold (almost) only noise; the
    median of an exponential variable is ln 2 x its mean, which makes the estimate robust to stray peaks. On a
    coarsely sampled image whose signal reaches Nyquist this over-estimates the noise.
    """
    ny, nx = image.shape
    power = np.abs(np.fft.fft2(image - image.mean())) ** 2
    fy = np.fft.fftfreq(ny)[:, None]
    fx = np.fft.fftfreq(nx)[None, :]
    outer = np.hypot(fx, fy) > 0.8 * 0.5
    return float(np.sqrt(np.median(power[outer]) / (image.size * np.log(2.0))))
