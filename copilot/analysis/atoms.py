"""Atomic columns in a STEM image: sub-pixel positions, intensities and intensity classes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import gaussian_filter, gaussian_laplace
from scipy.spatial import cKDTree
from skimage.feature import peak_local_max

from copilot.analysis._validate import as_image, fraction, noise_sigma, pixel_to_fov_nm, positive
from copilot.analysis.classes import assign_classes, classify_intensities
from copilot.analysis.errors import AnalysisError

NOISE_SIGMAS = 5.0  # a peak must stand this many smoothed-noise sigmas above the background
# Std of -LoG(sigma) applied to unit white noise is LOG_NOISE_GAIN / sigma^3 (sigma in pixels, sigma >= 1).
LOG_NOISE_GAIN = float(np.sqrt(0.5 / np.pi))
SMOOTHING_PER_SPACING = 0.25  # pre-filter sigma as a fraction of the atom spacing
LOG_SIGMAS = 3.0  # ... and be a peak of -LoG this many of its noise sigmas high


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
    spacing_nm: float  # median nearest-neighbour distance (nan with fewer than two atoms)
    smoothing_nm: float  # sigma of the Gaussian pre-filter that was used

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
    """Median nearest-neighbour distance (nan with fewer than two points)."""
    return float(np.median(nearest_neighbour_nm(positions_nm))) if len(positions_nm) > 1 else float("nan")


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


def _detect(
    image: NDArray[np.float64], px: float, smoothing_nm: float, min_distance_nm: float, threshold: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(row, col) of columns: maxima of the negative Laplacian of Gaussian, kept above threshold and noise.

    A dim column on a bright neighbour's tail is only a shoulder of the smoothed image but a peak of -LoG.
    Positions are refined to sub-pixel on the -LoG response.
    """
    sigma_px = max(smoothing_nm / px, 1.0)
    smooth = gaussian_filter(image, sigma_px, mode="reflect")
    response = -gaussian_laplace(image, sigma_px, mode="reflect")
    background = float(np.percentile(smooth, 5))
    peaks = peak_local_max(response, min_distance=1, exclude_border=False)
    if len(peaks) == 0:
        return np.empty(0), np.empty(0)
    heights = smooth[peaks[:, 0], peaks[:, 1]] - background
    strength = response[peaks[:, 0], peaks[:, 1]]
    sigma = noise_sigma(image)
    smooth_noise = sigma / max(1.0, 2.0 * np.sqrt(np.pi) * sigma_px)
    keep = (heights >= threshold * np.percentile(heights, 99)) & (heights >= NOISE_SIGMAS * smooth_noise)
    keep &= strength >= LOG_SIGMAS * sigma * LOG_NOISE_GAIN / sigma_px**3
    peaks = _suppress_close(peaks[keep], strength[keep], min_distance_nm / px)
    radius = max(1, min(round(0.3 * min_distance_nm / px), 6))
    rows, cols, _ = _fit_peaks(response, peaks[:, 0], peaks[:, 1], 0.0, radius)
    return rows, cols


def find_atoms(
    image: ArrayLike,
    pixel_size_nm: float,
    min_distance_nm: float = 0.1,
    threshold: float = 0.05,
    smoothing_nm: float | None = None,
    max_classes: int = 3,
) -> AtomsFound:
    """Find atomic columns: positions to sub-pixel precision, peak intensities and intensity classes.

    The image is smoothed with a Gaussian of 0.3 x the atom spacing (first estimated with ``min_distance_nm``,
    then re-estimated from the median nearest-neighbour distance of the first pass), local maxima above
    ``threshold`` x the brightest columns and above five noise sigmas are kept, and each is refined by a weighted
    quadratic fit to the log intensity (exact for a Gaussian column). Intensities are split into at most
    ``max_classes`` well-separated classes by one-dimensional k-means (HAADF: heavier columns are brighter).

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
        Sigma of the pre-filter in nm; by default 0.3 x the measured atom spacing.
    max_classes : int
        Most intensity classes (1 to 5).

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
    sigma = positive("smoothing_nm", smoothing_nm) if smoothing_nm is not None else 0.3 * min_d
    rows, cols = _detect(img, px, sigma, min_d, thr)
    positions = pixel_to_fov_nm(rows, cols, px)
    spacing = _median_spacing(positions)
    if smoothing_nm is None and np.isfinite(spacing) and spacing > min_d:
        # Stronger smoothing suppresses noise, but must not merge dim columns into bright neighbours.
        second = _detect(img, px, SMOOTHING_PER_SPACING * spacing, max(min_d, 0.5 * spacing), thr)
        if len(second[0]) >= 0.95 * len(rows):
            sigma = SMOOTHING_PER_SPACING * spacing
            rows, cols = second
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
    means = classify_intensities(fit_on, max_classes=max_classes).means
    return AtomsFound(positions, heights, assign_classes(heights, means), means, spacing, sigma)
