"""Point defects of a crystal image: vacancies, substitutions and partial vacancies on fitted lattice sites."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from copilot.analysis._validate import as_image, fraction, positive
from copilot.analysis.atoms import AtomsFound, find_atoms
from copilot.analysis.errors import NoLatticeError
from copilot.analysis.lattice import Lattice, measure_lattice

DefectKind = Literal["vacancy", "substitution", "partial_vacancy", "interstitial"]


@dataclass(frozen=True)
class Defect:
    """One defect at FOV (x, y) nm. ``intensity_ratio`` is column intensity over its site median (nan if empty)."""

    kind: DefectKind
    x_nm: float
    y_nm: float
    motif_site: int  # index of the motif site (sub-lattice) it sits on; -1 for interstitials
    intensity_ratio: float


@dataclass(frozen=True)
class Defects:
    """Defects found on a fitted lattice, with the sites and atoms they were judged from."""

    defects: tuple[Defect, ...]
    lattice: Lattice
    sites_nm: NDArray[np.float64]  # every predicted site inside the judged area, (n, 2)
    site_motif: NDArray[np.int64]
    motif_median_intensities: tuple[float, ...]
    atoms: AtomsFound

    @property
    def counts(self) -> dict[str, int]:
        """Number of defects of each kind (kinds with none are listed with 0)."""
        found = Counter(d.kind for d in self.defects)
        return {k: found.get(k, 0) for k in ("vacancy", "substitution", "partial_vacancy", "interstitial")}


def _motif(frac: NDArray[np.float64], cell: NDArray[np.float64], tol_nm: float) -> NDArray[np.float64]:
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


def _fit_sites(
    positions: NDArray[np.float64], cell: NDArray[np.float64], motif: NDArray[np.float64], tol_nm: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Least-squares cell (rows a1, a2) and motif positions (nm, cell origin at 0) from the atoms on the sites."""
    offsets = motif @ cell
    for _ in range(2):
        frac = (positions[:, None, :] - offsets[None, :, :]) @ np.linalg.inv(cell)
        hk = np.round(frac)
        err = np.linalg.norm((frac - hk) @ cell, axis=2)
        m = np.argmin(err, axis=1)
        ok = err[np.arange(len(positions)), m] < tol_nm
        design = np.column_stack([hk[ok, m[ok]], np.eye(len(motif))[m[ok]]])
        solution = np.linalg.lstsq(design, positions[ok], rcond=None)[0]
        cell, offsets = solution[:2], solution[2:]
    return cell, offsets


