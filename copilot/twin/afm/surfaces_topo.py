"""Surfaces defined by their topography: atomic steps, a calibration grating and nanoparticles on a substrate."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.spatial import cKDTree

from copilot.twin.afm.grid import ScanGrid
from copilot.twin.afm.surface_base import Material, MountTilt, SurfaceMaps, material_maps, uniform_maps

SILICON = Material("silicon", phase_lag_deg=0.0, adhesion_work_J_per_m2=0.10, modulus_GPa=100.0)
SILICON_OXIDE = Material("silicon oxide", phase_lag_deg=2.0, adhesion_work_J_per_m2=0.12, modulus_GPa=60.0)
GOLD = Material("gold", phase_lag_deg=9.0, adhesion_work_J_per_m2=0.20, modulus_GPa=60.0)


class AtomicSteps:
    """Terraces separated by monatomic steps (Si(111) bilayer, 0.314 nm), meandering, going up then down.

    The staircase rises ``levels`` steps and falls again over one period, so a whole-image plane fit is not
    biased by a net miscut; the mount tilt is added on top.
    """

    name = "afm_steps"
    description = "Si(111) terraces with monatomic steps of 0.314 nm, meandering step edges, tilted mount"

    def __init__(self, rng: np.random.Generator) -> None:
        self.step_height_nm = 0.314
        self.terrace_width_nm = float(rng.uniform(120.0, 200.0))
        self.levels = 3
        self.step_direction_deg = float(rng.uniform(-30.0, 30.0))
        self.tilt = MountTilt.draw(rng)
        self._wander_amp_nm = rng.uniform(5.0, 20.0, size=3)
        self._wander_wavelength_nm = rng.uniform(150.0, 900.0, size=3)
        self._wander_phase = rng.uniform(0.0, 2.0 * math.pi, size=3)
        self._offset_nm = float(rng.uniform(0.0, self.terrace_width_nm))

    def level(self, grid: ScanGrid) -> np.ndarray:
        """Terrace index (0..levels) of every pixel: ground truth for step analysis."""
        a = math.radians(self.step_direction_deg)
        u = grid.x_nm * math.cos(a) + grid.y_nm * math.sin(a) + self._offset_nm
        v = -grid.x_nm * math.sin(a) + grid.y_nm * math.cos(a)
        for amp, lam, ph in zip(self._wander_amp_nm, self._wander_wavelength_nm, self._wander_phase, strict=True):
            u = u + amp * np.sin(2.0 * math.pi * v / lam + ph)
        k = np.mod(np.floor(u / self.terrace_width_nm), 2 * self.levels)
        return np.where(k <= self.levels, k, 2 * self.levels - k)

    def render(self, grid: ScanGrid) -> SurfaceMaps:
        level = self.level(grid)
        height = self.step_height_nm * level + self.tilt.height_nm(grid)
        return replace(uniform_maps(height, SILICON), terrace_level=level.astype(np.int8))


class CalibrationGrating:
    """A silicon-oxide line grating of known pitch and depth with sloped sidewalls (a calibration standard)."""

    name = "afm_grating"
    description = "calibration grating: oxide lines of known pitch (nm) and depth (nm) on silicon"

    def __init__(self, rng: np.random.Generator) -> None:
        self.pitch_nm = float(rng.choice([200.0, 250.0, 300.0, 400.0]))
        self.depth_nm = float(rng.choice([18.5, 20.0, 25.0]))
        self.duty_cycle = 0.5
        self.sidewall_angle_deg = 75.0
        self.line_direction_deg = float(rng.uniform(-2.0, 2.0))  # small misalignment of the lines from y
        self.tilt = MountTilt.draw(rng)
        self._phase_nm = float(rng.uniform(0.0, self.pitch_nm))

    def render(self, grid: ScanGrid) -> SurfaceMaps:
        a = math.radians(self.line_direction_deg)
        u = grid.x_nm * math.cos(a) + grid.y_nm * math.sin(a) + self._phase_nm
        d = np.abs(np.mod(u, self.pitch_nm) - 0.5 * self.pitch_nm)  # distance from a line centre
        half_top = 0.5 * self.duty_cycle * self.pitch_nm
        run_nm = self.depth_nm / math.tan(math.radians(self.sidewall_angle_deg))
        profile = np.clip((half_top + 0.5 * run_nm - d) / run_nm, 0.0, 1.0)
        height = self.depth_nm * profile + self.tilt.height_nm(grid)
        return SurfaceMaps(**material_maps(height, profile, SILICON, SILICON_OXIDE))


@dataclass(frozen=True)
class Particle:
    """A sphere resting on the substrate: its top is ``2 r`` above the substrate."""

    x_nm: float
    y_nm: float
    radius_nm: float

    @property
    def height_nm(self) -> float:
        return 2.0 * self.radius_nm


class Nanoparticles:
    """Gold nanoparticles of log-normal radii on flat silicon; some sit in close pairs a few nm apart."""

    name = "afm_nanoparticles"
    description = "gold nanoparticles (radii 4-25 nm, some in close pairs) on a flat silicon substrate"
    extent_nm = 6000.0  # covers the largest scan (5 um, rotated) at the largest offset (2.5 um)

    def __init__(self, rng: np.random.Generator, density_per_um2: float = 25.0, pair_fraction: float = 0.2) -> None:
        self.tilt = MountTilt.draw(rng)
        area_um2 = (2.0 * self.extent_nm / 1000.0) ** 2
        count = int(rng.poisson(density_per_um2 * area_um2))
        xy = rng.uniform(-self.extent_nm, self.extent_nm, size=(count, 2))
        radius = np.clip(rng.lognormal(math.log(10.0), 0.35, size=count), 4.0, 25.0)
        # Close pairs: a second particle at a small gap (3-12 nm) beside some of the first ones.
        paired = rng.random(count) < pair_fraction
        partner_r = np.clip(rng.lognormal(math.log(10.0), 0.2, size=count), 4.0, 25.0)
        gap = rng.uniform(3.0, 12.0, size=count)
        angle = rng.uniform(0.0, 2.0 * math.pi, size=count)
        dist = radius + partner_r + gap
        partner_xy = xy + dist[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        all_xy = np.concatenate([xy, partner_xy[paired]])
        all_r = np.concatenate([radius, partner_r[paired]])
        keep = self._without_overlaps(all_xy, all_r)
        self.particles = tuple(
            Particle(float(x), float(y), float(r)) for (x, y), r in zip(all_xy[keep], all_r[keep], strict=True)
        )
        self._xy = all_xy[keep]
        self._r = all_r[keep]

    @staticmethod
    def _without_overlaps(xy: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Indices of particles kept after dropping the later one of every overlapping pair (min gap 2 nm)."""
        pairs = cKDTree(xy).query_pairs(2.0 * float(r.max()) + 2.0, output_type="ndarray")
        gap = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T) - r[pairs[:, 0]] - r[pairs[:, 1]]
        dropped = set(pairs[gap < 2.0].max(axis=1).tolist())
        return np.array([i for i in range(len(r)) if i not in dropped], dtype=int)

    def close_pairs(self, max_gap_nm: float) -> list[tuple[Particle, Particle, float]]:
        """Pairs of particles whose surfaces are at most ``max_gap_nm`` apart, with the gap (ground truth)."""
        pairs = cKDTree(self._xy).query_pairs(2.0 * float(self._r.max()) + max_gap_nm)
        out = []
        for i, j in sorted(pairs):
            gap = float(np.hypot(*(self._xy[i] - self._xy[j])) - self._r[i] - self._r[j])
            if gap <= max_gap_nm:
                out.append((self.particles[i], self.particles[j], gap))
        return out

    def render(self, grid: ScanGrid) -> SurfaceMaps:
        rows, cols = grid.shape
        relief = np.zeros(grid.shape)
        row, col = grid.pixel_of(self._xy[:, 0], self._xy[:, 1])
        reach = self._r / grid.pixel_size_nm + grid.shift_spread_px + 2.0
        inside = (row + reach >= 0) & (row - reach < rows) & (col + reach >= 0) & (col - reach < cols)
        for i in np.flatnonzero(inside):  # loop over visible particles, each stamped on its own window
            r0, r1 = max(int(row[i] - reach[i]), 0), min(int(row[i] + reach[i]) + 2, rows)
            c0, c1 = max(int(col[i] - reach[i]), 0), min(int(col[i] + reach[i]) + 2, cols)
            dx = grid.x_nm[r0:r1, c0:c1] - self._xy[i, 0]
            dy = grid.y_nm[r0:r1, c0:c1] - self._xy[i, 1]
            d2 = self._r[i] ** 2 - dx * dx - dy * dy
            cap = np.where(d2 > 0.0, self._r[i] + np.sqrt(np.maximum(d2, 0.0)), 0.0)
            np.maximum(relief[r0:r1, c0:c1], cap, out=relief[r0:r1, c0:c1])
        on_particle = (relief > 0.0).astype(np.float64)
        maps = material_maps(relief + self.tilt.height_nm(grid), on_particle, SILICON, GOLD)
        return SurfaceMaps(**maps, domain_mask=on_particle > 0.0)
