"""Atomic columns in a STEM image: sub-pixel positions, intensities and intensity classes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import gaussian_filter, minimum_filter
from scipy.spatial import cKDTree
from skimage.feature import peak_local_max

from copilot.analysis._validate import as_image, fraction, noise_sigma, pixel_to_fov_nm, positive
from copilot.analysis.classes import assign_classes, classify_intensities
from copilot.analysis.errors import AnalysisError

SIGNAL_POWER_FACTOR = 10.0
"""A Fourier component of the image is kept only where its power stands this many white-noise powers high (pure
noise exceeds it with probability e^-10): lattice reflections and particle shapes pass, shot noise does not."""
MIN_SIGNAL_VARIANCE = 0.003
"""An image whose noise-filtered version varies by less than this fraction of the noise variance holds no columns
(pure noise keeps about 5e-4 of it; graphene at the default dose 0.01 to 0.1)."""
LOCAL_MEAN_SIGMAS = -1.5
"""At low dose a candidate is a column unless its matched-filter value lies more than 1.5 noise sigmas below the
local mean (two atom spacings around): a vacancy the Fourier filter bridged is darker than that."""
HOLLOW_SIGMAS = 4.0
"""At high dose a dim column beside bright ones (S2 beside Mo) lies below the local mean but stands this many
noise sigmas above the darkest point within one atom spacing (the nearest hollow)."""
LOCAL_MEAN_SPACINGS = 2.0
SMOOTHING_PER_SPACING = 0.25  # matched-filter sigma as a fraction of the atom spacing (about the probe size)
MIN_RELIABLE_COLUMNS = 8
MIN_COLUMN_SNR = 5.5
"""A count is reliable when the median column stands this many noise sigmas above its nearest hollow."""
MAX_MARGINAL_FRACTION = 0.05  # more columns than this within one sigma of the threshold: the count is not settled
CROWDED_FACTOR = 1.1
MAX_CROWDED_FRACTION = 0.15
"""More columns than this fraction within ``CROWDED_FACTOR`` x ``min_distance_nm`` of a neighbour means columns are
pressed against the closest separation told apart, and closer ones have been merged (rows compressed by drift
during a slow frame, or a spacing below ``min_distance_nm``)."""


@dataclass(frozen=True)
class AtomsFound:
    """Atomic columns found in an image. Positions are FOV (x, y) nm from the top-left corner.

    ``intensities`` are peak heights above the background of the smoothed image (counts); ``classes`` number the
    intensity classes from the dimmest (0) upwards and ``class_mean_intensities`` gives their means.
    """

    positions_nm: NDArray[np.float64]
    intensities: NDArray[np.float64]
    classes: NDArray[np.int64]
    class_mean_intensities: tuple[float, ...]
    spacing_nm: float  # median distance to the three nearest neighbours (nan with fewer than two atoms)
    smoothing_nm: float  # sigma of the Gaussian pre-filter that was used
    count_uncertainty: float = 0.0  # columns that a different noise draw would add or drop (about 1 sigma)
    reliable: bool = True
    reliability_note: str = ""  # why the count is not reliable (empty when it is)

    @property
    def count(self) -> int:
        """Number of atomic columns found."""
        return len(self.positions_nm)

    @property
    def class_counts(self) -> tuple[int, ...]:
        """Number of columns in each intensity class."""
        return tuple(int(n) for n in np.bincount(self.classes, minlength=len(self.class_mean_intensities)))


def nearest_neighbour_nm(positions_nm: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distance from every point to its nearest other point."""
    if len(positions_nm) < 2:
        return np.full(len(positions_nm), np.nan)
    dist, _ = cKDTree(positions_nm).query(positions_nm, k=2)
    return np.asarray(dist[:, 1])


def _median_spacing(positions_nm: NDArray[np.float64]) -> float:
    """Median distance from each point to its (up to) three nearest others; nan with fewer than two points.

    Atomic columns have at least three equidistant nearest neighbours (honeycomb, square, hexagonal lattices);
    the nearest of three noisy distances alone would read the spacing short by about one position error.
    """
    if len(positions_nm) < 2:
        return float("nan")
    k = min(3, len(positions_nm) - 1)
    dist, _ = cKDTree(positions_nm).query(positions_nm, k=k + 1)
    return float(np.median(dist[:, 1:]))


