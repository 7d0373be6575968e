"""Element data the twin needs: atomic numbers, EELS edge onsets and EDS line energies.

Energies are the values listed in the project's physics notes (PHYSICS.md), extended with Re, W, Sr and Au.
"""

from __future__ import annotations

from dataclasses import dataclass

ATOMIC_NUMBER: dict[str, int] = {
    "C": 6,
    "N": 7,
    "O": 8,
    "Si": 14,
    "S": 16,
    "Ti": 22,
    "Sr": 38,
    "Mo": 42,
    "W": 74,
    "Re": 75,
    "Au": 79,
}

HAADF_Z_EXPONENT = 1.7
"""Exponent n of the HAADF column intensity ~ sum of Z^n (published 1.6-2)."""

BF_Z_EXPONENT = 1.0
"""Bright-field attenuation grows roughly linearly with Z (low-angle elastic scattering)."""


@dataclass(frozen=True)
class Edge:
    """A core-loss edge: its label, onset energy, power-law exponent of the tail and relative strength."""

    label: str
    onset_eV: float
    exponent: float
    strength: float


@dataclass(frozen=True)
class XrayLine:
    """A characteristic X-ray line: its label, energy and relative yield per atom and electron."""

    label: str
    energy_keV: float
    yield_rel: float


EELS_EDGES: dict[str, tuple[Edge, ...]] = {
    "C": (Edge("C-K", 284.0, 3.0, 1.0),),
    "N": (Edge("N-K", 401.0, 3.0, 0.8),),
    "O": (Edge("O-K", 532.0, 3.0, 0.6),),
    "Si": (Edge("Si-L", 99.0, 3.5, 0.8), Edge("Si-K", 1839.0, 3.0, 0.08)),
    "S": (Edge("S-L", 165.0, 3.5, 1.2),),
    "Ti": (Edge("Ti-L", 456.0, 3.0, 1.0),),
    "Sr": (Edge("Sr-L", 1940.0, 3.0, 0.15),),
    "Mo": (Edge("Mo-M", 227.0, 3.5, 0.8), Edge("Mo-L", 2520.0, 3.0, 0.06)),
    "W": (Edge("W-M", 1809.0, 3.0, 0.2),),
    "Re": (Edge("Re-M", 1883.0, 3.0, 0.2),),
    "Au": (Edge("Au-M", 2206.0, 3.0, 0.2),),
}

EDS_LINES: dict[str, tuple[XrayLine, ...]] = {
    "C": (XrayLine("C Ka", 0.277, 0.3),),
    "N": (XrayLine("N Ka", 0.392, 0.4),),
    "O": (XrayLine("O Ka", 0.525, 0.5),),
    "Si": (XrayLine("Si Ka", 1.740, 1.0),),
    "S": (XrayLine("S Ka", 2.307, 1.0),),
    "Ti": (XrayLine("Ti Ka", 4.511, 1.0), XrayLine("Ti Kb", 4.932, 0.13)),
    "Sr": (XrayLine("Sr La", 1.806, 0.8), XrayLine("Sr Ka", 14.165, 0.5)),
    "Mo": (XrayLine("Mo La", 2.293, 0.8), XrayLine("Mo Ka", 17.479, 0.4)),
    "W": (XrayLine("W Ma", 1.775, 0.7), XrayLine("W La", 8.398, 0.5)),
    "Re": (XrayLine("Re Ma", 1.842, 0.7), XrayLine("Re La", 8.652, 0.5)),
    "Au": (XrayLine("Au Ma", 2.123, 0.7), XrayLine("Au La", 9.713, 0.5)),
}


def z_weight(element: str, exponent: float = HAADF_Z_EXPONENT) -> float:
    """Scattering weight Z**exponent of one atom of ``element``."""
    return float(ATOMIC_NUMBER[element]) ** exponent
