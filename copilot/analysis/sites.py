"""Lattice sites of a crystal image: cell and motif fitted on the found columns, then corrected locally so that
drift shear, jitter and slow distortions do not move a predicted site off its column."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

LOCAL_CELLS = 2.5  # radius (in cell lengths) of the neighbourhood that corrects a site and judges its intensity
LOCAL_PASSES = 3


@dataclass(frozen=True)
class Sites:
    """Predicted lattice sites over a whole frame (FOV nm) with their motif site, and the fitted cell."""

    positions_nm: NDArray[np.float64]  # (n, 2), locally corrected
    motif: NDArray[np.int64]  # (n,) motif-site index of each site
    cell_nm: NDArray[np.float64]  # rows a1, a2
    n_motif: int
    atom_site: NDArray[np.int64]  # (atoms,) site each atom sits on, -1 when on none

    @property
    def cell_length_nm(self) -> float:
        """The longer primitive cell vector: one lattice spacing."""
        return float(np.max(np.linalg.norm(self.cell_nm, axis=1)))


def motif_sites(frac: NDArray[np.float64], cell: NDArray[np.float64], tol_nm: float) -> NDArray[np.float64]:
    """Fractional positions of the motif sites: dense clusters of the atoms' positions modulo the cell."""
    wrapped = frac - np.floor(frac)
    shifts = np.array([(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)], dtype=np.float64)
    copies = (wrapped[None, :, :] + shifts[:, None, :]).reshape(-1, 2)
    tree = cKDTree(copies @ cell)
    points = wrapped @ cell
    remaining = np.ones(len(wrapped), dtype=bool)
    sites: list[NDArray[np.float64]] = []
    first = 0
    while remaining.any():
        members = [
            np.array([m for m in tree.query_ball_point(p, tol_nm) if remaining[m % len(wrapped)]]) for p in points
        ]
        sizes = np.array([len(m) if remaining[i] else 0 for i, m in enumerate(members)])
        best = int(np.argmax(sizes))
        if sizes[best] < max(3, 0.2 * first):
            break
        first = first or int(sizes[best])
        idx = members[best]
        sites.append(copies[idx].mean(axis=0) % 1.0)
        remaining[idx % len(wrapped)] = False
    return np.array(sites)


KNOT_CELLS = 2.0  # spacing of the slow-scan distortion's knots, in cell lengths
SMOOTHNESS = 1e-2
"""Weight of the distortion's curvature against the columns' positions, per knot: small, so the columns decide
wherever there are any, while knots beyond the columns fitted so far continue the distortion in a straight line."""
GROWTH = 1.5  # each pass fits the columns within this many times the last radius
EARLY_GAIN = 0.01
"""The distortion is fitted twice: from the first pass on (it follows drift that turns during a slow frame) and
only once half the frame is in (the cell settles first; edge rows cannot bend it). The early fit is kept when it
puts this fraction more columns on their sites."""


def _knots(height_nm: float, cell_length_nm: float) -> NDArray[np.float64]:
    """Knot rows (nm) of the distortion: about every ``KNOT_CELLS`` cells, from the top to the bottom edge."""
    n = max(2, int(np.ceil(height_nm / (KNOT_CELLS * cell_length_nm))) + 1)
    return np.linspace(0.0, height_nm, n)


def _bend(y_nm: NDArray[np.float64], knots: NDArray[np.float64]) -> NDArray[np.float64]:
    """Hat functions of the slow-scan distortion at rows ``y_nm`` (n, knots). Drift moves the specimen while the
    frame is scanned, row after row, so every column of one row is displaced alike: a displacement that is a
    smooth function of the row alone (piecewise linear, as the drift turns once a second or so)."""
    y = np.clip(np.asarray(y_nm, dtype=np.float64), knots[0], knots[-1])
    step = knots[1] - knots[0]
    t = (y - knots[0]) / step
    k = np.clip(np.floor(t).astype(np.int64), 0, len(knots) - 2)
    w = t - k
    out = np.zeros((len(y), len(knots)))
    rows = np.arange(len(y))
    out[rows, k] = 1.0 - w
    out[rows, k + 1] = w
    return out


