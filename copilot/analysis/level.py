"""Plane (polynomial) levelling of AFM height maps, robust to steps, trenches and particles."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage as ndi

from copilot.analysis._validate import as_image
from copilot.analysis.errors import AnalysisError

MAX_ORDER = 3
MAX_REGIONS = 64
EDGE_SIGMAS = 6.0  # a pixel whose smoothed slope stands this many robust sigmas above the median is on an edge
OUTLIER_SIGMAS = 4.0  # a flat pixel this many sigmas off its region's level is left out of the next fit
MAX_FIT_PIXELS = 65536


@dataclass(frozen=True)
class Levelled:
    """A levelled height map and what was removed.

    ``height_nm`` is the input minus ``background_nm`` (the fitted polynomial), shifted so that the largest flat
    region (substrate, main terrace) sits at 0 when steps are excluded, or so that the mean is 0 otherwise.
    ``flat_mask`` marks the pixels the final fit used (flat, not on a step edge or sidewall, not an outlier);
    ``regions`` numbers the flat regions that each got their own level (0 = not used).
    """

    height_nm: NDArray[np.float64]
    background_nm: NDArray[np.float64]
    flat_mask: NDArray[np.bool_]
    regions: NDArray[np.int32]
    region_count: int
    residual_rms_nm: float


def _basis(shape: tuple[int, int], order: int) -> NDArray[np.float64]:
    """Polynomial terms x^i y^j with 1 <= i + j <= order on coordinates scaled to [-1, 1], shape (ny*nx, terms)."""
    ny, nx = shape
    y, x = np.mgrid[0:ny, 0:nx].astype(np.float64)
    x = (2.0 * x / max(nx - 1, 1) - 1.0).ravel()
    y = (2.0 * y / max(ny - 1, 1) - 1.0).ravel()
    terms = [x**i * y ** (n - i) for n in range(1, order + 1) for i in range(n + 1)]
    return np.column_stack(terms) if terms else np.zeros((ny * nx, 0))


def _robust_sigma(values: NDArray[np.float64]) -> float:
    """Standard deviation estimated from the median absolute deviation (Gaussian-consistent)."""
    return 1.4826 * float(np.median(np.abs(values - np.median(values))))


def _flat_regions(residual: NDArray[np.float64]) -> tuple[NDArray[np.int32], int]:
    """Connected flat areas of a (roughly levelled) height map: pixels off steps, sidewalls and particle flanks."""
    smooth = ndi.gaussian_filter(residual, 1.0)
    slope = np.hypot(ndi.sobel(smooth, axis=0), ndi.sobel(smooth, axis=1)) / 8.0
    edge = slope > np.median(slope) + EDGE_SIGMAS * _robust_sigma(slope)
    flat = ~ndi.binary_dilation(edge, iterations=1)
    labels, n = ndi.label(flat)
    if n == 0:
        return labels.astype(np.int32), 0
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    sizes[0] = 0
    min_size = max(25, int(0.005 * residual.size))
    keep = np.argsort(sizes)[::-1][:MAX_REGIONS]
    keep = keep[sizes[keep] >= min_size]
    remap = np.zeros(n + 1, dtype=np.int32)
    remap[keep] = np.arange(1, len(keep) + 1, dtype=np.int32)
    return remap[labels], len(keep)


def _fit(
    z: NDArray[np.float64], basis: NDArray[np.float64], regions: NDArray[np.int64], n_regions: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Least squares of z = basis @ c + offset[region]: polynomial coefficients and per-region offsets.

    The offsets are eliminated by centring z and the basis within each region (a fixed-effects fit), so the
    polynomial is fitted on the shapes of the regions, not on the heights between them.
    """
    counts = np.maximum(np.bincount(regions, minlength=n_regions), 1)

    def centred(values: NDArray[np.float64]) -> NDArray[np.float64]:
        return values - (np.bincount(regions, weights=values, minlength=n_regions) / counts)[regions]

    if basis.shape[1]:
        design = np.column_stack([centred(col) for col in basis.T])
        coef = np.linalg.lstsq(design, centred(z), rcond=None)[0]
    else:
        coef = np.zeros(0)
    offsets = np.bincount(regions, weights=z - basis @ coef, minlength=n_regions) / counts
    return np.asarray(coef, dtype=np.float64), offsets