def _fit_peaks(
    smooth: NDArray[np.float64], rows: NDArray[np.int64], cols: NDArray[np.int64], background: float, radius: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Sub-pixel peak (row, col) and height: weighted least squares of a quadratic to log intensity (a Gaussian)."""
    dy, dx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    dy, dx = dy.ravel().astype(np.float64), dx.ravel().astype(np.float64)
    design = np.column_stack([np.ones_like(dx), dx, dy, dx * dx, dx * dy, dy * dy])
    padded = np.pad(smooth - background, radius, mode="reflect")
    patches = padded[rows[:, None] + radius + dy.astype(int), cols[:, None] + radius + dx.astype(int)]
    floor = 1e-6 * np.max(patches, axis=1, keepdims=True) + 1e-12
    values = np.maximum(patches, floor)
    weights = values**2  # log-domain variance ~ 1/value^2
    lhs = np.einsum("ni,ij,ik->njk", weights, design, design)
    rhs = np.einsum("ni,ij,ni->nj", weights, design, np.log(values))
    coef = np.linalg.solve(lhs + 1e-12 * np.eye(6), rhs[..., None])[..., 0]
    _, bx, by, cxx, cxy, cyy = coef.T
    det = 4 * cxx * cyy - cxy**2
    ok = (cxx < 0) & (cyy < 0) & (det > 0)
    safe = np.where(ok, det, 1.0)
    ox = np.where(ok, (cxy * by - 2 * cyy * bx) / safe, 0.0)
    oy = np.where(ok, (cxy * bx - 2 * cxx * by) / safe, 0.0)
    inside = (np.abs(ox) <= radius) & (np.abs(oy) <= radius)
    ox, oy = np.where(inside, ox, 0.0), np.where(inside, oy, 0.0)
    height = np.exp(coef[:, 0] + bx * ox + by * oy + cxx * ox**2 + cxy * ox * oy + cyy * oy**2)
    height = np.where(ok & inside, height, patches[:, radius * (2 * radius + 2)])
    return rows.astype(np.float64) + oy, cols.astype(np.float64) + ox, height


def _suppress_close(peaks: NDArray[np.int64], heights: NDArray[np.float64], min_px: float) -> NDArray[np.int64]:
    """Keep, brightest first, only peaks at least ``min_px`` (Euclidean) from every brighter kept peak."""
    order = np.argsort(heights)[::-1]
    peaks = peaks[order]
    tree = cKDTree(peaks)
    alive = np.ones(len(peaks), dtype=bool)
    for i in range(len(peaks)):
        if alive[i]:
            for j in tree.query_ball_point(peaks[i], r=min_px - 1e-9):
                if j > i:
                    alive[j] = False
    return peaks[alive]


def signal_filtered(image: NDArray[np.float64], power_factor: float = SIGNAL_POWER_FACTOR) -> NDArray[np.float64]:
    """The image with white noise removed in Fourier space: each component is scaled by
    ``max(0, 1 - power_factor * N / P)`` (a Wiener-type gain), where P is its power and N the white-noise power
    measured in the outer ring of the spectrum (see :func:`noise_sigma`). The image is mirrored out by a quarter
    of its size first, so columns at one edge do not wrap round to the other."""
    pad = max(16, max(image.shape) // 4)
    mean = float(image.mean())
    padded = np.pad(image - mean, pad, mode="symmetric")
    spectrum = np.fft.rfft2(padded)  # real input: half the spectrum is enough
    power = spectrum.real**2 + spectrum.imag**2
    noise_power = noise_sigma(image) ** 2 * padded.size
    floor = power_factor * noise_power
    gain = np.zeros_like(power)
    signal = power > floor  # divides only where the power is well above zero
    gain[signal] = 1.0 - floor / power[signal]
    return np.asarray(np.fft.irfft2(spectrum * gain, s=padded.shape)[pad:-pad, pad:-pad] + mean)


@dataclass(frozen=True)
class _Detection:
    rows: NDArray[np.float64]
    cols: NDArray[np.float64]
    sigma_nm: float
    marginal: int  # candidates within one noise sigma of the keep/drop decision
    column_snr: float  # median height of the kept columns over their nearest hollow, in noise sigmas


def _nothing(sigma_nm: float) -> _Detection:
    return _Detection(np.empty(0), np.empty(0), sigma_nm, 0, 0.0)


def _detect(
    image: NDArray[np.float64], px: float, min_distance_nm: float, smoothing_nm: float | None, threshold: float
) -> _Detection:
    """Columns (row, col), the matched-filter sigma (nm) used to judge them and how clear-cut the judgement was.

    Candidates are the maxima of the noise-filtered image (:func:`signal_filtered`) at least ``min_distance_nm``
    apart, brightest first, higher than ``threshold`` x the brightest ones above its dark level. Each is kept if
    the image smoothed by a Gaussian of 0.25 x the atom spacing (their median nearest-neighbour distance; or
    ``smoothing_nm``) is not more than 1.5 noise sigmas below its local mean there, so that hollows and vacancies
    the Fourier filter bridged are not counted. Positions are refined to sub-pixel on the filtered image.
    """
    default_sigma = smoothing_nm or SMOOTHING_PER_SPACING * min_distance_nm
    filtered = signal_filtered(image)
    if not has_structure(image, filtered):
        return _nothing(default_sigma)
    peaks = peak_local_max(filtered, min_distance=1, exclude_border=False)
    background = float(np.percentile(filtered, 5))
    heights = filtered[peaks[:, 0], peaks[:, 1]] - background
    if len(peaks) > 0:  # the filter has removed hot pixels, so the brightest column is a fair reference
        peaks = peaks[heights > max(threshold * float(heights.max()), 0.0)]
    if len(peaks) == 0:
        return _nothing(default_sigma)
    peaks = _suppress_close(peaks, filtered[peaks[:, 0], peaks[:, 1]], min_distance_nm / px)
    # Filter scales follow the closest-neighbour distance (the one that must stay resolved).
    spacing_px = float(np.median(nearest_neighbour_nm(peaks.astype(np.float64)))) if len(peaks) > 1 else np.nan
    if not np.isfinite(spacing_px):
        spacing_px = min_distance_nm / px
    sigma_px = max(smoothing_nm / px if smoothing_nm is not None else SMOOTHING_PER_SPACING * spacing_px, 0.7)
    matched = gaussian_filter(image, sigma_px, mode="reflect")
    local = gaussian_filter(image, LOCAL_MEAN_SPACINGS * spacing_px, mode="reflect")
    hollow = minimum_filter(matched, size=2 * round(spacing_px) + 1, mode="reflect")
    noise = max(noise_sigma(image) / (2.0 * np.sqrt(np.pi) * sigma_px), 1e-300)  # white noise after the Gaussian
    value = matched[peaks[:, 0], peaks[:, 1]]
    over_mean = (value - local[peaks[:, 0], peaks[:, 1]]) / noise
    over_hollow = (value - hollow[peaks[:, 0], peaks[:, 1]]) / noise
    score = np.maximum(over_mean - LOCAL_MEAN_SIGMAS, over_hollow - HOLLOW_SIGMAS)
    keep = score >= 0
    peaks = peaks[keep]
    snr = float(np.median(over_hollow[keep])) if keep.any() else 0.0
    radius = max(1, min(round(0.3 * min_distance_nm / px), 6))
    rows, cols, _ = _fit_peaks(filtered, peaks[:, 0], peaks[:, 1], background, radius)
    return _Detection(rows, cols, sigma_px * px, int(np.sum(np.abs(score) < 1.0)), snr)


def has_structure(image: NDArray[np.float64], filtered: NDArray[np.float64] | None = None) -> bool:
    """Whether ``image`` holds any structure above its white noise: the noise-filtered image must keep at least
    ``MIN_SIGNAL_VARIANCE`` of the noise variance (pure shot noise keeps about a sixth of that)."""
    kept = signal_filtered(image) if filtered is None else filtered
    return bool(float(np.var(kept)) >= MIN_SIGNAL_VARIANCE * noise_sigma(image) ** 2)


def find_atoms(
    image: ArrayLike,
    pixel_size_nm: float,
    min_distance_nm: float = 0.1,
    threshold: float = 0.05,
    smoothing_nm: float | None = None,
    max_classes: int = 3,
    raw: ArrayLike | None = None,
) -> AtomsFound:
    """Find atomic columns: positions to sub-pixel precision, peak intensities and intensity classes.

    Shot noise is removed in Fourier space where it outweighs the signal (lattice reflections stand thousands of
    noise powers high even at low dose), maxima at least ``min_distance_nm`` apart and above ``threshold`` x the
    brightest columns are the candidates, and each is kept when the raw image, smoothed over about the probe size
    (0.25 x the measured atom spacing), is not well below its local mean there: thresholds are relative to the
    measured noise, so the count holds at realistic dose. Positions are refined by a weighted quadratic fit to the
    log intensity (exact for a Gaussian column). Intensities are split into at most ``max_classes``
    well-separated classes by one-dimensional k-means (HAADF: heavier columns are brighter).

    Parameters
    ----------
    image : array_like, 2-D
        HAADF image in counts (bright atoms on a dark background).
    pixel_size_nm : float
        Pixel size in nm.
    min_distance_nm : float
        Closest distance at which two columns are told apart.
    threshold : float
        Least peak height as a fraction of the brightest columns' height, in [0, 1].
    smoothing_nm : float, optional
        Sigma of the matched filter that judges each candidate, in nm; by default 0.25 x the measured spacing.
    max_classes : int
        Most intensity classes (1 to 5).
    raw : array_like, optional
        The acquisition ``image`` was derived from (before denoising). Filtering hides the white noise that
        significance is judged against, so the raw image decides whether there is any structure at all: denoised
        noise has no columns.

    Returns
    -------
    AtomsFound
    """
    img = as_image(image)
    px = positive("pixel_size_nm", pixel_size_nm)
    min_d = positive("min_distance_nm", min_distance_nm)
    thr = fraction("threshold", threshold)
    if not 1 <= max_classes <= 5:
        raise AnalysisError(f"max_classes must be 1 to 5, got {max_classes}.")
    smoothing = positive("smoothing_nm", smoothing_nm) if smoothing_nm is not None else None
    if raw is not None and not has_structure(as_image(raw, "raw")):
        found = _nothing(smoothing or SMOOTHING_PER_SPACING * min_d)
    else:
        found = _detect(img, px, min_d, smoothing, thr)
    rows, cols = found.rows, found.cols
    positions = pixel_to_fov_nm(rows, cols, px)
    spacing = _median_spacing(positions)
    # Intensities from a light filter (0.3 x min_distance_nm): little spill-over from neighbouring columns.
    light = gaussian_filter(img, max(0.3 * min_d / px, 0.5), mode="reflect")
    r = np.clip(np.round(rows).astype(int), 0, img.shape[0] - 1)
    c = np.clip(np.round(cols).astype(int), 0, img.shape[1] - 1)
    heights = light[r, c] - float(np.percentile(light, 5))
    # Columns cut by the image border look dimmer: fit the classes on the interior ones only.
    margin = 0.5 * spacing if np.isfinite(spacing) else 0.0
    fov = np.array([img.shape[1], img.shape[0]]) * px
    interior = np.all((positions >= margin) & (positions <= fov - margin), axis=1)
    fit_on = heights[interior] if interior.sum() >= 2 else heights
    means = classify_intensities(fit_on, max_classes=max_classes).means if len(heights) else ()
    note = _reliability(found, len(rows)) or _crowding(positions, min_d)
    if len(rows) == 0:
        note = _lattice_without_columns(img, px) or note
    uncertainty = 0.5 * found.marginal + float(np.sqrt(found.marginal))
    classes = assign_classes(heights, means)
    return AtomsFound(positions, heights, classes, means, spacing, found.sigma_nm, uncertainty, not note, note)


def _lattice_without_columns(img: NDArray[np.float64], px: float) -> str:
    """The verdict when no column stands out but the Fourier transform still shows a lattice ("" otherwise): the
    periodicity averages over thousands of columns, a single column's signal does not."""
    from copilot.analysis.fft import compute_fft

    peaks = compute_fft(img, px, max_peaks=6).peaks
    if len(peaks) < 2:
        return ""
    d = ", ".join(f"{p.d_spacing_nm:.3g}" for p in peaks[:3])
    return (
        f"a lattice shows in the Fourier transform (d = {d} nm) but no single column stands above the noise: the "
        "count is not measurable at this dose; raise the dose (dwell or current) several-fold"
    )


def _crowding(positions_nm: NDArray[np.float64], min_distance_nm: float) -> str:
    """Why columns may have been merged ("" when few sit at the closest separation told apart)."""
    if len(positions_nm) < MIN_RELIABLE_COLUMNS:
        return ""
    crowded = int(np.sum(nearest_neighbour_nm(positions_nm) < CROWDED_FACTOR * min_distance_nm))
    if crowded <= MAX_CROWDED_FRACTION * len(positions_nm):
        return ""
    return (
        f"{crowded} of {len(positions_nm)} columns sit within {CROWDED_FACTOR * min_distance_nm:.3g} nm of a "
        "neighbour, the closest separation told apart (min_distance_nm): closer columns were merged (drift "
        "compressing the rows of a slow frame, or a spacing below min_distance_nm); take a faster frame or lower "
        "min_distance_nm"
    )


def _reliability(found: _Detection, count: int) -> str:
    """Why a count cannot be trusted ("" when it can)."""
    if count == 0:
        return "no columns stand above the noise (no structure, or too little dose)"
    if count < MIN_RELIABLE_COLUMNS:
        return f"only {count} columns found: too few to judge a lattice or a spacing"
    if found.column_snr < MIN_COLUMN_SNR:
        return (
            f"columns stand only {found.column_snr:.1f} noise sigmas above their hollows (low signal): some are "
            "missed or merged; raise the dose (dwell) or correct the focus"
        )
    if found.marginal > MAX_MARGINAL_FRACTION * count:
        return f"{found.marginal} of {count} columns are within one noise sigma of the detection threshold"
    return ""
