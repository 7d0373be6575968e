"""Point defects of a crystal image: vacancies, substitutions and partial vacancies judged on every lattice site
from the column intensity there, and interstitials off the sites."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import gaussian_filter, map_coordinates
from scipy.spatial import cKDTree
from scipy.stats import norm

from copilot.analysis._validate import as_image, fraction, noise_sigma, positive
from copilot.analysis.atoms import AtomsFound, find_atoms
from copilot.analysis.columns import column_amplitudes
from copilot.analysis.errors import NoLatticeError
from copilot.analysis.lattice import Lattice, measure_lattice
from copilot.analysis.sites import LOCAL_CELLS, Sites, fit_sites

DefectKind = Literal["vacancy", "substitution", "partial_vacancy", "interstitial"]
KINDS: tuple[DefectKind, ...] = ("vacancy", "substitution", "partial_vacancy", "interstitial")
VACANCY_RATIO = 0.3
"""A site whose column intensity is below this fraction of its sub-lattice's local median is empty (a vacancy);
between this and ``1 - ratio_tolerance`` it is partly empty (one S of an S2 column)."""

FALSE_ALARMS_PER_SUBLATTICE = 0.05
"""A site is a defect only when its intensity departs from its sub-lattice's by so many robust sigmas that pure
noise would make this many false defects over all the sub-lattice's sites (a threshold that rises with the
number of sites judged, about 3.9 sigmas for a thousand)."""
PARTIAL_RATIO = 0.5  # a column with half its atoms gone (one S of an S2 pair)
CONFIRM_SIGMAS = 2.0
"""Each call is confirmed by the jointly fitted column amplitudes (no spill from a bright neighbour, noisier)
departing the same way by this many of their own robust sigmas."""
MAX_OFF_SITE_FRACTION = 0.01
"""More bright columns off the lattice sites than this fraction of the sites means the fitted lattice does not
follow the image (interstitials are rare; a distorted frame puts many columns off its sites)."""
BRIGHT_TAIL_SIGMAS = 1.5
"""Extra sigmas a substitution needs: the upper tail of low-count (Poisson) noise is the longer one."""


@dataclass(frozen=True)
class Defect:
    """One defect at FOV (x, y) nm on sub-lattice ``sublattice`` (0 = the brightest columns; -1 for interstitials).

    ``intensity_ratio`` is the column intensity over the local median of its sub-lattice (nan for interstitials)
    and ``sigmas`` how many robust standard deviations of that sub-lattice it departs from 1.
    """

    kind: DefectKind
    x_nm: float
    y_nm: float
    sublattice: int
    intensity_ratio: float
    sigmas: float


@dataclass(frozen=True)
class Sublattice:
    """One sub-lattice (motif site): its columns' median intensity relative to the brightest sub-lattice, the
    robust relative spread of its column intensities, and whether it was resolved well enough to be judged."""

    relative_intensity: float
    spread: float
    sites: int
    judged: bool


@dataclass(frozen=True)
class Defects:
    """Defects on a fitted lattice, with the sites (inside the judged area) and atoms they were judged from.

    ``reliable`` is False when a sub-lattice is too noisy to tell an empty site from a dim column, when there
    are too few sites, or when many sites of a resolved sub-lattice are empty or many columns lie off the sites
    (a lattice the fit does not follow); ``reliability_note`` says which. ``margin_nm`` is the band along the
    frame edges left unjudged.
    """

    defects: tuple[Defect, ...]
    lattice: Lattice
    sites_nm: NDArray[np.float64]
    site_sublattice: NDArray[np.int64]
    sublattices: tuple[Sublattice, ...]
    atoms: AtomsFound
    margin_nm: float
    reliable: bool
    reliability_note: str

    @property
    def counts(self) -> dict[str, int]:
        """Number of defects of each kind (kinds with none are listed with 0)."""
        found = Counter(d.kind for d in self.defects)
        return {k: found.get(k, 0) for k in KINDS}


def _sampled_heights(
    image: NDArray[np.float64], px: float, points_nm: NDArray[np.float64], sigma_nm: float
) -> tuple[NDArray[np.float64], float]:
    """Column intensity at each point from the image smoothed over about the probe size (low noise, but a bright
    column spills a little into its neighbours), and the noise sigma of one value."""
    sigma_px = max(sigma_nm / px, 0.7)
    smooth = gaussian_filter(image, sigma_px, mode="reflect")
    values = map_coordinates(smooth, [points_nm[:, 1] / px - 0.5, points_nm[:, 0] / px - 0.5], order=1, mode="nearest")
    noise = noise_sigma(image) / (2.0 * np.sqrt(np.pi) * sigma_px)
    return values - float(np.percentile(smooth, 2)), float(noise)


def _fitted_heights(
    image: NDArray[np.float64], px: float, points_nm: NDArray[np.float64], sigma_nm: float
) -> tuple[NDArray[np.float64], float]:
    """Column amplitudes fitted jointly (no spill from neighbours, but noisier), and the noise of one."""
    heights, width = column_amplitudes(image, px, points_nm, max(sigma_nm, 0.7 * px))
    return heights, float(noise_sigma(image) / (np.sqrt(np.pi) * width / px))


def _spread(ratio: NDArray[np.float64], floor: float) -> float:
    """Robust standard deviation of the ratios, at least the noise floor."""
    return max(1.4826 * float(np.median(np.abs(ratio - np.median(ratio)))), floor) if ratio.size else np.inf


def _kinds(
    ratio: NDArray[np.float64], spread: float, z_need: float, empty: NDArray[np.bool_], rel: float
) -> NDArray[np.str_]:
    """The defect kind each ratio indicates ("" for none)."""
    z = np.abs(ratio - 1.0) / spread
    kind = np.full(ratio.shape, "", dtype="<U15")
    kind[(z >= z_need) & (ratio < 1 - rel)] = "partial_vacancy"
    kind[(z >= z_need) & (ratio < VACANCY_RATIO) & empty] = "vacancy"
    kind[(z >= z_need + BRIGHT_TAIL_SIGMAS) & (ratio > 1 + rel)] = "substitution"
    return kind


def _local_ratio(
    sites: NDArray[np.float64], motif: NDArray[np.int64], heights: NDArray[np.float64], reach_nm: float
) -> NDArray[np.float64]:
    """Each site's intensity over the median of its sub-lattice's sites within ``reach_nm`` (slow thickness or
    contamination changes cancel)."""
    ratio = np.empty(len(sites))
    for m in np.unique(motif):
        sel = np.flatnonzero(motif == m)
        groups = cKDTree(sites[sel]).query_ball_point(sites[sel], reach_nm)
        local = np.array([np.median(heights[sel[g]]) for g in groups])
        ratio[sel] = heights[sel] / np.maximum(local, 1e-12)
    return ratio


def detect_defects(
    image: ArrayLike,
    pixel_size_nm: float,
    atoms: AtomsFound | None = None,
    tolerance: float = 0.4,
    ratio_tolerance: float = 0.25,
    min_sigmas: float = 3.0,
    margin_nm: float | None = None,
) -> Defects:
    """Vacancies, substitutions and partial vacancies on the lattice sites, and interstitials between them.

    The lattice comes from the Fourier peaks (``measure_lattice``); the found columns modulo the cell cluster
    into sub-lattices (e.g. Mo and S2 in MoS2); cell and motif are refined by least squares and every site is
    corrected by the displacement of its neighbours, so drift shear does not move sites off their columns. Each
    site at least ``margin_nm`` (default one lattice spacing) inside the frame is judged by its column intensity
    over the local median of its sub-lattice: below 0.3 = vacancy, below ``1 - ratio_tolerance`` = partial
    vacancy, above ``1 + ratio_tolerance`` = substitution by a heavier atom, each only when it also departs by
    ``min_sigmas`` robust standard deviations. A sub-lattice whose intensities scatter too much for an empty site
    to stand out (low dose) is not judged, and the result says so (``reliable``).

    Parameters
    ----------
    image : array_like, 2-D
        Atomic-resolution image in counts, bright columns (HAADF).
    pixel_size_nm : float
        Pixel size in nm.
    atoms : AtomsFound, optional
        Columns already found by ``find_atoms`` (found here with its defaults otherwise).
    tolerance : float
        Largest distance of a column from its site, as a fraction of the atom spacing, in [0, 0.5].
    ratio_tolerance : float
        Least relative intensity change of a substituted or partly empty column, in [0, 1].
    min_sigmas : float
        Least intensity change in robust standard deviations of the sub-lattice's columns (raised for large
        frames so that noise makes at most ``FALSE_ALARMS_PER_SUBLATTICE`` false defects per sub-lattice).
    margin_nm : float, optional
        Band along the frame edges where nothing is judged (columns cut by the edge look empty).

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
    fov = np.array([img.shape[1], img.shape[0]]) * px
    tol_nm = min(tol, 0.5) * found.spacing_nm
    sites = fit_sites(found.positions_nm, np.array([lattice.a_vector_nm, lattice.b_vector_nm]), fov, tol_nm)
    margin = sites.cell_length_nm if margin_nm is None else positive("margin_nm", margin_nm)
    return _judge(img, px, found, lattice, sites, margin, tol_nm, rel, z_min)