def _subsample(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Flat indices of the mask's pixels, thinned evenly to at most MAX_FIT_PIXELS."""
    idx = np.flatnonzero(mask)
    step = max(1, len(idx) // MAX_FIT_PIXELS)
    return idx[::step]


def plane_level(height_nm: ArrayLike, order: int = 1, exclude_steps: bool = True, iterations: int = 3) -> Levelled:
    """Remove the tilt (order 1) or a low-order polynomial background from an AFM height map.

    Without ``exclude_steps`` this is an ordinary least-squares fit to every pixel. With it, the fit is robust to
    terraces, gratings and particles: step edges and sidewalls (pixels of outstanding slope) are masked, the
    remaining flat areas are labelled, and one polynomial plus a separate level per flat area is fitted, so the
    height differences between terraces do not tilt the plane. Each iteration re-detects the edges on the
    levelled map and leaves out pixels more than four sigmas off their area's level.

    Parameters
    ----------
    height_nm : array_like, 2-D
        Heights in nm.
    order : int
        Polynomial order 0 (offset only) to 3; 1 = plane.
    exclude_steps : bool
        Fit only the flat areas, each with its own level (robust to steps and particles).
    iterations : int
        Number of edge-masking rounds (1 to 10).

    Returns
    -------
    Levelled

    Examples
    --------
    >>> import numpy as np
    >>> y, x = np.mgrid[0:64, 0:64]
    >>> steps = 0.3 * (x // 16)  # four terraces
    >>> out = plane_level(steps + 0.01 * x + 0.02 * y)
    >>> round(float(np.ptp(out.height_nm)), 3)
    0.9
    """
    z = as_image(height_nm, "height_nm")
    if not (isinstance(order, int) and 0 <= order <= MAX_ORDER):
        raise AnalysisError(f"order must be an integer 0 to {MAX_ORDER}, got {order!r}.")
    if not 1 <= iterations <= 10:
        raise AnalysisError(f"iterations must be 1 to 10, got {iterations!r}.")
    basis = _basis(z.shape, order)
    flat_z = z.ravel()
    use = _subsample(np.ones(z.size, dtype=bool))
    coef, offsets = _fit(flat_z[use], basis[use], np.zeros(len(use), dtype=np.int64), 1)
    regions = np.zeros(z.shape, dtype=np.int32)
    mask = np.ones(z.shape, dtype=bool)
    n_regions = 1
    if exclude_steps:
        for _ in range(iterations):
            labelled, n = _flat_regions(z - (basis @ coef).reshape(z.shape))
            if n == 0:
                break
            region_index = labelled.ravel().astype(np.int64) - 1
            mask = labelled > 0
            for reject in (False, True):
                if reject:  # leave out pixels far off their region's level (e.g. a merged pair of terraces)
                    off = (flat_z - basis @ coef).reshape(z.shape) - np.concatenate([[0.0], offsets])[labelled]
                    mask &= np.abs(off) <= OUTLIER_SIGMAS * max(_robust_sigma(off[mask]), 1e-12)
                use = _subsample(mask.ravel())
                coef, offsets = _fit(flat_z[use], basis[use], region_index[use], n)
            regions, n_regions = labelled, n
    background = (basis @ coef).reshape(z.shape)
    levelled = z - background
    if exclude_steps and regions.any():
        sizes = np.bincount(regions[mask].ravel(), minlength=n_regions + 1)[1:]
        reference = float(offsets[int(np.argmax(sizes))])
        fitted = np.concatenate([[0.0], offsets])[regions]
        rms = float(np.sqrt(np.mean((levelled - fitted)[mask] ** 2)))
    else:
        reference = float(levelled.mean())
        rms = float(levelled.std())
        mask = np.ones(z.shape, dtype=bool)
    return Levelled(levelled - reference, background + reference, mask, regions, int(regions.max()), rms)
