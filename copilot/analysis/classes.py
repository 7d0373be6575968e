"""Intensity classes: one-dimensional k-means with an automatic number of well-separated classes."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MIN_CLASS_SIZE = 3


@dataclass(frozen=True)
class IntensityClasses:
    """Class label of every value (0 = dimmest class) and each class's mean and standard deviation."""

    labels: NDArray[np.int64]
    means: tuple[float, ...]
    stds: tuple[float, ...]


def kmeans_1d(values: NDArray[np.float64], k: int, iterations: int = 50) -> NDArray[np.int64]:
    """Deterministic Lloyd iterations from quantile starts; labels sorted by ascending class mean."""
    centres = np.quantile(values, (np.arange(k) + 0.5) / k)
    labels = np.zeros(values.size, dtype=np.int64)
    for _ in range(iterations):
        labels = np.argmin(np.abs(values[:, None] - centres[None, :]), axis=1)
        new = np.array([values[labels == c].mean() if np.any(labels == c) else centres[c] for c in range(k)])
        if np.allclose(new, centres):
            break
        centres = new
    rank = np.argsort(np.argsort(centres))
    return rank[labels]


def _separated(values: NDArray[np.float64], labels: NDArray[np.int64], k: int, min_separation: float) -> bool:
    """Every class has enough members and neighbouring means differ by ``min_separation`` pooled sigmas."""
    groups = [values[labels == c] for c in range(k)]
    if any(g.size < MIN_CLASS_SIZE for g in groups):
        return False
    for lo, hi in itertools.pairwise(groups):
        pooled = np.sqrt(0.5 * (lo.var() + hi.var())) + 1e-12 * abs(hi.mean())
        if (hi.mean() - lo.mean()) / pooled < min_separation:
            return False
    return True


def classify_intensities(
    values: NDArray[np.float64], max_classes: int = 3, min_separation: float = 4.0
) -> IntensityClasses:
    """Split ``values`` into the largest number of classes (<= ``max_classes``) whose means are well separated.

    Parameters
    ----------
    values : ndarray, 1-D
        Intensities (any unit).
    max_classes : int
        Largest number of classes tried.
    min_separation : float
        Least distance between neighbouring class means in pooled standard deviations.

    Examples
    --------
    >>> import numpy as np
    >>> c = classify_intensities(np.array([1.0, 1.1, 0.9, 1.0, 5.0, 5.2, 4.9, 5.1]))
    >>> c.labels.tolist(), [round(m, 2) for m in c.means]
    ([0, 0, 0, 0, 1, 1, 1, 1], [1.0, 5.05])
    """
    v = np.asarray(values, dtype=np.float64)
    labels = np.zeros(v.size, dtype=np.int64)
    for k in range(max(1, max_classes), 1, -1):
        trial = kmeans_1d(v, k)
        if _separated(v, trial, k, min_separation):
            labels = trial
            break
    n = int(labels.max()) + 1 if v.size else 0
    means = tuple(float(v[labels == c].mean()) for c in range(n))
    stds = tuple(float(v[labels == c].std()) for c in range(n))
    return IntensityClasses(labels, means, stds)


def assign_classes(values: NDArray[np.float64], means: tuple[float, ...]) -> NDArray[np.int64]:
    """Label every value with the class whose mean is nearest (for values left out of the class fit)."""
    if not means:
        return np.zeros(len(values), dtype=np.int64)
    return np.argmin(np.abs(np.asarray(values)[:, None] - np.asarray(means)[None, :]), axis=1).astype(np.int64)
