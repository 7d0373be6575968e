"""Intensity or height profile along a line given in FOV nm."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from skimage.measure import profile_line

from copilot.analysis._validate import as_image, positive
from copilot.analysis.errors import AnalysisError


@dataclass(frozen=True)
class Profile:
    """Values sampled once per pixel along the line, averaged across ``width_nm``."""

    distance_nm: NDArray[np.float64]
    values: NDArray[np.float64]
    width_nm: float


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
    return Profile(np.linspace(0.0, length, len(values)), np.asarray(values, dtype=np.float64), linewidth * px)
