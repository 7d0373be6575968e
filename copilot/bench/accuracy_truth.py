"""Ground truth as the twin imaged it: where each true column and defect appears in a frame (drift included),
and the matching of found positions to true ones (precision and recall)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from copilot.eval.truth import SAME_COLUMN_NM
from copilot.twin.specimens.base import PSEUDO_COLUMN_ATOMS

# Truth kind of the twin's point defects -> the kind detect_defects reports.
DEFECT_KIND = {
    "vacancy": "vacancy",
    "S2 vacancy": "vacancy",
    "S vacancy": "partial_vacancy",
    "substitution": "substitution",
    "dopant": "substitution",
}


def imaged_fov_nm(scope: Any, frame: Any, xy_nm: np.ndarray) -> np.ndarray:
    """FOV positions (n, 2) at which specimen points appear in ``frame``. Row r was scanned at its own time
    t0 + (r + 1/2) x line time, so a point appears on the row where its drifting FOV position crosses that row
    (the first crossing, interpolated between rows; exact however fast the drift is against the slow scan).
    Points the scan never crosses keep their position at the nearer end of the frame."""
    if len(xy_nm) == 0:
        return np.empty((0, 2))
    line_s = frame.frame_time_s / frame.pixels
    rows = np.arange(frame.pixels)
    uv = np.array([scope.specimen_to_fov(xy_nm[:, 0], xy_nm[:, 1], at_s=frame.started_s + (r + 0.5) * line_s)
                   for r in rows])  # fmt: skip
    u, v = uv[:, 0, :], uv[:, 1, :]  # (rows, points)
    ahead = v / frame.pixel_size_nm - (rows[:, None] + 0.5)  # > 0: the point lies below row r
    cross = (ahead[:-1] >= 0) & (ahead[1:] < 0)
    first = np.where(cross.any(axis=0), np.argmax(cross, axis=0), -1)
    out = np.where(ahead[0] < 0, 0, frame.pixels - 1)  # never crossed: above the first or below the last row
    r0 = np.where(first >= 0, first, out)
    r1 = np.minimum(r0 + 1, frame.pixels - 1)
    cols = np.arange(len(xy_nm))
    a0, a1 = ahead[r0, cols], ahead[r1, cols]
    w = np.where((first >= 0) & (a0 != a1), a0 / np.where(a0 != a1, a0 - a1, 1.0), 0.0)
    return np.column_stack(
        [u[r0, cols] + w * (u[r1, cols] - u[r0, cols]), v[r0, cols] + w * (v[r1, cols] - v[r0, cols])]
    )


def frame_box(scope: Any, frame: Any, pad_nm: float = 1.0) -> tuple[float, float, float, float]:
    """Specimen box holding the frame (with the drift during it and ``pad_nm`` to spare)."""
    f = frame.fov_nm
    xs, ys = [], []
    for t in (frame.started_s, frame.started_s + frame.frame_time_s):
        x, y = scope.fov_to_specimen(np.array([0.0, f, 0.0, f]), np.array([0.0, 0.0, f, f]), at_s=t)
        xs += list(np.atleast_1d(x))
        ys += list(np.atleast_1d(y))
    return (min(xs) - pad_nm, min(ys) - pad_nm, max(xs) + pad_nm, max(ys) + pad_nm)


def inside(uv: np.ndarray, fov_nm: float, margin_nm: float) -> np.ndarray:
    """Points at least ``margin_nm`` inside a square FOV."""
    if len(uv) == 0:
        return np.zeros(0, dtype=bool)
    return np.all((uv >= margin_nm) & (uv <= fov_nm - margin_nm), axis=1)


def true_columns(scope: Any, frame: Any) -> np.ndarray:
    """Imaged FOV positions of the distinct crystal columns (after beam damage) in and around the frame; the
    random pseudo-columns that stand for amorphous carbon are not columns anyone could count."""
    atoms = scope.ground_truth_atoms(*frame_box(scope, frame))
    amorphous = (atoms.elements == "C") & (atoms.count == PSEUDO_COLUMN_ATOMS)  # contamination, not a lattice
    xy = atoms.xy_nm[~amorphous]
    if len(xy) == 0:
        return np.empty((0, 2))
    pairs = cKDTree(xy).query_pairs(SAME_COLUMN_NM, output_type="ndarray")
    drop = np.zeros(len(xy), dtype=bool)
    drop[pairs[:, 1]] = True
    return imaged_fov_nm(scope, frame, xy[~drop])


@dataclass(frozen=True)
class TrueDefect:
    kind: str  # the kind detect_defects reports
    x_nm: float
    y_nm: float


def true_defects(scope: Any, frame: Any) -> list[TrueDefect]:
    """The point defects as imaged in ``frame`` (FOV nm), with the kind a detector should report: the
    instrument's ground truth, so vacancies the beam has made count as well as the grown-in defects."""
    found = scope.ground_truth_defects(*frame_box(scope, frame))
    if not found:
        return []
    uv = imaged_fov_nm(scope, frame, np.array([d.position_nm for d in found]))
    return [
        TrueDefect(DEFECT_KIND.get(d.kind, d.kind), float(p[0]), float(p[1])) for d, p in zip(found, uv, strict=True)
    ]


@dataclass(frozen=True)
class Match:
    """One-to-one matching of found points to true points within a distance."""

    true_positives: int
    found: int
    truth: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.truth if self.truth else 1.0


def match(found: np.ndarray, truth: np.ndarray, tol_nm: float) -> Match:
    """Optimal one-to-one pairing of ``found`` and ``truth`` points (n, 2) closer than ``tol_nm``."""
    if len(found) == 0 or len(truth) == 0:
        return Match(0, len(found), len(truth))
    d = np.linalg.norm(found[:, None, :] - truth[None, :, :], axis=2) if len(found) * len(truth) < 4e6 else None
    if d is None:  # large sets: pairs are local, greedy on the nearest is exact enough
        dist, idx = cKDTree(truth).query(found, distance_upper_bound=tol_nm)
        used: set[int] = set()
        tp = 0
        for i in np.argsort(dist):
            if np.isfinite(dist[i]) and int(idx[i]) not in used:
                used.add(int(idx[i]))
                tp += 1
        return Match(tp, len(found), len(truth))
    cost = np.where(d < tol_nm, d, 1e6)
    rows, cols = linear_sum_assignment(cost)
    return Match(int(np.sum(cost[rows, cols] < tol_nm)), len(found), len(truth))
