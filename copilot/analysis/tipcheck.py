"""Double-tip detection: a second apex images every feature twice, at one fixed offset."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage as ndi
from scipy.spatial import cKDTree
from skimage.morphology import h_maxima

from copilot.analysis._validate import as_image, positive
from copilot.analysis.level import plane_level

PROMINENCE_SIGMAS = 8.0  # a feature top must stand this many noise sigmas above its surroundings
MAX_OFFSET_NM = 100.0  # ghost offsets searched up to this distance (double tips are tens of nm apart)
TOLERANCE_PX = 1.5  # two displacements closer than this are "the same offset"
MIN_PAIRS = 4
MIN_SHARE = 0.25  # the repeated offset must pair at least this share of the features
DETECTION_SIGMAS = 5.0


@dataclass(frozen=True)
class TipCheck:
    """Verdict on a double tip, the ghost's offset and the evidence.

    ``ghost_dx_nm``, ``ghost_dy_nm``: displacement in the image from a feature to its ghost copy (from the higher
    to the lower top of each pair; with equal heights the sign is a convention). The second apex sits at minus
    this offset from the first: it touches a feature when the first apex is already past it. ``pairs`` is the
    number of feature pairs at that offset, ``features`` the number of feature tops, ``significance`` the excess
    of pairs over chance coincidences of random features, in Poisson sigmas.
    """

    double_tip: bool
    confidence: float
    ghost_dx_nm: float
    ghost_dy_nm: float
    ghost_distance_nm: float
    pairs: int
    features: int
    significance: float


def feature_tops(z: NDArray[np.float64], noise_nm: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(row, col) centroids and heights of the tops standing ``PROMINENCE_SIGMAS`` noise sigmas above their
    surroundings (h-maxima of the lightly smoothed map)."""
    smooth = ndi.gaussian_filter(z, 1.0)
    tops, n = ndi.label(h_maxima(smooth, PROMINENCE_SIGMAS * noise_nm))
    if n == 0:
        return np.empty((0, 2)), np.empty(0)
    index = np.arange(1, n + 1)
    centres = np.array(ndi.center_of_mass(np.ones_like(smooth), tops, index), dtype=np.float64)
    heights = np.asarray(ndi.maximum(smooth, tops, index), dtype=np.float64)
    return centres, heights


def _noise_nm(z: NDArray[np.float64]) -> float:
    """Pixel noise of a height map: robust sigma of the difference of neighbouring pixels along the lines / sqrt 2."""
    d = np.diff(z, axis=1).ravel()
    return max(1.4826 * float(np.median(np.abs(d - np.median(d)))) / math.sqrt(2.0), 1e-6)


def tip_artifact_check(height_nm: ArrayLike, pixel_size_nm: float) -> TipCheck:
    """Does the image show a double tip (a ghost copy of every feature at one fixed offset)?

    Feature tops (local maxima standing well above the noise) are located; the displacement between every two
    tops closer than 100 nm is collected (one half-plane, so each pair counts once), and the most repeated
    displacement (within 1.5 px) is compared with the number of such coincidences random features would give.
    A double tip pairs most features at the same offset; an ordinary surface pairs them at random offsets.
    Works on surfaces with discrete features (particles, islands, defects); on a plain grating or terraces a
    ghost only widens the edges, which this check does not see.

    Parameters
    ----------
    height_nm : array_like, 2-D
        Height map in nm.
    pixel_size_nm : float
        Pixel size in nm.

    Returns
    -------
    TipCheck
    """
    px = positive("pixel_size_nm", pixel_size_nm)
    z = plane_level(as_image(height_nm, "height_nm"), order=1, exclude_steps=True).height_nm
    centres, heights = feature_tops(z, _noise_nm(z))
    n = len(centres)
    none = TipCheck(False, 0.0, 0.0, 0.0, 0.0, 0, n, 0.0)
    if n < MIN_PAIRS:
        return none
    max_px = min(MAX_OFFSET_NM / px, 0.25 * max(z.shape))
    pairs = np.array(sorted(cKDTree(centres).query_pairs(max_px)), dtype=np.int64).reshape(-1, 2)
    if len(pairs) < MIN_PAIRS:
        return none
    # Orient every pair from the higher top to the lower (a ghost is the lower copy), then fold to one
    # half-plane for counting so the sign convention does not split a cluster.
    high_first = heights[pairs[:, 0]] >= heights[pairs[:, 1]]
    src = np.where(high_first, pairs[:, 0], pairs[:, 1])
    dst = np.where(high_first, pairs[:, 1], pairs[:, 0])
    d = centres[dst] - centres[src]  # (drow, dcol)
    flip = (d[:, 1] < 0) | ((d[:, 1] == 0) & (d[:, 0] < 0))
    folded = np.where(flip[:, None], -d, d)
    neighbours = cKDTree(folded).query_ball_point(folded, TOLERANCE_PX, return_length=True)
    best = int(np.argmax(neighbours))
    members = np.linalg.norm(folded - folded[best], axis=1) <= TOLERANCE_PX
    count = int(members.sum())
    # Chance coincidences: the pairs spread over a half-disc of radius max_px; tolerance disc area around one.
    expected = max(len(pairs) * (math.pi * TOLERANCE_PX**2) / (0.5 * math.pi * max_px**2), 0.5)
    significance = (count - expected) / math.sqrt(expected)
    sign = 1.0 if np.sum(~flip[members]) >= np.sum(flip[members]) else -1.0
    drow, dcol = sign * folded[members].mean(axis=0)
    detected = count >= MIN_PAIRS and count >= MIN_SHARE * n and significance >= DETECTION_SIGMAS
    confidence = 1.0 / (1.0 + math.exp(-(significance - DETECTION_SIGMAS)))
    confidence *= min(1.0, count / (MIN_SHARE * n))
    dx, dy = float(dcol * px), float(drow * px)
    return TipCheck(bool(detected), float(confidence), dx, dy, math.hypot(dx, dy), count, n, float(significance))
