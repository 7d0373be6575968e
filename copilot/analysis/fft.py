"""Fourier transform of an image: windowed power spectrum, calibrated frequency axes and significant peaks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import maximum_filter

from copilot.analysis._validate import as_image, positive


@dataclass(frozen=True)
class FFTPeak:
    """One Bragg-like peak of the power spectrum (of a Friedel pair, the one with ky >= 0)."""

    kx_per_nm: float
    ky_per_nm: float
    d_spacing_nm: float
    angle_deg: float  # direction of k from the +x axis, y downwards, in [0, 180)
    strength: float  # peak power over the radial median background (unitless)
    d_uncertainty_nm: float = 0.0  # one standard deviation of d_spacing_nm (noise and sub-bin interpolation)


@dataclass(frozen=True)
class FFTResult:
    """Log power spectrum (DC at row ny//2, column nx//2), its frequency axes and the strongest peaks."""

    log_power: NDArray[np.float32]
    frequency_x_per_nm: NDArray[np.float64]
    frequency_y_per_nm: NDArray[np.float64]
    peaks: tuple[FFTPeak, ...]
    reliable: bool = True
    reliability_note: str = ""  # why the peaks cannot be trusted (empty when they can)
    first_order_d_nm: float | None = None  # the largest lattice spacing (see ``first_order``); None: no peak
    first_order_d_uncertainty_nm: float | None = None  # one standard deviation of first_order_d_nm


PEAK_SCATTER_BINS = 0.7
"""Scatter of a peak's radial position in Fourier bins times sqrt(strength), measured on cosines in white noise
(0.64 to 0.75 for strengths 80 to 300)."""
PEAK_FLOOR_BINS = 0.025
"""Scatter left at high strength: the parabola through three bins of a Hann-windowed peak is not exact."""
LONE_PEAK_FACTOR = 2.0  # a lone peak weaker than this times the detection level may be noise
NYQUIST_GUARD = 0.85
"""A peak beyond this fraction of the Nyquist frequency may be a finer spacing folded back (aliased)."""
FIRST_ORDER_MIN_FRACTION = 0.001
"""A peak can be of the first order when its strength is at least this fraction of the strongest peak's: the 100
peaks of SrTiO3 in HAADF stand at 0.2 to 1 % of its 200 peaks (measured on the twin, noise-free to 1 us dwell);
stray maxima that pass too fail the closure test (``_in_the_lattice``)."""
FIRST_ORDER_SEARCH_PEAKS = 400
"""Peaks searched for the first order: it can rank below ``max_peaks`` (the 100 peaks of SrTiO3 rank 30th)."""
FIRST_ORDER_D_FRACTION = 0.85
"""The first-order family: peaks with a d-spacing at least this fraction of the largest (the next order of a
hexagonal lattice is at 1/sqrt(3) = 0.58 of the first, of a square one at 1/sqrt(2) = 0.71)."""
CLOSURE_BINS = 2.5
"""How close (Fourier bins) a sum of two peaks' vectors must land on a third for the three to be one lattice."""


def power_spectrum(image: NDArray[np.float64]) -> NDArray[np.float64]:
    """Centred power spectrum of the mean-subtracted, Hann-windowed image."""
    ny, nx = image.shape
    window = np.outer(np.hanning(ny), np.hanning(nx))
    spectrum = np.fft.fftshift(np.fft.fft2((image - image.mean()) * window))
    return np.abs(spectrum) ** 2


def frequency_axes(shape: tuple[int, ...], pixel_size_nm: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centred frequency axes (1/nm) along x (columns) and y (rows) for an image of ``shape``."""
    ny, nx = shape
    fx = np.fft.fftshift(np.fft.fftfreq(nx, d=pixel_size_nm))
    fy = np.fft.fftshift(np.fft.fftfreq(ny, d=pixel_size_nm))
    return fx, fy


def _radial_background(power: NDArray[np.float64], k_nm: NDArray[np.float64], dk: float) -> NDArray[np.float64]:
    """Median power in rings of width ``dk``, evaluated at every pixel (the smooth, non-Bragg background)."""
    ring = np.minimum((k_nm / dk).astype(np.int64), int(k_nm.max() / dk))
    order = np.argsort(ring, axis=None)
    ring_sorted = ring.ravel()[order]
    values = power.ravel()[order]
    edges = np.flatnonzero(np.diff(ring_sorted)) + 1
    medians = np.array([np.median(chunk) for chunk in np.split(values, edges)])
    lookup = np.zeros(ring_sorted[-1] + 1)
    lookup[ring_sorted[np.r_[0, edges]]] = medians
    # Floor: rounding noise of the FFT (relative ~1e-16 per sample) must not look like a significant peak.
    return np.maximum(lookup[ring], 1e-9 * float(power.max()) + np.finfo(np.float64).tiny)


def _parabolic_offset(minus: float, centre: float, plus: float) -> float:
    """Sub-sample offset of the vertex of the parabola through three equally spaced samples, in [-0.5, 0.5]."""
    denom = minus - 2.0 * centre + plus
    if denom >= 0:
        return 0.0
    return float(np.clip(0.5 * (minus - plus) / denom, -0.5, 0.5))


def find_peaks(
    power: NDArray[np.float64], pixel_size_nm: float, max_peaks: int = 24, min_strength: float | None = None
) -> list[FFTPeak]:
    """Significant local maxima of a centred power spectrum, strongest first, one per Friedel pair.

    The default ``min_strength`` keeps the expected number of false peaks from exponential speckle (the power
    spectrum of noise) below about 0.1 per spectrum.
    """
    ny, nx = power.shape
    fx, fy = frequency_axes(power.shape, pixel_size_nm)
    kx, ky = np.meshgrid(fx, fy)
    k_nm = np.hypot(kx, ky)
    dk = max(fx[1] - fx[0], fy[1] - fy[0])
    ratio = power / _radial_background(power, k_nm, dk)
    if min_strength is None:
        min_strength = math.log2(power.size * 100.0)
    is_max = (ratio == maximum_filter(ratio, size=5, mode="wrap")) & (ratio >= min_strength) & (k_nm > 2.5 * dk)
    upper = (ky > 0) | ((ky == 0) & (kx > 0))
    rows, cols = np.nonzero(is_max & upper)
    order = np.argsort(ratio[rows, cols])[::-1][:max_peaks]
    log_p = np.log(np.maximum(power, np.finfo(np.float64).tiny))
    peaks = []
    for r, c in zip(rows[order], cols[order], strict=True):
        dc = _parabolic_offset(log_p[r, (c - 1) % nx], log_p[r, c], log_p[r, (c + 1) % nx])
        dr = _parabolic_offset(log_p[(r - 1) % ny, c], log_p[r, c], log_p[(r + 1) % ny, c])
        kxp = (c - nx // 2 + dc) / (nx * pixel_size_nm)
        kyp = (r - ny // 2 + dr) / (ny * pixel_size_nm)
        k = math.hypot(kxp, kyp)
        angle = math.degrees(math.atan2(kyp, kxp)) % 180.0
        strength = float(ratio[r, c])
        sigma_bins = math.hypot(PEAK_SCATTER_BINS / math.sqrt(strength), PEAK_FLOOR_BINS)
        sigma_k = sigma_bins / (min(nx, ny) * pixel_size_nm)
        peaks.append(FFTPeak(float(kxp), float(kyp), 1.0 / k, angle, strength, sigma_k / (k * k)))
    return peaks


def peaks_verdict(peaks: list[FFTPeak] | tuple[FFTPeak, ...], pixel_size_nm: float, detection_level: float) -> str:
    """Why a set of Fourier peaks cannot be trusted ("" when it can): none above the noise, a lone peak near the
    detection level (noise gives one now and then), or a peak so close to the Nyquist frequency that a finer
    spacing may have folded back onto it."""
    if not peaks:
        return "no Fourier peak stands above the noise: no periodic structure is resolved (low signal or no lattice)"
    nyquist = 0.5 / pixel_size_nm
    near = [p for p in peaks if 1.0 / p.d_spacing_nm > NYQUIST_GUARD * nyquist]
    if near:
        return (
            f"{len(near)} peak(s) lie near the Nyquist limit ({2 * pixel_size_nm:.3g} nm): a spacing finer than two "
            "pixels folds back there (aliasing); acquire with a smaller pixel (smaller fov_nm or more pixels)"
        )
    if len(peaks) == 1 and peaks[0].strength < LONE_PEAK_FACTOR * detection_level:
        return (
            f"only one Fourier peak ({peaks[0].d_spacing_nm:.3g} nm), near the detection level: it may be a chance "
            "peak of the noise; no periodic structure is resolved"
        )
    return ""


def _lands_on_a_peak(k: NDArray[np.float64], found: NDArray[np.float64], tolerance_per_nm: float) -> bool:
    """Whether the vector ``k`` (1/nm) or its Friedel mate is within ``tolerance_per_nm`` of a found peak."""
    return bool(np.min(np.minimum(np.hypot(*(found - k).T), np.hypot(*(found + k).T))) <= tolerance_per_nm)


def _in_the_lattice(g: FFTPeak, others: list[FFTPeak], found: NDArray[np.float64], tolerance_per_nm: float) -> bool:
    """A peak belongs to the lattice when, with another peak of about its spacing, both their sum and their
    difference are peaks too (100 and 010 give 110 and 1-10; 10-10 and 01-10 give 11-20 and 1-100). A stray maximum
    fails: the mirror pair of satellites that the line jitter of a 50 Hz stray field puts beside the 100 peaks of
    SrTiO3 differs by 200 but does not add up to a peak."""
    kg = np.array([g.kx_per_nm, g.ky_per_nm])
    for h in others:
        if h is g or not FIRST_ORDER_D_FRACTION <= h.d_spacing_nm / g.d_spacing_nm <= 1.0 / FIRST_ORDER_D_FRACTION:
            continue
        kh = np.array([h.kx_per_nm, h.ky_per_nm])
        if _lands_on_a_peak(kg + kh, found, tolerance_per_nm) and _lands_on_a_peak(kg - kh, found, tolerance_per_nm):
            return True
    return False


def first_order(
    peaks: list[FFTPeak] | tuple[FFTPeak, ...], detection_level: float, bin_per_nm: float
) -> tuple[float, float] | None:
    """The first-order (largest) lattice spacing and its one-sigma uncertainty (nm), or None without peaks.

    At high signal a higher order is often the strongest peak (11-20 of MoS2 at 0.16 nm, 200 of SrTiO3 at
    0.195 nm), so the strongest d-spacing is not the lattice's first order. This is the mean spacing of the
    lattice's peaks with the largest d (within ``FIRST_ORDER_D_FRACTION`` of it): the first-order family, e.g. the
    three 10-10 peaks of a hexagonal lattice. A lattice peak is one at least ``FIRST_ORDER_MIN_FRACTION`` of the
    strongest that closes with the others (see ``_in_the_lattice``, within ``CLOSURE_BINS`` of ``bin_per_nm``);
    when none does (a lone family), the peaks twice the detection level, so no chance peak of the noise. The
    uncertainty is the larger of the mean's own and the family's spread (not divided by the square root of their
    number: drift during the frame stretches the lattice along some directions, which biases the mean alike).
    """
    if not peaks:
        return None
    candidates = [p for p in peaks if p.strength >= FIRST_ORDER_MIN_FRACTION * max(q.strength for q in peaks)]
    found = np.array([[p.kx_per_nm, p.ky_per_nm] for p in candidates])
    tolerance = CLOSURE_BINS * bin_per_nm
    pool = [p for p in candidates if _in_the_lattice(p, candidates, found, tolerance)]
    pool = pool or [p for p in candidates if p.strength >= LONE_PEAK_FACTOR * detection_level]
    pool = pool or [max(peaks, key=lambda p: p.strength)]
    largest = max(p.d_spacing_nm for p in pool)
    family = [p for p in pool if p.d_spacing_nm >= FIRST_ORDER_D_FRACTION * largest]
    d = np.array([p.d_spacing_nm for p in family])
    own = math.sqrt(sum(p.d_uncertainty_nm**2 for p in family)) / len(family)
    spread = float(np.std(d, ddof=1)) if len(d) > 1 else 0.0
    return float(d.mean()), max(own, spread)


def compute_fft(
    image: ArrayLike, pixel_size_nm: float, max_peaks: int = 12, min_strength: float | None = None
) -> FFTResult:
    """Windowed power spectrum of an image with calibrated axes and its main peaks.

    Parameters
    ----------
    image : array_like, 2-D
        The image (absolute counts or heights).
    pixel_size_nm : float
        Pixel size in nm.
    max_peaks : int
        Most peaks to report (one per Friedel pair), strongest first.
    min_strength : float, optional
        Least ratio of peak power to the radial median background; by default a level that noise alone
        exceeds about once in a hundred spectra.

    Returns
    -------
    FFTResult
        ``log_power`` (log10 of power + 1, float32, DC at the centre), frequency axes in 1/nm and the peaks with
        their d-spacings and uncertainties in nm, strongest first; ``first_order_d_nm`` the first-order (largest)
        lattice spacing with its uncertainty (see :func:`first_order`); ``reliable`` is false, with the reason,
        when no peak stands above the noise or a peak lies near the Nyquist limit (possibly aliased).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(128) * 0.05
    >>> img = np.tile(np.cos(2 * np.pi * x / 0.4), (128, 1))
    >>> round(compute_fft(img, 0.05).peaks[0].d_spacing_nm, 3)
    0.4
    """
    img = as_image(image)
    px = positive("pixel_size_nm", pixel_size_nm)
    power = power_spectrum(img)
    fx, fy = frequency_axes(img.shape, px)
    level = min_strength if min_strength is not None else math.log2(power.size * 100.0)
    every = find_peaks(power, px, max_peaks=FIRST_ORDER_SEARCH_PEAKS, min_strength=level)
    peaks = every[:max_peaks]
    note = peaks_verdict(peaks, px, level)
    first = first_order(every, level, 1.0 / (min(img.shape) * px))
    return FFTResult(
        np.log10(power + 1.0).astype(np.float32), fx, fy, tuple(peaks), not note, note,
        None if first is None else first[0], None if first is None else first[1],
    )  # fmt: skip