def _predicted_sites(
    cell: NDArray[np.float64], offsets: NDArray[np.float64], lo: NDArray[np.float64], hi: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Every site of the fitted lattice inside the box [lo, hi] (nm) and its motif index."""
    corners = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [lo[0], hi[1]], [hi[0], hi[1]]])
    frac = corners @ np.linalg.inv(cell)
    hmin, kmin = np.floor(frac.min(axis=0)) - 1
    hmax, kmax = np.ceil(frac.max(axis=0)) + 1
    h, k = np.meshgrid(np.arange(hmin, hmax + 1), np.arange(kmin, kmax + 1))
    base = np.column_stack([h.ravel(), k.ravel()]) @ cell
    sites = (base[None, :, :] + offsets[:, None, :]).reshape(-1, 2)
    motif = np.repeat(np.arange(len(offsets)), len(base))
    inside = np.all((sites >= lo) & (sites <= hi), axis=1)
    return sites[inside], motif[inside]


def detect_defects(
    image: ArrayLike,
    pixel_size_nm: float,
    atoms: AtomsFound | None = None,
    tolerance: float = 0.4,
    ratio_tolerance: float = 0.25,
    min_sigmas: float = 4.0,
) -> Defects:
    """Vacancies, substitutions and partial vacancies from lattice sites and column intensities.

    The lattice comes from the Fourier peaks (``measure_lattice``); the atoms modulo the cell cluster into motif
    sites (e.g. Mo and S2 in MoS2); cell and motif are refined by least squares on the atoms, so a uniform drift
    shear is absorbed. Every predicted site at least half an atom spacing inside the image is then judged: no
    atom within ``tolerance`` x the spacing = vacancy; a column brighter than its motif-site median by more than
    ``ratio_tolerance`` (and ``min_sigmas`` robust sigmas) = substitution by a heavier atom; dimmer = partial
    vacancy (e.g. one S of an S2 column). Atoms on no site are interstitials.

    Parameters
    ----------
    image : array_like, 2-D
        Atomic-resolution HAADF image in counts.
    pixel_size_nm : float
        Pixel size in nm.
    atoms : AtomsFound, optional
        Columns already found by ``find_atoms`` (found here with its defaults otherwise).
    tolerance : float
        Largest distance from a site of an atom on it, as a fraction of the atom spacing, in [0, 0.5].
    ratio_tolerance : float
        Least relative intensity change of a substituted or partly empty column, in [0, 1].
    min_sigmas : float
        Least intensity change in robust standard deviations of the site's columns.

    Returns
    -------
    Defects
    """
    img = as_image(image)
    px = positive("pixel_size_nm", pixel_size_nm)
    tol = fraction("tolerance", tolerance)
    rel = fraction("ratio_tolerance", ratio_tolerance)
    z_min = positive("min_sigmas", min_sigmas)
    found = atoms if atoms is not None else find_atoms(img, px)
    if found.count < 8:
        raise NoLatticeError(f"only {found.count} atomic columns found; defect detection needs a lattice of them.")
    lattice = measure_lattice(img, px)
    tol_nm = min(tol, 0.5) * found.spacing_nm
    cell = np.array([lattice.a_vector_nm, lattice.b_vector_nm])
    frac = (found.positions_nm - found.positions_nm[0]) @ np.linalg.inv(cell)
    motif = _motif(frac, cell, tol_nm)
    cell, offsets = _fit_sites(found.positions_nm - found.positions_nm[0], cell, motif, tol_nm)
    frac_offsets = (offsets + found.positions_nm[0]) @ np.linalg.inv(cell)
    offsets = (frac_offsets - np.floor(frac_offsets)) @ cell  # motif inside the cell at the origin
    margin = 0.5 * found.spacing_nm
    fov = np.array([img.shape[1], img.shape[0]]) * px
    sites, site_motif = _predicted_sites(cell, offsets, np.full(2, margin), fov - margin)

    dist, nearest = cKDTree(found.positions_nm).query(sites)
    occupied = dist < tol_nm
    medians, defects = [], []
    for m in range(len(offsets)):
        on_site = occupied & (site_motif == m)
        values = found.intensities[nearest[on_site]]
        median = float(np.median(values)) if values.size else float("nan")
        sigma = 1.4826 * float(np.median(np.abs(values - median))) if values.size else float("nan")
        medians.append(median)
        for site, value in zip(sites[on_site], values, strict=True):
            ratio = value / median
            if ratio > 1 + rel and value - median > z_min * sigma:
                defects.append(Defect("substitution", float(site[0]), float(site[1]), m, float(ratio)))
            elif ratio < 1 - rel and median - value > z_min * sigma:
                defects.append(Defect("partial_vacancy", float(site[0]), float(site[1]), m, float(ratio)))
    for site, m in zip(sites[~occupied], site_motif[~occupied], strict=True):
        defects.append(Defect("vacancy", float(site[0]), float(site[1]), int(m), float("nan")))
    site_dist, _ = cKDTree(sites).query(found.positions_nm)
    inside = np.all((found.positions_nm >= margin) & (found.positions_nm <= fov - margin), axis=1)
    for x, y in found.positions_nm[(site_dist >= tol_nm) & inside]:
        defects.append(Defect("interstitial", float(x), float(y), -1, float("nan")))
    return Defects(tuple(defects), lattice, sites, site_motif, tuple(medians), found)
