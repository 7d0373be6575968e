"""Area fractions of the phases or domains of a channel (AFM phase, height, piezoresponse), by intensity classes."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage as ndi
from skimage.filters import threshold_multiotsu, threshold_otsu

from copilot.analysis._validate import as_image
from copilot.analysis.classes import kmeans_1d
from copilot.analysis.errors import AnalysisError

DomainMethod = Literal["otsu", "kmeans"]


@dataclass(frozen=True)
class DomainFractions:
    """Class of every pixel (0 = lowest values) with each class's area fraction and mean value.

    ``thresholds`` are the boundaries between neighbouring classes in channel units.
    """

    labels: NDArray[np.int32]
    fractions: tuple[float, ...]
    class_means: tuple[float, ...]
    thresholds: tuple[float, ...]


def domain_fraction(
    channel: ArrayLike, classes: int = 2, method: DomainMethod = "otsu", smoothing_px: float = 1.0
) -> DomainFractions:
    """Split a channel into ``classes`` value classes and measure the area fraction of each.

    The channel is smoothed (Gaussian, ``smoothing_px``) to keep pixel noise from speckling the classes, then
    thresholded: ``otsu`` maximises the between-class variance of the histogram (multi-level for more than two
    classes); ``kmeans`` is one-dimensional k-means, better when the classes differ much in size and spread.
    Use the phase channel for materials of different stiffness or adhesion, piezoresponse phase for ferroelectric
    domains, the levelled height for raised domains.

    Parameters
    ----------
    channel : array_like, 2-D
        Any channel (deg, nm, pm).
    classes : int
        Number of classes, 2 to 5.
    method : {"otsu", "kmeans"}
    smoothing_px : float
        Sigma of the Gaussian pre-filter in pixels (0 = none).

    Returns
    -------
    DomainFractions

    Examples
    --------
    >>> import numpy as np
    >>> img = np.zeros((20, 20)); img[:, :5] = 10.0
    >>> domain_fraction(img, smoothing_px=0).fractions
    (0.75, 0.25)
    """
    values = as_image(channel, "channel")
    if not 2 <= classes <= 5:
        raise AnalysisError(f"classes must be 2 to 5, got {classes!r}.")
    if not (np.isfinite(smoothing_px) and 0 <= smoothing_px <= 20):
        raise AnalysisError(f"smoothing_px must lie in [0, 20], got {smoothing_px!r}.")
    smooth = ndi.gaussian_filter(values, smoothing_px) if smoothing_px > 0 else values
    if np.ptp(smooth) <= 0:
        raise AnalysisError("the channel is uniform: there is nothing to split into domains.")
    if method == "otsu":
        cuts = [float(threshold_otsu(smooth))] if classes == 2 else list(threshold_multiotsu(smooth, classes))
        labels = np.digitize(smooth, cuts).astype(np.int32)
    elif method == "kmeans":
        labels = kmeans_1d(smooth.ravel(), classes).reshape(smooth.shape).astype(np.int32)
        centres = [float(smooth[labels == c].mean()) for c in np.unique(labels)]
        cuts = [0.5 * (a + b) for a, b in itertools.pairwise(centres)]  # nearest-centre boundaries
    else:
        raise AnalysisError(f"unknown method {method!r}; choose otsu or kmeans.")
    counts = np.bincount(labels.ravel(), minlength=classes)
    means = tuple(float(values[labels == c].mean()) if counts[c] else float("nan") for c in range(classes))
    return DomainFractions(labels, tuple(float(c) / labels.size for c in counts), means, tuple(float(c) for c in cuts))
