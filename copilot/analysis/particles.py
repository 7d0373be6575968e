"""Particle segmentation: detect particles against the noise of a local background, split touching ones, size each
by a model fit (diameter in nm, peak height above the background), flag edge-touching ones, and say when the
result cannot be trusted (particles below the detection limit, too few pixels across a particle)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage as ndi
from skimage.filters import apply_hysteresis_threshold
from skimage.measure import regionprops
from skimage.morphology import h_maxima
from skimage.segmentation import watershed

from copilot.analysis._validate import as_image, positive
from copilot.analysis.particle_fit import fit_sphere

SEED_DEPTH_PX = 1.5
DETECT_SIGMAS = 5.0  # a particle's smoothed peak stands this many noise sigmas above the local background
EXTENT_SIGMAS = 2.0  # its pixels reach down to this level (hysteresis), the fit then finds its true rim
BACKGROUND_NM = 15.0  # length over which the support's signal may vary (contamination, thickness, AFM tilt)
MIN_ORPHAN_CORE_PX = 3  # a seedless region is a particle when this many of its pixels pass the detection level
MIN_SIZED_PX = 2.5  # a particle fewer pixels across than this cannot be told from its neighbours or sized
MAD = 1.4826
NOISE_FLOOR = 1e-3  # of the smoothed image's range


@dataclass(frozen=True)
class Particle:
    """One particle: label in ``Particles.labels``, centre in FOV nm, equivalent-disc area and diameter (from the
    fit), its 1-sigma diameter error, and its peak height above the local background (image units: nm on an AFM
    height image)."""

    label: int
    x_nm: float
    y_nm: float
    area_nm2: float
    diameter_nm: float
    touches_edge: bool
    diameter_error_nm: float = 0.0
    height: float = 0.0


@dataclass(frozen=True)
class Particles:
    """Particles found; statistics (count, diameters, histogram) cover only those not touching the image edge."""

    particles: tuple[Particle, ...]
    labels: NDArray[np.int32]
    threshold: float
    histogram_counts: tuple[int, ...]
    histogram_edges_nm: tuple[float, ...]
    noise_sigma: float = 0.0
    detection_limit_nm: float = 0.0
    count_uncertainty: float = 0.0
    reliable: bool = True
    reliability_note: str = ""

    @property
    def interior(self) -> tuple[Particle, ...]:
        """Particles that do not touch the image edge."""
        return tuple(p for p in self.particles if not p.touches_edge)

    @property
    def count(self) -> int:
        """Number of particles not touching the edge."""
        return len(self.interior)

    @property
    def diameters_nm(self) -> NDArray[np.float64]:
        """Equivalent diameters (nm) of the particles not touching the edge."""
        return np.array([p.diameter_nm for p in self.interior])

    @property
    def mean_diameter_uncertainty_nm(self) -> float:
        """1-sigma error of the mean diameter: the sampling spread plus the particles' own fit errors."""
        d = self.diameters_nm
        if d.size == 0:
            return float("nan")
        errs = np.array([p.diameter_error_nm for p in self.interior])
        return float(np.sqrt((d.var() + np.nanmean(errs**2)) / d.size))


