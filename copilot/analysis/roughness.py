"""Surface roughness parameters of a (levelled) height map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from copilot.analysis._validate import as_image
from copilot.analysis.errors import AnalysisError

MIN_PIXELS = 16


@dataclass(frozen=True)
class Roughness:
    """Amplitude parameters about the mean height of the region (ISO 25178 areal names in brackets).

    ``Ra_nm`` arithmetic mean deviation (Sa), ``Rq_nm`` root mean square (Sq), ``Rz_nm`` maximum height = highest
    peak plus deepest valley (Sz), ``skewness`` (Ssk) and ``kurtosis`` (Sku, 3 for a Gaussian surface).
    """

    Ra_nm: float
    Rq_nm: float
    Rz_nm: float
    skewness: float
    kurtosis: float
    pixels: int


def roughness(height_nm: ArrayLike, region: ArrayLike | None = None) -> Roughness:
    """Roughness of a height map, over the whole map or a region of it.

    Level the map first (``plane_level``): a residual tilt counts as roughness.

    Parameters
    ----------
    height_nm : array_like, 2-D
        Heights in nm.
    region : array_like of bool, optional
        Mask of the pixels to include (same shape as ``height_nm``); the whole map by default.

    Returns
    -------
    Roughness

    Examples
    --------
    >>> import numpy as np
    >>> r = roughness(np.tile([[-1.0, 1.0]], (8, 4)))
    >>> r.Ra_nm, r.Rq_nm, r.Rz_nm
    (1.0, 1.0, 2.0)
    """
    z = as_image(height_nm, "height_nm")
    if region is None:
        values: NDArray[np.float64] = z.ravel()
    else:
        mask = np.asarray(region)
        if mask.shape != z.shape or mask.dtype != np.bool_:
            raise AnalysisError(f"region must be a boolean mask of shape {z.shape}, got {mask.dtype} {mask.shape}.")
        values = z[mask]
    if values.size < MIN_PIXELS:
        raise AnalysisError(f"the region holds {values.size} pixels; roughness needs at least {MIN_PIXELS}.")
    dev = values - values.mean()
    rq = float(np.sqrt(np.mean(dev**2)))
    skew = float(np.mean(dev**3) / rq**3) if rq > 0 else 0.0
    kurt = float(np.mean(dev**4) / rq**4) if rq > 0 else 0.0
    return Roughness(float(np.mean(np.abs(dev))), rq, float(dev.max() - dev.min()), skew, kurt, int(values.size))
