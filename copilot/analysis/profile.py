"""Intensity or height profile along a line given in FOV nm."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from skimage.measure import profile_line

from copilot.analysis._validate import as_image, noise_sigma, positive
from copilot.analysis.errors import AnalysisError


@dataclass(frozen=True)
class Profile:
    """Values sampled once per pixel along the line, averaged across ``width_nm``.

    ``value_uncertainty`` is about one standard deviation of each value from the image's white noise (at most:
    the interpolation between pixels averages a little more); ``reliable`` is false, with the reason, when the
    profile varies by less than it would from noise alone.
    """

    distance_nm: NDArray[np.float64]
    values: NDArray[np.float64]
    width_nm: float
    value_uncertainty: float = 0.0
    reliable: bool = True
    reliability_note: str = ""


MIN_CONTRAST_SIGMAS = 5.0
"""A profile whose smoothed values span less than this many noise sigmas of one value shows no feature."""


def line_profile(
    image: ArrayLike, pixel_size_nm: float, x0_nm: float, y0_nm: float, x1_nm: float, y1_nm: float, width_nm: float = 0
) -> Profile:
    """Profile from (x0, y0) to (x1, y1) nm (FOV frame, from the top-left corner), linear interpolation.

    ``width_nm`` averages perpendicular to the line (0 = one pixel wide). Both end points must lie in the image.
    """
    img = as_image(image)
    px = positive("pixel_size_nm", pixel_size_nm)
    fov_x, fov_y = img.shape[1] * px, img.shape[0] * px
    for name, value, limit in (
        ("x0_nm", x0_nm, fov_x),
        ("x1_nm", x1_nm, fov_x),
        ("y0_nm", y0_nm, fov_y),
        ("y1_nm", y1_nm, fov_y),
    ):
        if not (math.isfinite(value) and 0.0 <= value <= limit):
            raise AnalysisError(f"{name} = {value} lies outside the image (0 to {limit:.4g} nm).")
    if width_nm < 0 or not math.isfinite(width_nm):
        raise AnalysisError(f"width_nm must be >= 0, got {width_nm}.")
    length = math.hypot(x1_nm - x0_nm, y1_nm - y0_nm)
    if length < px:
        raise AnalysisError(
            f"the line is shorter than one pixel ({length:.3g} nm < {px:.3g} nm); pick two distinct points."
        )
    start = (y0_nm / px - 0.5, x0_nm / px - 0.5)
    end = (y1_nm / px - 0.5, x1_nm / px - 0.5)
    linewidth = max(1, round(width_nm / px))
    values = profile_line(img, start, end, linewidth=linewidth, order=1, mode="nearest", reduce_func=np.mean)
    values = np.asarray(values, dtype=np.float64)
    sigma = noise_sigma(img) / math.sqrt(linewidth)
    note = _verdict(values, sigma)
    return Profile(np.linspace(0.0, length, len(values)), values, linewidth * px, sigma, not note, note)


def _verdict(values: NDArray[np.float64], sigma: float) -> str:
    """Why the profile shows nothing but noise ("" when it shows a feature): the range of a 3-sample running
    mean (noise sigma / sqrt 3) is compared with the noise."""
    smooth = np.convolve(values, np.ones(3) / 3.0, mode="valid") if len(values) >= 3 else values
    span = float(np.ptp(smooth))
    if sigma > 0 and span < MIN_CONTRAST_SIGMAS * sigma:
        return (
            f"the profile varies by {span / sigma:.1f} noise sigmas of one value: what it shows is noise; widen "
            "the line (width_nm) to average more pixels, or use a longer dwell"
        )
    return ""
