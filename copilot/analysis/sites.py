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


def _bend(y_nm: NDArray[np.float64], height_nm: float) -> NDArray[np.float64]:
    """Terms of the slow-scan distortion: (y^2, y^3) with y scaled to [-1, 1] over the frame height. Drift that
    changes direction during a frame bends the rows' positions this way; the linear part is in the cell."""
    t = 2.0 * np.asarray(y_nm) / height_nm - 1.0
    return np.column_stack([t**2, t**3])


@dataclass(frozen=True)
class _Model:
    cell: NDArray[np.float64]  # rows a1, a2
    offsets: NDArray[np.float64]  # (motif, 2) FOV nm of the sites of cell (0, 0)
    bend: NDArray[np.float64]  # (2, 2) coefficients of the y^2 and y^3 terms
    height_nm: float

    def site_nm(self, hk: NDArray[np.float64], m: NDArray[np.int64]) -> NDArray[np.float64]:
        straight = hk @ self.cell + self.offsets[m]
        return straight + _bend(straight[:, 1], self.height_nm) @ self.bend


def _fit_model(atoms_nm: NDArray[np.float64], model: _Model, tol_nm: float, centre: NDArray[np.float64]) -> _Model:
    """Least-squares cell, motif offsets and slow-scan bend from the columns on the sites, grown outwards from
    ``centre``: each pass fits the columns within a radius twice the last one, so an imprecise start cell (a
    drift-sheared Fourier peak) never indexes far columns wrongly. The bend is fitted once half the frame is in."""
    n_motif = len(model.offsets)
    cell_length = float(np.max(np.linalg.norm(model.cell, axis=1)))
    far = float(np.max(np.linalg.norm(atoms_nm - centre, axis=1)))
    radius = 4.0 * cell_length
    while True:
        near = np.linalg.norm(atoms_nm - centre, axis=1) <= radius
        for _ in range(2):
            unbent = atoms_nm - _bend(atoms_nm[:, 1], model.height_nm) @ model.bend
            frac = (unbent[:, None, :] - model.offsets[None, :, :]) @ np.linalg.inv(model.cell)
            hk = np.round(frac)
            err = np.linalg.norm((frac - hk) @ model.cell, axis=2)
            m = np.argmin(err, axis=1)
            rows = np.flatnonzero(near & (err[np.arange(len(atoms_nm)), m] < tol_nm))
            if len(rows) < n_motif + 6:
                return model
            straight = hk[rows, m[rows]] @ model.cell + model.offsets[m[rows]]
            terms = [hk[rows, m[rows]], np.eye(n_motif)[m[rows]]]
            bend = radius >= 0.5 * model.height_nm
            if bend:
                terms.append(_bend(straight[:, 1], model.height_nm))
            solution = np.linalg.lstsq(np.column_stack(terms), atoms_nm[rows], rcond=None)[0]
            coef = solution[2 + n_motif :] if bend else model.bend
            model = _Model(solution[:2], solution[2 : 2 + n_motif], coef, model.height_nm)
        if radius >= far:
            return model
        radius *= 2.0


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

    The motif comes from clusters of the columns modulo the cell; cell, motif and a smooth bend along the slow
    scan are refined by least squares, and each predicted site is then moved by the median displacement of the
    columns on the sites within ``LOCAL_CELLS`` cell lengths (a site with no column of its own follows its
    neighbours).
    """
    centre = 0.5 * fov
    cell_length = float(np.max(np.linalg.norm(cell, axis=1)))
    dist = np.linalg.norm(atoms_nm - centre, axis=1)
    origin = atoms_nm[np.argmin(dist)]
    patch = dist <= 4.0 * cell_length  # the cell is exact enough over a few cells to find the motif
    motif = motif_sites((atoms_nm[patch] - origin) @ np.linalg.inv(cell), cell, tol_nm)
    start = _Model(cell, motif @ cell + origin, np.zeros((2, 2)), float(fov[1]))
    model = _fit_model(atoms_nm, start, tol_nm, centre)
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
