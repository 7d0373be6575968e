"""The STEM specimens: procedural, seeded, with full ground truth."""

from __future__ import annotations

from copilot.twin.errors import SpecimenError
from copilot.twin.specimens.base import Specimen
from copilot.twin.specimens.features import ContaminationPatch, Grain, Hole, Particle, PointDefect
from copilot.twin.specimens.gold import GoldNanoparticles
from copilot.twin.specimens.grains import GrainBoundary
from copilot.twin.specimens.graphene import Graphene
from copilot.twin.specimens.mos2 import MoS2
from copilot.twin.specimens.srtio3 import SrTiO3

_CLASSES: dict[str, type[Specimen]] = {
    cls.name: cls for cls in (Graphene, MoS2, SrTiO3, GoldNanoparticles, GrainBoundary)
}

STEM_SPECIMENS: dict[str, str] = {name: cls.description for name, cls in _CLASSES.items()}
"""Name -> short description of every STEM specimen that can be loaded."""


def make_specimen(name: str, seed: int) -> Specimen:
    """Build the named specimen; raise SpecimenError for an unknown name."""
    if not isinstance(name, str) or name not in _CLASSES:
        raise SpecimenError(f"Unknown STEM specimen {name!r}; choose one of {sorted(_CLASSES)}.")
    return _CLASSES[name](seed)


__all__ = [
    "STEM_SPECIMENS",
    "ContaminationPatch",
    "Grain",
    "Hole",
    "Particle",
    "PointDefect",
    "Specimen",
    "make_specimen",
]
