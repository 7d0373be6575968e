"""Large specimen features and point defects, as plain frozen dataclasses in specimen nm."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Hole:
    """A hole through the specimen (vacuum inside)."""

    center_nm: tuple[float, float]
    radius_nm: float
    kind: str = "hole"


@dataclass(frozen=True)
class Particle:
    """A crystalline particle (fcc, viewed along [001]) sitting on the support."""

    center_nm: tuple[float, float]
    radius_nm: float
    element: str
    rotation_deg: float
    lattice_nm: float
    kind: str = "particle"


@dataclass(frozen=True)
class ContaminationPatch:
    """A patch of amorphous hydrocarbon contamination with a smooth edge."""

    center_nm: tuple[float, float]
    radius_nm: float
    thickness_nm: float
    kind: str = "contamination"


@dataclass(frozen=True)
class Grain:
    """A grain of a polycrystal: its Voronoi seed and in-plane lattice rotation."""

    seed_nm: tuple[float, float]
    rotation_deg: float
    kind: str = "grain"


@dataclass(frozen=True)
class PointDefect:
    """A point defect: ``element`` is what now sits on the site ("" for a vacancy), ``host`` what belongs there."""

    position_nm: tuple[float, float]
    kind: str
    element: str
    host: str


def random_discs(
    rng: np.random.Generator,
    n: int,
    median_radius_nm: float,
    spread: float,
    max_radius_nm: float,
    margin_nm: float = 0.0,
    half_extent_nm: float = 1000.0,
) -> list[tuple[tuple[float, float], float]]:
    """``n`` discs with log-normal radii, centres uniform over the specimen extent (minus ``margin_nm``)."""
    radii = np.clip(median_radius_nm * np.exp(spread * rng.standard_normal(n)), 0.3, max_radius_nm)
    lim = half_extent_nm - margin_nm
    centers = rng.uniform(-lim, lim, size=(n, 2))
    return [((float(c[0]), float(c[1])), float(r)) for c, r in zip(centers, radii, strict=True)]
