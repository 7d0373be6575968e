"""Unitless image sharpness that falls monotonically with defocus blur for the same field."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import ndimage as ndi

from copilot.analysis._validate import as_image, noise_sigma, positive
from copilot.analysis.fft import frequency_axes, power_spectrum


@dataclass(frozen=True)
class Focus:
    """``sharpness`` = fraction of the (non-DC) power between 0.15 and 0.6 x Nyquist; the others are classic
    alternatives normalised by the mean squared so that dose does not change them.

    ``sharpness_uncertainty`` is one standard deviation of ``sharpness``: the scatter of the four quadrants'
    values over 2 (how much the number depends on which part of the field it is read on). ``noise_fraction`` is
    the share of the band's power that white noise alone puts there; ``reliable`` is false when it is over half,
    for then the number follows the dose more than the focus.
    """

    sharpness: float
    brenner: float
    laplacian_variance: float
    sharpness_uncertainty: float = 0.0
    noise_fraction: float = 0.0
    reliable: bool = True
    reliability_note: str = ""


MAX_NOISE_FRACTION = 0.5
BAND = (0.15, 0.6)  # of the Nyquist frequency


def _band_fraction(img: np.ndarray, px: float) -> tuple[float, float, float]:
    """Sharpness (band power over all non-DC power), the band power and the number of band pixels."""
    power = power_spectrum(img)
    fx, fy = frequency_axes(img.shape, px)
    k_rel = np.hypot(*np.meshgrid(fx, fy)) * 2 * px  # 1 at Nyquist
    total = float(power[k_rel > 0].sum())
    in_band = (k_rel >= BAND[0]) & (k_rel <= BAND[1])
    band = float(power[in_band].sum())
    return (band / total if total > 0 else 0.0), band, float(in_band.sum())


def focus_quality(image: ArrayLike, pixel_size_nm: float) -> Focus:
    """Sharpness of an image: compare frames of the same field taken at different focus (higher = sharper)."""
    img = as_image(image)
    px = positive("pixel_size_nm", pixel_size_nm)
    sharpness, band, band_pixels = _band_fraction(img, px)
    mean_sq = float(img.mean()) ** 2 or 1.0
    brenner = float(np.mean((img[:, 2:] - img[:, :-2]) ** 2)) / mean_sq
    lap_var = float(ndi.laplace(img).var()) / mean_sq
    ny, nx = img.shape
    quadrants = [img[r : r + ny // 2, c : c + nx // 2] for r in (0, ny // 2) for c in (0, nx // 2)]
    spread = [_band_fraction(q, px)[0] for q in quadrants if min(q.shape) >= 8]
    uncertainty = float(np.std(spread, ddof=1) / 2.0) if len(spread) == 4 else float("nan")
    # White noise of variance s^2 puts s^2 * N * sum(window^2) of power in every Fourier pixel (Hann: (3/8)^2).
    window_sq = float(np.sum(np.hanning(ny) ** 2) * np.sum(np.hanning(nx) ** 2))
    noise_power = noise_sigma(img) ** 2 * window_sq * band_pixels
    fraction = min(noise_power / band, 1.0) if band > 0 else 1.0
    note = ""
    if fraction > MAX_NOISE_FRACTION:
        note = (
            f"white noise makes up {100 * fraction:.0f} % of the power that sharpness measures: the number follows "
            "the dose more than the focus; compare only frames of the same dose, or use a longer dwell"
        )
    return Focus(sharpness, brenner, lap_var, uncertainty, fraction, not note, note)
