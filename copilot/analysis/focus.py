"""Unitless image sharpness that falls monotonically with defocus blur for the same field."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import ndimage as ndi

from copilot.analysis._validate import as_image, positive
from copilot.analysis.fft import frequency_axes, power_spectrum


@dataclass(frozen=True)
class Focus:
    """``sharpness`` = fraction of the (non-DC) power between 0.15 and 0.6 x Nyquist; the others are classic
    alternatives normalised by the mean squared so that dose does not change them."""

    sharpness: float
    brenner: float
    laplacian_variance: float


def focus_quality(image: ArrayLike, pixel_size_nm: float) -> Focus:
    """Sharpness of an image: compare frames of the same field taken at different focus (higher = sharper)."""
    img = as_image(image)
    px = positive("pixel_size_nm", pixel_size_nm)
    power = power_spectrum(img)
    fx, fy = frequency_axes(img.shape, px)
    k_rel = np.hypot(*np.meshgrid(fx, fy)) * 2 * px  # 1 at Nyquist
    total = float(power[k_rel > 0].sum())
    band = float(power[(k_rel >= 0.15) & (k_rel <= 0.6)].sum())
    mean_sq = float(img.mean()) ** 2 or 1.0
    brenner = float(np.mean((img[:, 2:] - img[:, :-2]) ** 2)) / mean_sq
    lap_var = float(ndi.laplace(img).var()) / mean_sq
    return Focus(band / total if total > 0 else 0.0, brenner, lap_var)
