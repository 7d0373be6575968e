"""Accuracy of ``segment_particles`` against the twin's particles: count and mean diameter on STEM frames of gold
on carbon, particle heights (the true diameters of spheres) on AFM height images."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from copilot.analysis.particles import segment_particles
from copilot.bench.accuracy_case import Case, Outcome, rel
from copilot.bench.accuracy_truth import imaged_fov_nm, match
from copilot.twin.afm import AFM
from copilot.twin.afm.grid import scan_grid
from copilot.twin.afm.surfaces_topo import Nanoparticles

PARTICLE_TOLERANCE = 5.0  # %, count and mean diameter


def particles_case(case: Case) -> Outcome:
    """Count of the particles wholly inside the frame (error in %), precision and recall of their positions, and
    the mean-diameter error (in ``extra``) of the particles found against their true diameters."""
    scope = case.scope()
    frame = scope.acquire_image()
    found = segment_particles(frame.data, frame.pixel_size_nm)
    parts = scope.specimen.particles
    centres = imaged_fov_nm(scope, frame, np.array([p.center_nm for p in parts]).reshape(-1, 2))
    radii = np.array([p.radius_nm for p in parts])
    inside = np.all((centres >= radii[:, None]) & (centres <= case.fov_nm - radii[:, None]), axis=1)
    true_xy, true_d = centres[inside], 2 * radii[inside]
    found_xy = np.array([(p.x_nm, p.y_nm) for p in found.interior]).reshape(-1, 2)
    m = match(found_xy, true_xy, 1.0)
    d_err = _diameter_error(found_xy, found.diameters_nm, true_xy, true_d)
    err = rel(found.count, len(true_xy))
    ok = abs(err) <= PARTICLE_TOLERANCE and abs(d_err) <= PARTICLE_TOLERANCE
    return Outcome(
        "segment_particles", case.label, frame.dose_e_per_A2, len(true_xy), found.count, err, "%", m.precision,
        m.recall, found.reliable, f"count and mean d within {PARTICLE_TOLERANCE:g} %", ok,
        {"mean_diameter_error_pct": d_err, "smallest_true_nm": float(true_d.min()) if true_d.size else np.nan},
    )  # fmt: skip


def _diameter_error(found_xy: np.ndarray, found_d: np.ndarray, true_xy: np.ndarray, true_d: np.ndarray) -> float:
    """Mean diameter of the found particles against the mean true diameter of the ones they sit on (%)."""
    if len(found_xy) == 0 or len(true_xy) == 0:
        return float("nan")
    dist, idx = cKDTree(true_xy).query(found_xy)
    hit = dist < np.maximum(1.0, 0.5 * true_d[idx])
    return rel(float(found_d[hit].mean()), float(true_d[idx[hit]].mean())) if hit.any() else float("nan")


def afm_particles_case(seed: int) -> Outcome:
    """Mean height of the AFM particles found against the true diameters of those spheres (%); the lateral size
    is broadened by the tip, the height is not."""
    afm = AFM("afm_nanoparticles", seed=seed)
    afm.approach()
    frame = afm.acquire_afm_image(("height",))
    px = frame.pixel_size_nm
    found = segment_particles(frame.channels["height_trace"], px)
    grid = scan_grid(afm.state.scan)
    surface = afm.surface
    assert isinstance(surface, Nanoparticles)
    truth = np.array([(p.x_nm, p.y_nm, p.height_nm) for p in surface.particles])
    row, col = grid.pixel_of(truth[:, 0], truth[:, 1])
    true_xy = np.column_stack([(col + 0.5) * px, (row + 0.5) * px])
    true_h = truth[:, 2]
    heights = np.array([p.height for p in found.interior])
    xy = np.array([(p.x_nm, p.y_nm) for p in found.interior]).reshape(-1, 2)
    if len(xy) == 0:
        return Outcome("segment_particles", f"AFM nanoparticles seed {seed}", 0.0, np.nan, 0, np.nan, "%")
    dist, idx = cKDTree(true_xy).query(xy)
    hit = dist < true_h[idx]
    err = rel(float(heights[hit].mean()), float(true_h[idx[hit]].mean()))
    return Outcome(
        "segment_particles", f"AFM nanoparticles {frame.size_nm:g} nm/{frame.pixels} px, seed {seed}: height", 0.0,
        float(true_h[idx[hit]].mean()), float(heights[hit].mean()), err, "%", float(hit.mean()), None,
        found.reliable, f"mean height within {PARTICLE_TOLERANCE:g} %", abs(err) <= PARTICLE_TOLERANCE,
    )  # fmt: skip
