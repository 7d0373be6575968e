"""Beam damage from the dose ledger: atoms displaced one by one, from the first electron on.

Each exposure delivered a dose ``D`` at a beam energy; an atom of element ``el`` under it accumulates the hazard
``H = sum D * sigma_el(kV)`` (per-element displacement cross-sections from :mod:`copilot.twin.knockon`). Each of
the (at most two) surface atoms of a column survives with probability ``q = exp(-H)``. Every column carries a
fixed seeded uniform draw ``u``; it has lost one atom when ``u < 1 - q^r`` and two when ``u < (1 - q)^2``
(``r`` atoms at risk). The thresholds only grow with dose, so an atom once gone stays gone, and an S2 column of
MoS2 goes S2 -> S -> vacancy. There is no dose threshold; the specimen's critical dose only drives the dose guard.

Only exposures that can displace an atom of the specimen are visited, and each only on the columns inside it
(found through a sorted band of x first), so the cost follows the exposed areas, not the atoms in view.
"""

from __future__ import annotations

import numpy as np

from copilot.twin.dose import DoseLedger, Exposure, paint_rects
from copilot.twin.grid import Grid
from copilot.twin.results import Atoms
from copilot.twin.specimens.base import AMORPHOUS_C_PER_NM3, Specimen
from copilot.twin.specimens.features import PointDefect

SURFACE_ATOMS = 2
"""Atoms of a column that can leave it: the top and bottom ones (both S of an S2 site)."""
NEGLIGIBLE_HAZARD = 1e-9
"""Exposures whose hazard on the most sensitive atom stays below this are skipped."""


def _hazard_bound(specimen: Specimen, exposure: Exposure) -> float:
    """Hazard the exposure delivers to the most sensitive element of the specimen."""
    model = specimen.damage
    sigma = max((model.cross_section_A2(el, exposure.energy_kv) for el in model.bindings), default=0.0)
    return exposure.dose_e_per_A2 * sigma


def damaging(specimen: Specimen, exposures: list[Exposure]) -> list[Exposure]:
    """The exposures that can displace an atom of this specimen."""
    return [e for e in exposures if _hazard_bound(specimen, e) > NEGLIGIBLE_HAZARD]


def atoms_removed(specimen: Specimen, ledger: DoseLedger, atoms: Atoms, damage_u: np.ndarray) -> np.ndarray:
    """Atoms (0, 1 or 2) the beam has removed from each column so far."""
    lost = np.zeros(len(atoms), dtype=np.int64)
    if len(atoms) == 0:
        return lost
    xy = atoms.xy_nm
    box = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
    hits = damaging(specimen, ledger.near(box))
    if not hits:
        return lost
    order = np.argsort(xy[:, 0], kind="stable")
    xs = xy[order, 0]
    covered = []  # per exposure, the columns it covers (found through a band of x first)
    for e in hits:
        cx, cy, r = e.center_nm[0], e.center_nm[1], e.reach_nm
        lo, hi = np.searchsorted(xs, (cx - r, cx + r))
        band = order[lo:hi]
        band = band[np.abs(xy[band, 1] - cy) <= r]
        covered.append(band[e.covers(xy[band, 0], xy[band, 1])])
    touched = np.unique(np.concatenate(covered))
    if len(touched) == 0:
        return lost
    kinds, col = np.unique(atoms.elements[touched], return_inverse=True)
    where = np.full(len(atoms), -1, dtype=np.int64)
    where[touched] = np.arange(len(touched))
    hazard = np.zeros(len(touched))
    for e, cols in zip(hits, covered, strict=True):
        sigma = np.array([specimen.damage.cross_section_A2(str(el), e.energy_kv) for el in kinds])
        k = where[cols]
        hazard[k] += e.dose_e_per_A2 * sigma[col[k]]
    gone = -np.expm1(-hazard)  # probability that one atom at risk has left
    u, r = damage_u[touched], np.minimum(atoms.count[touched], SURFACE_ATOMS)
    lost[touched] = (u < 1.0 - (1.0 - gone) ** r).astype(np.int64) + ((r == 2) & (u < gone * gone))
    return lost


def damaged(specimen: Specimen, ledger: DoseLedger, atoms: Atoms, damage_u: np.ndarray) -> Atoms:
    """The columns with the atoms the beam removed taken away (emptied columns dropped)."""
    count = atoms.count - atoms_removed(specimen, ledger, atoms, damage_u)
    keep = count > 0
    return Atoms(atoms.xy_nm[keep], atoms.z_nm[keep], atoms.elements[keep], count[keep])