def segment_particles(
    image: ArrayLike,
    pixel_size_nm: float,
    threshold: float | None = None,
    smoothing_nm: float | None = None,
    min_diameter_nm: float = 1.0,
    max_diameter_nm: float | None = None,
    split_touching: bool = True,
    bright: bool = True,
    bin_width_nm: float | None = None,
    threshold_sigmas: float = DETECT_SIGMAS,
) -> Particles:
    """Segment particles and measure their sizes.

    A smooth local background (the support, its contamination, an AFM tilt) is estimated with the particles
    masked out and subtracted; the noise is measured on what remains. A particle is a region whose smoothed
    peak stands ``threshold_sigmas`` noise sigmas above the background (or above ``threshold``, in image units,
    when given); its pixels reach down to 2 sigmas. Touching particles are split by a watershed on the distance
    transform. Each particle's diameter comes from fitting a blurred projected-sphere-to-disc profile to its
    pixels, so the soft rim of a small particle is not lost to the threshold. Particles outside
    [``min_diameter_nm``, ``max_diameter_nm``] are dropped; those touching the image edge are flagged and left out
    of the count, diameters and histogram. ``reliable`` is false, with the reason, when particles of
    ``min_diameter_nm`` could not stand out of the noise or when particles span too few pixels to be sized.

    Parameters
    ----------
    image : array_like, 2-D
        Image (HAADF: bright particles on a darker support when ``bright``; an AFM height image in nm).
    pixel_size_nm : float
        Pixel size in nm.
    threshold : float, optional
        Detection level in image units above the local background (default: ``threshold_sigmas`` noise sigmas).
    smoothing_nm : float, optional
        Sigma of the detection pre-filter in nm (default: 1 px, at least 0.3 nm).
    min_diameter_nm, max_diameter_nm : float
        Size limits of the particles kept.
    split_touching : bool
        Split touching particles with a distance-transform watershed.
    bright : bool
        Particles are brighter than the background (else darker).
    bin_width_nm : float, optional
        Histogram bin width; by default ~ 10 bins over the size range.
    threshold_sigmas : float
        Detection significance when no ``threshold`` is given.

    Returns
    -------
    Particles
    """
    img = as_image(image)
    img = img if bright else -img
    px = positive("pixel_size_nm", pixel_size_nm)
    min_d = positive("min_diameter_nm", min_diameter_nm)
    max_d = positive("max_diameter_nm", max_diameter_nm) if max_diameter_nm is not None else np.inf
    k = positive("threshold_sigmas", threshold_sigmas)
    sigma_px = positive("smoothing_nm", smoothing_nm) / px if smoothing_nm is not None else max(1.0, 0.3 / px)
    residual, smooth, noise_s, noise_px = _subtract_background(img, px, sigma_px, k)
    high = positive("threshold", threshold) if threshold is not None else k * noise_s
    mask = ndi.binary_fill_holes(apply_hysteresis_threshold(smooth, min(EXTENT_SIGMAS * noise_s, high), high))
    labels = _split(mask, smooth > high) if split_touching else ndi.label(mask)[0].astype(np.int32)
    particles, peaks = _measure(residual, smooth, labels, px, noise_px, min_d, max_d)
    interior = [p for p in particles if not p.touches_edge]
    counts, edges = _histogram(np.array([p.diameter_nm for p in interior]), bin_width_nm)
    limit = _detection_limit(particles, peaks, high)
    marginal = sum(1 for p, h in zip(particles, peaks, strict=True) if not p.touches_edge and h < high + 2 * noise_s)
    reliable, note = _verdict(interior, px, min_d, limit, marginal)
    shown = high if bright else -high
    return Particles(
        tuple(particles), labels, shown, counts, edges, noise_px, limit, float(np.sqrt(marginal)), reliable, note
    )


def _subtract_background(
    img: NDArray[np.float64], px: float, sigma_px: float, k: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], float, float]:
    """(image - background, its smoothed version, noise sigma of the smoothed residual and of one pixel); the
    background is a masked Gaussian average with the bright regions left out (twice refined)."""
    bg_sigma = min(max(BACKGROUND_NM / px, 10.0), max(img.shape) / 4)
    keep = np.ones(img.shape, dtype=bool)
    background = np.full(img.shape, float(np.median(img)))
    for _ in range(3):
        residual = img - background
        smooth = ndi.gaussian_filter(residual, sigma_px)
        noise_s = MAD * float(np.median(np.abs(smooth[keep] - np.median(smooth[keep])))) or np.finfo(float).tiny
        keep = ~ndi.binary_dilation(smooth > 0.5 * k * noise_s, iterations=max(2, round(2 * sigma_px)))
        if keep.mean() < 0.05:
            break
        background = _masked_smooth(img, keep, bg_sigma)
    residual = img - background
    smooth = ndi.gaussian_filter(residual, sigma_px)
    ref = keep if keep.mean() >= 0.05 else np.ones(img.shape, dtype=bool)
    floor = NOISE_FLOOR * float(np.ptp(smooth)) or np.finfo(float).tiny  # a noise-free image still has a scale
    noise_s = max(MAD * float(np.median(np.abs(smooth[ref] - np.median(smooth[ref])))), floor)
    noise_px = max(MAD * float(np.median(np.abs(residual[ref] - np.median(residual[ref])))), floor)
    return residual, smooth, noise_s, noise_px


