"""Particle segmentation: threshold, split touching particles, measure sizes in nm, flag edge-touching ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu
from skimage.measure import regionprops
from skimage.morphology import h_maxima
from skimage.segmentation import watershed

from copilot.analysis._validate import as_image, positive

SEED_DEPTH_PX = 1.5
# With an automatic threshold, the bright class must stand this many background standard deviations above the
# background: Otsu splits pure noise too (about 2.7 sigmas apart), while particles on a support stand 10 and more.
MIN_CONTRAST_SIGMAS = 5.0


@dataclass(frozen=True)
class Particle:
    """One particle: label in ``Particles.labels``, centroid in FOV nm, area and equivalent-disc diameter."""

    label: int
    x_nm: float
    y_nm: float
    area_nm2: float
    diameter_nm: float
    touches_edge: bool


@dataclass(frozen=True)
class Particles:
    """Particles found; statistics (count, diameters, histogram) cover only those not touching the image edge."""

    particles: tuple[Particle, ...]
    labels: NDArray[np.int32]
    threshold: float
    histogram_counts: tuple[int, ...]
    histogram_edges_nm: tuple[float, ...]

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


def segment_particles(
    image: ArrayLike,
    pixel_size_nm: float,
    threshold: float | None = None,
    smoothing_nm: float | None = None,
    min_diameter_nm: float = 1.0,
    split_touching: bool = True,
    bright: bool = True,
    bin_width_nm: float | None = None,
) -> Particles:
    """Segment particles and measure their sizes.

    The image is smoothed (Gaussian, default sigma 1.5 px), thresholded (Otsu unless ``threshold`` is given, in
    image units), holes are filled, touching particles are split by a watershed on the distance transform, and
    particles smaller than ``min_diameter_nm`` are dropped. Particles touching the image edge are flagged and left
    out of the count, diameters and histogram. With the automatic threshold, an image whose bright pixels do not
    stand out from the rest by ``MIN_CONTRAST_SIGMAS`` (noise or lattice texture only) has no particles.

    Parameters
    ----------
    image : array_like, 2-D
        Image (HAADF: bright particles on a darker support when ``bright``).
    pixel_size_nm : float
        Pixel size in nm.
    threshold : float, optional
        Intensity threshold in image units.
    smoothing_nm : float, optional
        Sigma of the pre-filter in nm.
    min_diameter_nm : float
        Smallest equivalent diameter kept.
    split_touching : bool
        Split touching particles with a distance-transform watershed.
    bright : bool
        Particles are brighter than the background (else darker).
    bin_width_nm : float, optional
        Histogram bin width; by default ~ 10 bins over the size range.

    Returns
    -------
    Particles
    """
    img = as_image(image)
    px = positive("pixel_size_nm", pixel_size_nm)
    sigma_px = positive("smoothing_nm", smoothing_nm) / px if smoothing_nm is not None else 1.5
    smooth = ndi.gaussian_filter(img if bright else -img, sigma_px)
    level = float(threshold_otsu(smooth)) if threshold is None else float(threshold) if bright else -float(threshold)
    mask = ndi.binary_fill_holes(smooth > level)
    if threshold is None and not _two_populations(smooth, level):
        mask[:] = False  # one population of intensities (noise or texture): nothing stands out as a particle
    if split_touching:
        distance = ndi.distance_transform_edt(mask)
        # Seeds: maxima of the distance map at least 1.5 px above their surroundings (no pixel-plateau splits).
        markers = ndi.label(h_maxima(distance, SEED_DEPTH_PX))[0]
        labels = watershed(-distance, markers, mask=mask).astype(np.int32)
    else:
        labels = ndi.label(mask)[0].astype(np.int32)
    min_area_px = np.pi * (0.5 * min_diameter_nm / px) ** 2
    particles = []
    ny, nx = img.shape
    for region in regionprops(labels):
        if region.area < min_area_px:
            labels[labels == region.label] = 0
            continue
        r0, c0, r1, c1 = region.bbox
        area_nm2 = float(region.area) * px * px
        row, col = region.centroid
        particles.append(
            Particle(
                label=int(region.label),
                x_nm=(col + 0.5) * px,
                y_nm=(row + 0.5) * px,
                area_nm2=area_nm2,
                diameter_nm=float(np.sqrt(4 * area_nm2 / np.pi)),
                touches_edge=bool(r0 == 0 or c0 == 0 or r1 == ny or c1 == nx),
            )
        )
    diam = np.array([p.diameter_nm for p in particles if not p.touches_edge])
    counts, edges = _histogram(diam, bin_width_nm)
    shown = level if bright else -level
    return Particles(tuple(particles), labels, shown, counts, edges)


def _two_populations(smooth: NDArray[np.float64], level: float) -> bool:
    """Whether the pixels above ``level`` stand out from those below by :data:`MIN_CONTRAST_SIGMAS`."""
    low, high = smooth[smooth <= level], smooth[smooth > level]
    if low.size < 2 or high.size == 0:
        return False
    return bool(high.mean() - low.mean() > MIN_CONTRAST_SIGMAS * (low.std() or np.finfo(float).tiny))


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