@dataclass(frozen=True)
class _Model:
    cell: NDArray[np.float64]  # rows a1, a2
    offsets: NDArray[np.float64]  # (motif, 2) FOV nm of the sites of cell (0, 0)
    bend: NDArray[np.float64]  # (knots, 2) displacement at each knot row
    knots: NDArray[np.float64]

    def site_nm(self, hk: NDArray[np.float64], m: NDArray[np.int64]) -> NDArray[np.float64]:
        straight = hk @ self.cell + self.offsets[m]
        return straight + _bend(straight[:, 1], self.knots) @ self.bend


def _curvature(n_knots: int, n_params: int, weight: float) -> NDArray[np.float64]:
    """Rows penalising the second difference of the knot displacements (the last ``n_knots`` parameters)."""
    d2 = np.zeros((max(n_knots - 2, 0), n_params))
    for i in range(n_knots - 2):
        d2[i, n_params - n_knots + i : n_params - n_knots + i + 3] = (1.0, -2.0, 1.0)
    return weight * d2


def _fit_model(
    atoms_nm: NDArray[np.float64], model: _Model, tol_nm: float, centre: NDArray[np.float64], early: bool
) -> _Model:
    """Least-squares cell, motif offsets and slow-scan distortion from the columns on the sites, grown outwards
    from ``centre``: each pass fits the columns within ``GROWTH`` times the last radius, so an imprecise start
    cell (a drift-sheared Fourier peak) never indexes far columns wrongly, and the distortion fitted so far
    carries the sites to the next rows."""
    n_motif, n_knots = len(model.offsets), len(model.knots)
    cell_length = float(np.max(np.linalg.norm(model.cell, axis=1)))
    far = float(np.max(np.linalg.norm(atoms_nm - centre, axis=1)))
    radius = 4.0 * cell_length
    # Columns cut by the frame edge peak inwards: they would pull the distortion at the edge knots.
    whole = np.all((atoms_nm >= 0.5 * cell_length) & (atoms_nm <= 2.0 * centre - 0.5 * cell_length), axis=1)
    while True:
        near = whole & (np.linalg.norm(atoms_nm - centre, axis=1) <= radius)
        for _ in range(2):
            unbent = atoms_nm - _bend(atoms_nm[:, 1], model.knots) @ model.bend
            frac = (unbent[:, None, :] - model.offsets[None, :, :]) @ np.linalg.inv(model.cell)
            hk = np.round(frac)
            err = np.linalg.norm((frac - hk) @ model.cell, axis=2)
            m = np.argmin(err, axis=1)
            rows = np.flatnonzero(near & (err[np.arange(len(atoms_nm)), m] < tol_nm))
            if len(rows) < n_motif + 6:
                return model
            straight = hk[rows, m[rows]] @ model.cell + model.offsets[m[rows]]
            terms = [hk[rows, m[rows]], np.eye(n_motif)[m[rows]]]
            bend = early or radius >= 0.5 * float(model.knots[-1])  # or once half the frame is in
            if bend:
                terms.append(_bend(straight[:, 1], model.knots))
            lhs, rhs = np.column_stack(terms), atoms_nm[rows]
            if bend:
                penalty = _curvature(n_knots, lhs.shape[1], np.sqrt(SMOOTHNESS * len(rows) / n_knots))
                lhs, rhs = np.vstack([lhs, penalty]), np.vstack([rhs, np.zeros((len(penalty), 2))])
            solution = np.linalg.lstsq(lhs, rhs, rcond=None)[0]
            coef = solution[2 + n_motif :] if bend else model.bend
            model = _Model(solution[:2], solution[2 : 2 + n_motif], coef, model.knots)
        if radius >= far:
            return model
        radius *= GROWTH