def _judge(
    img: NDArray[np.float64],
    px: float,
    found: AtomsFound,
    lattice: Lattice,
    sites: Sites,
    margin: float,
    tol_nm: float,
    rel: float,
    z_min: float,
) -> Defects:
    """Classify every site inside the margin, and the columns on no site."""
    fov = np.array([img.shape[1], img.shape[0]]) * px
    points = sites.positions_nm.copy()
    on = sites.atom_site >= 0
    sites_empty = np.ones(len(points), dtype=bool)
    sites_empty[sites.atom_site[on]] = False
    points[sites.atom_site[on]] = found.positions_nm[on]  # an occupied site is read where its column is
    reach = LOCAL_CELLS * sites.cell_length_nm
    heights, noise = _sampled_heights(img, px, points, found.smoothing_nm)
    fitted, fit_noise = _fitted_heights(img, px, points, found.smoothing_nm)
    ratio, fit_ratio = (_local_ratio(points, sites.motif, h, reach) for h in (heights, fitted))
    inner = np.all((points >= margin) & (points <= fov - margin), axis=1)
    medians = np.array([np.median(heights[inner & (sites.motif == m)]) for m in range(sites.n_motif)])
    fit_medians = np.array([np.median(fitted[inner & (sites.motif == m)]) for m in range(sites.n_motif)])
    order = np.argsort(-medians)  # sub-lattice 0 = the brightest columns
    rank = np.argsort(order)
    sublattices, defects, notes = [], [], []
    for m in order:
        sel = np.flatnonzero(inner & (sites.motif == m))
        spread = _spread(ratio[sel], noise / max(medians[m], 1e-12))
        z_need = max(z_min, float(norm.isf(FALSE_ALARMS_PER_SUBLATTICE / max(sel.size, 1))))
        judged = bool(sel.size >= 4 and z_need * spread <= 1.0)  # an empty site stands out
        sublattices.append(Sublattice(float(medians[m] / medians[order[0]]), spread, int(sel.size), judged))
        if not judged:
            notes.append(f"sub-lattice {rank[m]} is too noisy to judge (column intensities scatter by {spread:.0%})")
            continue
        if z_need * spread > 1.0 - PARTIAL_RATIO:
            notes.append(
                f"a half-empty column would not stand out on sub-lattice {rank[m]}: partial vacancies are missed"
            )
        kind = _kinds(ratio[sel], spread, z_need, sites_empty[sel], rel)
        fit_spread = _spread(fit_ratio[sel], fit_noise / max(fit_medians[m], 1e-12))
        confirmed = kind == _kinds(fit_ratio[sel], fit_spread, CONFIRM_SIGMAS, sites_empty[sel], rel)
        for idx, k in zip(sel[confirmed & (kind != "")], kind[confirmed & (kind != "")], strict=True):
            x, y = sites.positions_nm[idx]
            q = float(ratio[idx])  # judged on the low-noise ratio, reported as the fitted (background-free) one
            defects.append(Defect(k, float(x), float(y), int(rank[m]), float(fit_ratio[idx]), abs(q - 1.0) / spread))  # type: ignore[arg-type]
    weakest = min((s.relative_intensity for s in sublattices if s.judged), default=1.0)
    atoms_in = np.all((found.positions_nm >= margin) & (found.positions_nm <= fov - margin), axis=1)
    off_site = (sites.atom_site < 0) & atoms_in
    if off_site.any():
        dist, _ = cKDTree(sites.positions_nm).query(found.positions_nm[off_site])
        bright = found.intensities[off_site] > 0.5 * weakest * float(np.max(medians))
        for (x, y), far, b in zip(found.positions_nm[off_site], dist >= tol_nm, bright, strict=True):
            if far and b:
                defects.append(Defect("interstitial", float(x), float(y), -1, float("nan"), float("nan")))
    n_inner = int(inner.sum())
    empty = sum(d.kind == "vacancy" for d in defects)
    stray = sum(d.kind == "interstitial" for d in defects)
    if n_inner < 20:
        notes.append(f"only {n_inner} lattice sites lie inside the {margin:.2f} nm margin")
    elif empty > 0.05 * n_inner:
        notes.append(f"{empty} of {n_inner} sites look empty: the lattice fit may not follow this image")
    elif stray > MAX_OFF_SITE_FRACTION * n_inner:
        notes.append(
            f"{stray} columns lie off the {n_inner} fitted sites: the lattice fit does not follow this image (drift "
            "during a slow frame distorts it); take a faster frame (shorter dwell, more current)"
        )
    return Defects(
        tuple(defects),
        lattice,
        sites.positions_nm[inner],
        rank[sites.motif[inner]],
        tuple(sublattices),
        found,
        margin,
        not notes,
        "; ".join(notes),
    )
