"""Surfaces defined by domains: a phase-separated polymer blend and a ferroelectric with up and down domains."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from copilot.twin.afm.grid import ScanGrid
from copilot.twin.afm.surface_base import Material, MountTilt, PeriodicField, SurfaceMaps, material_maps

POLYSTYRENE = Material("polystyrene", phase_lag_deg=0.0, adhesion_work_J_per_m2=0.066, modulus_GPa=3.0)
POLYBUTADIENE = Material("polybutadiene", phase_lag_deg=25.0, adhesion_work_J_per_m2=0.09, modulus_GPa=0.05)
PZT = Material("PZT", phase_lag_deg=0.0, adhesion_work_J_per_m2=0.10, modulus_GPa=80.0)


class PolymerBlend:
    """A PS / PB blend: soft PB domains (known area fraction) in a PS matrix, raised by a few nm, with strong
    phase contrast. ``domain_fraction`` is the exact PB fraction of the whole surface."""

    name = "afm_polymer_blend"
    description = "polystyrene / polybutadiene blend: soft raised domains of known area fraction, phase contrast"

    def __init__(self, rng: np.random.Generator) -> None:
        self.domain_fraction = float(rng.uniform(0.25, 0.45))
        self.domain_height_nm = float(rng.uniform(3.0, 6.0))
        self.tilt = MountTilt.draw(rng)
        self._field = PeriodicField(rng, correlation_nm=(60.0, 60.0))
        level = self._field.threshold_for_fraction(self.domain_fraction)
        mask = self._field.values > level
        self.domain_fraction = float(mask.mean())  # exact on the periodic tile
        self._weight = ndimage.gaussian_filter(mask.astype(np.float64), 0.75, mode="wrap")
        self._roughness = PeriodicField(rng, correlation_nm=(8.0, 8.0))

    def render(self, grid: ScanGrid) -> SurfaceMaps:
        weight = np.clip(self._field.sample(grid, self._weight), 0.0, 1.0)
        height = self.domain_height_nm * weight + 0.15 * self._roughness.sample(grid) + self.tilt.height_nm(grid)
        maps = material_maps(height, weight, POLYSTYRENE, POLYBUTADIENE)
        return SurfaceMaps(**maps, domain_mask=weight > 0.5)


class FerroelectricDomains:
    """A PZT film with stripe-like up / down polarisation domains: nearly flat, but a piezoresponse channel shows
    the domains (amplitude drops at the walls, phase flips by 180 degrees). ``domain_fraction`` is the up fraction.
    """

    name = "afm_ferroelectric"
    description = "PZT film with up/down ferroelectric domains of known up fraction (piezoresponse channels)"

    def __init__(self, rng: np.random.Generator) -> None:
        self.domain_fraction = float(rng.uniform(0.4, 0.6))
        self.piezo_amplitude_pm = 60.0
        self.tilt = MountTilt.draw(rng)
        self._field = PeriodicField(rng, correlation_nm=(25.0, 150.0))
        up = self._field.values > self._field.threshold_for_fraction(self.domain_fraction)
        self.domain_fraction = float(up.mean())
        self._signed = ndimage.gaussian_filter(np.where(up, 1.0, -1.0), 1.0, mode="wrap")
        self._roughness = PeriodicField(rng, correlation_nm=(15.0, 15.0))

    def render(self, grid: ScanGrid) -> SurfaceMaps:
        signed = self._field.sample(grid, self._signed)
        height = 0.3 * self._roughness.sample(grid) + 0.05 * signed + self.tilt.height_nm(grid)
        maps = material_maps(height, np.zeros_like(height), PZT, PZT)
        return SurfaceMaps(**maps, piezo_pm=self.piezo_amplitude_pm * signed, domain_mask=signed > 0.0)