def surviving_atoms(specimen: Specimen, ledger: DoseLedger, box: tuple[float, float, float, float]) -> Atoms:
    """Columns inside a specimen box (x0, y0, x1, y1) with the beam damage so far applied."""
    atoms, damage_u = specimen.columns(box)
    return damaged(specimen, ledger, atoms, damage_u)


def beam_defects(specimen: Specimen, ledger: DoseLedger, box: tuple[float, float, float, float]) -> list[PointDefect]:
    """Vacancies the beam made inside a box: ``vacancy`` for an emptied column, ``S vacancy`` for an S2 site
    left with one S, ``S2 vacancy`` for an emptied S2 site, ``surface vacancy`` for a thick column."""
    atoms, damage_u = specimen.columns(box)
    lost = atoms_removed(specimen, ledger, atoms, damage_u)
    out = []
    for i in np.flatnonzero(lost):
        el, left = str(atoms.elements[i]), int(atoms.count[i] - lost[i])
        pos = (float(atoms.xy_nm[i, 0]), float(atoms.xy_nm[i, 1]))
        if el == "S" and atoms.count[i] <= 2:
            out.append(PointDefect(pos, "S vacancy" if left == 1 else "S2 vacancy", "S" if left else "", "S2"))
        elif left == 0:
            out.append(PointDefect(pos, "vacancy", "", el))
        else:
            out.append(PointDefect(pos, "surface vacancy", el, el))
    return out


def defects_after_damage(
    specimen: Specimen, ledger: DoseLedger, box: tuple[float, float, float, float]
) -> list[PointDefect]:
    """Every point defect inside a box now: the grown-in ones on sites the beam left alone, and the beam's."""
    made = beam_defects(specimen, ledger, box)
    sites = {d.position_nm for d in made}
    return [d for d in specimen.defects_in(box) if d.position_nm not in sites] + made


def atoms_lost(specimen: Specimen, ledger: DoseLedger) -> int:
    """Atoms the beam has displaced so far over every area it could damage."""
    hits = damaging(specimen, ledger.exposures)
    if not hits:
        return 0
    xs = [e.center_nm[0] + s * e.reach_nm for e in hits for s in (-1, 1)]
    ys = [e.center_nm[1] + s * e.reach_nm for e in hits for s in (-1, 1)]
    atoms, damage_u = specimen.columns((min(xs), min(ys), max(xs), max(ys)))
    return int(atoms_removed(specimen, ledger, atoms, damage_u).sum())


def damage_and_contamination(
    specimen: Specimen, ledger: DoseLedger, grid: Grid, canvas: np.ndarray, carbon_nm2: float, density_mode: bool
) -> None:
    """Apply the ledger to a canvas in place: thin out damaged areas (density mode, with the mean cross-section
    of the specimen's elements) and add grown contamination."""
    near = ledger.near(grid.bbox_nm(pad_px=2.0))
    hits = damaging(specimen, near) if density_mode else []
    if hits:
        model = specimen.damage
        sigma = [float(np.mean([model.cross_section_A2(el, e.energy_kv) for el in model.bindings])) for e in hits]
        hazard = paint_rects(grid, hits, [e.dose_e_per_A2 * s for e, s in zip(hits, sigma, strict=True)])
        hazard *= np.float32(-1.0)
        canvas *= np.exp(hazard)
    grown = [e for e in near if e.contamination_nm > 0.0]
    if not grown:
        return
    per_nm = AMORPHOUS_C_PER_NM3 * carbon_nm2 * grid.pixel_area_nm2  # carbon_nm2: one C atom's signal
    rows, cols = grid.shape
    cx, cy = grid.to_material(
        np.array([0.0, cols - 1.0, 0.0, cols - 1.0]), np.array([0.0, 0.0, rows - 1.0, rows - 1.0])
    )
    whole = [e for e in grown if e.covers(cx, cy).all()]  # a rectangle holding all four corners holds the canvas
    partial = [e for e in grown if not e.covers(cx, cy).all()]
    if whole:
        canvas += np.float32(per_nm * sum(e.contamination_nm for e in whole))
    if partial:
        thickness = paint_rects(grid, partial, [e.contamination_nm for e in partial])
        thickness *= np.float32(per_nm)
        canvas += thickness
