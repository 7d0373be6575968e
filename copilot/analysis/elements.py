"""Reference energies for element identification: EELS edge onsets (eV) and EDS lines (keV).

EDS lines of one element from one shell form a family (K, L or M) fitted with fixed relative weights (the
approximate emission ratio, e.g. Mo Lb1/La ~ 0.5, S Kb/Ka ~ 0.06), so an element is told apart from an
overlapping one by the shape of its whole family. EELS edges with a delayed maximum (M4,5 of 4d and 5d elements)
carry a longer integration window.
"""

from __future__ import annotations

from typing import NamedTuple


class Edge(NamedTuple):
    """An EELS ionisation edge onset, and the window (eV) over which its signal is integrated."""

    element: str
    edge: str
    energy_eV: float
    window_eV: float = 30.0


class Line(NamedTuple):
    """An EDS characteristic X-ray line, its family (shell) and its weight within the family."""

    element: str
    line: str
    energy_keV: float
    weight: float = 1.0

    @property
    def family(self) -> str:
        """The shell the line comes from: "K", "L" or "M"."""
        return self.line[0]


EELS_EDGES: tuple[Edge, ...] = (
    Edge("S", "L2,3", 165.0),
    Edge("Mo", "M4,5", 227.0, 60.0),
    Edge("C", "K", 284.0),
    Edge("N", "K", 401.0),
    Edge("Ti", "L2,3", 456.0),
    Edge("O", "K", 532.0),
    Edge("Mn", "L2,3", 640.0),
    Edge("Fe", "L2,3", 708.0),
    Edge("Ni", "L2,3", 855.0),
    Edge("W", "M4,5", 1809.0, 100.0),
    Edge("Si", "K", 1839.0),
    Edge("Re", "M4,5", 1883.0, 100.0),
    Edge("Sr", "L2,3", 1940.0, 100.0),
    Edge("Au", "M4,5", 2206.0, 100.0),
    Edge("Mo", "L2,3", 2520.0, 150.0),
)

EDS_LINES: tuple[Line, ...] = (
    Line("C", "Ka", 0.277),
    Line("O", "Ka", 0.525),
    Line("Si", "Ka", 1.740),
    Line("W", "Ma", 1.775),
    Line("Sr", "La", 1.806),
    Line("Re", "Ma", 1.842),
    Line("Au", "Ma", 2.123),
    Line("Mo", "La", 2.293),
    Line("S", "Ka", 2.307),
    Line("Mo", "Lb1", 2.395, 0.5),
    Line("S", "Kb", 2.464, 0.06),
    Line("Ti", "Ka", 4.511),
    Line("Ti", "Kb", 4.932, 0.13),
    Line("Fe", "Ka", 6.404),
    Line("Fe", "Kb", 7.058, 0.13),
    Line("W", "La", 8.398),
    Line("Re", "La", 8.652),
    Line("Au", "La", 9.713),
    Line("Sr", "Ka", 14.165),
    Line("Mo", "Ka", 17.479),
)

ATOMIC_NUMBER: dict[str, int] = {
    "C": 6, "N": 7, "O": 8, "Si": 14, "S": 16, "Ti": 22, "Mn": 25, "Fe": 26, "Ni": 28,
    "Sr": 38, "Mo": 42, "W": 74, "Re": 75, "Au": 79,
}  # fmt: skip