def _masked_smooth(img: NDArray[np.float64], keep: NDArray[np.bool_], sigma_px: float) -> NDArray[np.float64]:
    """Gaussian average of the ``keep`` pixels (normalised convolution), computed on a binned copy (it is smooth
    on the scale of ``sigma_px``) and interpolated back."""
    b = max(1, int(sigma_px / 4))
    ny, nx = (img.shape[0] // b) * b, (img.shape[1] // b) * b
    w = keep[:ny, :nx].reshape(ny // b, b, nx // b, b).mean(axis=(1, 3))
    v = np.where(keep, img, 0.0)[:ny, :nx].reshape(ny // b, b, nx // b, b).mean(axis=(1, 3))
    weight = ndi.gaussian_filter(w, sigma_px / b)
    small = np.where(weight > 1e-3, ndi.gaussian_filter(v, sigma_px / b) / np.maximum(weight, 1e-6), np.nan)
    small = np.where(np.isnan(small), float(np.median(img[keep])), small)
    zoom = (img.shape[0] / small.shape[0], img.shape[1] / small.shape[1])
    return np.asarray(ndi.zoom(small, zoom, order=1, mode="nearest", grid_mode=True), dtype=np.float64)


def _split(mask: NDArray[np.bool_], core: NDArray[np.bool_]) -> NDArray[np.int32]:
    """Labels of ``mask`` with touching particles split at the necks. Seeds are the distance maxima, 1.5 px above
    their rim, of the ``core`` (the pixels above the detection level, whose outline noise does not fray); a
    region too small for a seed is one particle."""
    core_distance = ndi.distance_transform_edt(ndi.binary_fill_holes(core))
    markers = ndi.label(h_maxima(core_distance, SEED_DEPTH_PX) & mask)[0]
    labels = np.asarray(watershed(-ndi.distance_transform_edt(mask), markers, mask=mask), dtype=np.int32)
    # A particle a few pixels across has no distance maximum 1.5 px deep, so no seed: it keeps its own label
    # instead of vanishing from the watershed.
    orphans, n = ndi.label(mask & (labels == 0))
    if n:
        cores = np.bincount(orphans[core], minlength=n + 1)
        kept = np.flatnonzero(cores >= MIN_ORPHAN_CORE_PX)
        kept = kept[kept > 0]
        remap = np.zeros(n + 1, dtype=np.int32)
        remap[kept] = np.arange(1, len(kept) + 1, dtype=np.int32) + labels.max()
        labels = np.where(orphans > 0, remap[orphans], labels).astype(np.int32)
    return labels


def _measure(
    residual: NDArray[np.float64],
    smooth: NDArray[np.float64],
    labels: NDArray[np.int32],
    px: float,
    noise_px: float,
    min_d: float,
    max_d: float,
) -> tuple[list[Particle], list[float]]:
    """Fit every labelled region; drop those outside the size limits (their labels cleared). Returns the
    particles and each one's smoothed peak above the background."""
    ny, nx = labels.shape
    particles, peaks = [], []
    for region in regionprops(labels):
        own = labels == region.label
        fit = fit_sphere(residual, own, (labels > 0) & ~own, noise_px)
        if (
            fit is not None
            and np.hypot(fit.row - region.centroid[0], fit.col - region.centroid[1]) < 0.5 * np.sqrt(region.area) + 1.0
        ):
            row, col, diameter, err = fit.row, fit.col, 2 * fit.radius_px * px, 2 * fit.radius_error_px * px
        else:  # the fit failed or wandered off: the region's own equivalent disc
            (row, col), diameter, err = region.centroid, 2 * np.sqrt(region.area / np.pi) * px, px
        if not min_d <= diameter <= max_d:
            labels[own] = 0
            continue
        r0, c0, r1, c1 = region.bbox
        particles.append(
            Particle(
                label=int(region.label),
                x_nm=(col + 0.5) * px,
                y_nm=(row + 0.5) * px,
                area_nm2=float(np.pi * diameter**2 / 4),
                diameter_nm=float(diameter),
                touches_edge=_cut(row, col, 0.5 * diameter / px, ny, nx),
                diameter_error_nm=float(err) if np.isfinite(err) else px,
                height=float(ndi.gaussian_filter(residual[r0:r1, c0:c1], 0.5)[own[r0:r1, c0:c1]].max()),
            )
        )
        peaks.append(float(smooth[own].max()))
    return particles, peaks


def _cut(row: float, col: float, radius_px: float, ny: int, nx: int) -> bool:
    """Whether a particle's disc (centre and radius from the fit) reaches past the image edge."""
    return bool(min(row, col) - radius_px < -0.5 or row + radius_px > ny - 0.5 or col + radius_px > nx - 0.5)


def _detection_limit(particles: list[Particle], peaks: list[float], level: float) -> float:
    """Smallest diameter (nm) whose smoothed peak would reach the detection level: the peak per nm of diameter of
    the smaller half of the particles found, scaled down (0 when there are none to scale from)."""
    pairs = [(p.diameter_nm, h) for p, h in zip(particles, peaks, strict=True) if not p.touches_edge]
    if not pairs:
        return 0.0
    d, h = np.array(pairs).T
    small = d <= np.median(d)
    return float(level / np.median(h[small] / d[small]))


def _verdict(interior: list[Particle], px: float, min_d: float, limit_nm: float, marginal: int) -> tuple[bool, str]:
    """Whether the count and sizes can be trusted, and why not."""
    notes = []
    if interior and marginal > 0.5 * len(interior):
        notes.append(
            f"{marginal} of the {len(interior)} particles barely reach the detection level: they may be noise and "
            "real particles may be missed; raise the dose (dwell or current)"
        )
    if limit_nm > min_d:
        notes.append(
            f"particles smaller than about {limit_nm:.2g} nm do not stand out of the noise here and are missed "
            f"(min_diameter_nm is {min_d:g}): raise the dose (dwell or current) or zoom in"
        )
    if MIN_SIZED_PX * px > min_d:
        notes.append(
            f"the pixel ({px:.2g} nm) is too coarse for particles under {MIN_SIZED_PX * px:.2g} nm: they are missed, "
            f"merged with neighbours or mis-sized (min_diameter_nm is {min_d:g}); zoom in for a smaller pixel"
        )
    return not notes, "; ".join(notes)


def _histogram(
    diameters_nm: NDArray[np.float64], bin_width_nm: float | None
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Size histogram with bins of ``bin_width_nm`` (default: about ten bins over the range)."""
    if diameters_nm.size == 0:
        return (), ()
    lo, hi = float(diameters_nm.min()), float(diameters_nm.max())
    width = positive("bin_width_nm", bin_width_nm) if bin_width_nm is not None else max((hi - lo) / 10, 0.1)
    edges = np.arange(np.floor(lo / width) * width, hi + width, width)
    counts, edges = np.histogram(diameters_nm, bins=edges)
    return tuple(int(c) for c in counts), tuple(float(e) for e in edges)
