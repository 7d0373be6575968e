"""Shared helpers for the STEM twin tests: finding clean places and measuring images."""

from __future__ import annotations

import numpy as np

from copilot.twin import Microscope
from copilot.twin.specimens import ContaminationPatch, Hole, Particle, Specimen


def clear_spot(
    specimen: Specimen, clearance_nm: float, start_nm: tuple[float, float] = (0.0, 0.0)
) -> tuple[float, float]:
    """A point at least ``clearance_nm`` away from every hole, particle and contamination patch."""
    discs: list[Hole | Particle | ContaminationPatch] = [*specimen.holes, *specimen.particles, *specimen.contamination]
    for r in np.arange(0.0, 900.0, 7.0):
        for t in np.linspace(0, 2 * np.pi, 24, endpoint=False):
            x, y = start_nm[0] + r * np.cos(t), start_nm[1] + r * np.sin(t)
            if all(np.hypot(x - d.center_nm[0], y - d.center_nm[1]) > d.radius_nm * 1.3 + clearance_nm for d in discs):
                return float(x), float(y)
    raise AssertionError("no clear spot found")


def quiet(name: str, seed: int = 0) -> Microscope:
    """A noise-free, drift-free microscope."""
    return Microscope(name, seed=seed, noise=False, drift_nm_per_s=0.0)


def go(m: Microscope, xy_nm: tuple[float, float], fov_nm: float, pixels: int, focus: bool = True) -> None:
    """Centre the stage on a specimen point, set the scan and (by default) focus exactly."""
    m.move_stage(x_um=xy_nm[0] / 1000.0, y_um=xy_nm[1] / 1000.0)
    m.set_scan(fov_nm=fov_nm, pixels=pixels)
    if focus:
        m.set_optics(defocus_nm=m.true_focus_defocus_nm())
