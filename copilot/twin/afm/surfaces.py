"""The catalogue of AFM surfaces: procedural, seeded, each with its ground truth as attributes."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from copilot.twin.afm.grid import ScanGrid
from copilot.twin.afm.surface_base import SurfaceMaps
from copilot.twin.afm.surfaces_domains import FerroelectricDomains, PolymerBlend
from copilot.twin.afm.surfaces_topo import AtomicSteps, CalibrationGrating, Nanoparticles
from copilot.twin.errors import SpecimenError


class Surface(Protocol):
    """A specimen for the AFM: a name, a description and what it looks like on any scan grid."""

    name: str
    description: str

    def render(self, grid: ScanGrid) -> SurfaceMaps: ...


_KINDS = (AtomicSteps, Nanoparticles, PolymerBlend, CalibrationGrating, FerroelectricDomains)

#: Surface name -> short description (what ``load_specimen`` can put under the AFM).
AFM_SURFACES: dict[str, str] = {kind.name: kind.description for kind in _KINDS}


def has_piezoresponse(surface: Surface) -> bool:
    """Whether the surface gives a piezoresponse signal (the piezo channels apply to it)."""
    return isinstance(surface, FerroelectricDomains)


def make_surface(name: str, rng: np.random.Generator) -> Surface:
    """Build the surface called ``name`` from ``rng`` (same generator state, same surface)."""
    for kind in _KINDS:
        if kind.name == name:
            surface: Surface = kind(rng)
            return surface
    raise SpecimenError(f"unknown AFM surface {name!r}; choose one of {sorted(AFM_SURFACES)}.")