def _grid(model: _Model, fov: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Every site of the model inside the frame [0, fov] and its motif index."""
    corners = np.array([[0.0, 0.0], [fov[0], 0.0], [0.0, fov[1]], [fov[0], fov[1]]])
    frac = (corners - model.offsets[0]) @ np.linalg.inv(model.cell)
    hmin, kmin = np.floor(frac.min(axis=0)) - 2
    hmax, kmax = np.ceil(frac.max(axis=0)) + 2
    h, k = np.meshgrid(np.arange(hmin, hmax + 1), np.arange(kmin, kmax + 1))
    n_motif = len(model.offsets)
    hk = np.tile(np.column_stack([h.ravel(), k.ravel()]), (n_motif, 1))
    motif = np.repeat(np.arange(n_motif), h.size)
    sites = model.site_nm(hk, motif)
    keep = np.all((sites >= 0) & (sites <= fov), axis=1)
    return sites[keep], motif[keep]


def _assign(sites: NDArray[np.float64], atoms: NDArray[np.float64], tol_nm: float) -> NDArray[np.int64]:
    """Site of each atom (the nearest within ``tol_nm``, one atom per site), -1 for none."""
    dist, nearest = cKDTree(sites).query(atoms, distance_upper_bound=tol_nm)
    out = np.full(len(atoms), -1, dtype=np.int64)
    taken: set[int] = set()
    for i in np.argsort(dist):
        if np.isfinite(dist[i]) and int(nearest[i]) not in taken:
            taken.add(int(nearest[i]))
            out[i] = int(nearest[i])
    return out


def fit_sites(
    atoms_nm: NDArray[np.float64], cell: NDArray[np.float64], fov: NDArray[np.float64], tol_nm: float
) -> Sites:
    """Sites of the lattice with basis ``cell`` (rows, nm) through the found columns ``atoms_nm``.

    The motif comes from clusters of the columns modulo the cell; cell, motif and a smooth displacement that
    depends on the row alone (drift during the scan) are refined by least squares, and each predicted site is
    then moved by the median displacement of the columns on the sites within ``LOCAL_CELLS`` cell lengths (a
    site with no column of its own follows its neighbours). The distortion is fitted from the first pass on and from
    half the frame on; the early fit is kept when it puts clearly more columns on their sites.
    """
    centre = 0.5 * fov
    cell_length = float(np.max(np.linalg.norm(cell, axis=1)))
    dist = np.linalg.norm(atoms_nm - centre, axis=1)
    origin = atoms_nm[np.argmin(dist)]
    patch = dist <= 4.0 * cell_length  # the cell is exact enough over a few cells to find the motif
    motif = motif_sites((atoms_nm[patch] - origin) @ np.linalg.inv(cell), cell, tol_nm)
    candidates = []
    knots = _knots(float(fov[1]), cell_length)
    for early in (True, False):
        start = _Model(cell, motif @ cell + origin, np.zeros((len(knots), 2)), knots)
        candidates.append(_corrected(atoms_nm, _fit_model(atoms_nm, start, tol_nm, centre, early), fov, tol_nm))
    early_on, late_on = (int(np.sum(c.atom_site >= 0)) for c in candidates)
    return candidates[0] if early_on > (1.0 + EARLY_GAIN) * late_on else candidates[1]


def _corrected(atoms_nm: NDArray[np.float64], model: _Model, fov: NDArray[np.float64], tol_nm: float) -> Sites:
    """The model's sites over the frame, each moved by the median displacement of the columns near it."""
    model_sites, site_motif = _grid(model, fov)
    sites = model_sites
    reach = LOCAL_CELLS * float(np.max(np.linalg.norm(model.cell, axis=1)))
    on = _assign(sites, atoms_nm, tol_nm)
    for _ in range(LOCAL_PASSES):  # each pass reaches columns a few cells beyond the last assigned ones
        ok = on >= 0
        if ok.sum() < 3:
            break
        residual = atoms_nm[ok] - model_sites[on[ok]]
        groups = cKDTree(model_sites[on[ok]]).query_ball_point(model_sites, reach)
        shift = np.array([np.median(residual[g], axis=0) if len(g) >= 3 else np.zeros(2) for g in groups])
        sites = model_sites + shift
        on = _assign(sites, atoms_nm, tol_nm)
    return Sites(sites, site_motif, model.cell, len(model.offsets), on)
