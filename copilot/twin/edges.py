"""EELS core-loss edges the twin draws: onsets, tail shapes, strengths and white lines.

Onsets follow the project's physics notes and the standard EELS atlas values (Ahn and Krivanek, EELS Atlas,
1983; Egerton, EELS in the Electron Microscope, 3rd ed., 2011, appendix D): C-K 284, N-K 401, O-K 532,
Si-L2,3 99, Si-K 1839, S-L2,3 165, S-K 2472, Ti-L3 456 and L2 462, Sr-M4,5 133, Sr-L3 1940 and L2 2007,
Mo-M4,5 227, Mo-M3 392 and M2 410, Mo-L3 2520 and L2 2625, W-M4,5 1809, Re-M4,5 1883, Au-M5 2206 and M4 2291 eV.

``strength`` is the edge's differential cross-section just above the onset relative to C-K's, at the
reference conditions of :mod:`copilot.twin.eels` (100 kV, 10 mrad), scaled hydrogenically: electrons in the
sub-shell over the onset energy squared. M4,5 edges of 4d/5d elements rise slowly to a delayed maximum
(``delay_eV``); M2,3 edges of 4d metals are broad (``onset_width_eV``). White lines are the sharp transitions
into empty d states: Ti4+ (3d0) splits L3 and L2 into t2g and eg peaks in the octahedral field of SrTiO3
(457.8/460.0 and 463.2/465.4 eV); Sr2+ and Mo have weak L3/L2 white lines; the pi* peak of sp2 carbon sits at
285.4 eV. Their ``area_eV`` is the peak area in units of the edge's own onset value times one eV.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WhiteLine:
    """A sharp peak on an edge: energy, full width at half maximum, and area (onset value x eV)."""

    energy_eV: float
    fwhm_eV: float
    area_eV: float


@dataclass(frozen=True)
class Edge:
    """A core-loss edge: label, onset, power-law exponent of the tail, onset strength relative to C-K, the
    energy over which a delayed edge rises to its maximum (0: sharp), the width of the onset, white lines."""

    label: str
    onset_eV: float
    exponent: float
    strength: float
    delay_eV: float = 0.0
    onset_width_eV: float = 1.0
    white_lines: tuple[WhiteLine, ...] = ()


EELS_EDGES: dict[str, tuple[Edge, ...]] = {
    "C": (Edge("C-K", 284.0, 3.0, 1.0, white_lines=(WhiteLine(285.4, 1.2, 2.0),)),),
    "N": (Edge("N-K", 401.0, 3.0, 0.50),),
    "O": (Edge("O-K", 532.0, 3.0, 0.29),),
    "Si": (Edge("Si-L2,3", 99.0, 3.5, 8.0, delay_eV=10.0), Edge("Si-K", 1839.0, 3.0, 0.024)),
    "S": (Edge("S-L2,3", 165.0, 3.5, 6.0, delay_eV=8.0), Edge("S-K", 2472.0, 3.0, 0.013)),
    "Ti": (
        Edge("Ti-L3", 456.0, 3.5, 0.78, white_lines=(WhiteLine(457.8, 1.0, 2.5), WhiteLine(460.0, 1.8, 3.5))),
        Edge("Ti-L2", 462.0, 3.5, 0.39, white_lines=(WhiteLine(463.2, 1.6, 2.0), WhiteLine(465.4, 2.2, 3.0))),
    ),
    "Sr": (
        Edge("Sr-M4,5", 133.0, 3.5, 6.0, delay_eV=30.0),
        Edge("Sr-L3", 1940.0, 3.0, 0.064, white_lines=(WhiteLine(1942.0, 3.0, 1.0),)),
        Edge("Sr-L2", 2007.0, 3.0, 0.032, white_lines=(WhiteLine(2009.0, 3.0, 0.5),)),
    ),
    "Mo": (
        Edge("Mo-M4,5", 227.0, 3.5, 4.0, delay_eV=40.0),
        Edge("Mo-M3", 392.0, 3.5, 0.5, onset_width_eV=3.0),
        Edge("Mo-M2", 410.0, 3.5, 0.25, onset_width_eV=3.0),
        Edge("Mo-L3", 2520.0, 3.0, 0.038, white_lines=(WhiteLine(2523.0, 3.0, 1.5),)),
        Edge("Mo-L2", 2625.0, 3.0, 0.019, white_lines=(WhiteLine(2628.0, 3.0, 0.8),)),
    ),
    "W": (Edge("W-M4,5", 1809.0, 3.0, 0.12, delay_eV=30.0),),
    "Re": (Edge("Re-M4,5", 1883.0, 3.0, 0.11, delay_eV=30.0),),
    "Au": (Edge("Au-M5", 2206.0, 3.0, 0.083, delay_eV=30.0), Edge("Au-M4", 2291.0, 3.0, 0.05, delay_eV=30.0)),
}
"""Element -> its edges, in order of energy."""
