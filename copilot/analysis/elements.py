"""Reference energies for element identification: EELS edge onsets (eV) and EDS lines (keV), read from the twin's
own tables (every edge it draws, every line it emits), so the search covers exactly what a spectrum can hold.

EDS lines of one element from one shell form a family (K, L or M) fitted with fixed relative weights (the
approximate emission ratio, e.g. Mo Lb1/La ~ 0.5, S Kb/Ka ~ 0.06), so an element is told apart from an
overlapping one by the shape of its whole family. EELS edges with a delayed maximum (M4,5 of 4d and 5d elements)
carry a longer integration window.
"""

from __future__ import annotations

from typing import NamedTuple

from copilot.twin.edges import EELS_EDGES as TWIN_EDGES
from copilot.twin.edges import Edge as TwinEdge
from copilot.twin.elements import EDS_LINES as TWIN_LINES


class Edge(NamedTuple):
    """An EELS ionisation edge onset, the window (eV) over which its signal is integrated, the energy over
    which a delayed edge (M4,5 of 4d and 5d elements, L2,3 of Si and S) rises to its maximum (0: sharp), and the
    onsets of the further sub-shell edges merged into it, above its own (Ti-L2 6 eV above Ti-L3)."""

    element: str
    edge: str
    energy_eV: float
    window_eV: float = 30.0
    delay_eV: float = 0.0
    sub_onsets_eV: tuple[float, ...] = ()


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


def _shell_name(labels: list[str]) -> str:
    """One name for an element's sub-shell edges that lie together: "L3", "L2" -> "L2,3"."""
    shell = labels[0][0]
    subs = sorted({int(c) for lab in labels for c in lab[1:].split(",") if c.isdigit()})
    return shell + ",".join(str(n) for n in subs) if subs else labels[0]


def _eels_edges() -> tuple[Edge, ...]:
    """Every edge the twin draws (:data:`copilot.twin.edges.EELS_EDGES`), an element's sub-shell edges within
    10 % of each other merged into one (e.g. Ti-L3 and L2 as Ti-L2,3), with a window that holds a delayed maximum."""
    out = []
    for element, edges in TWIN_EDGES.items():
        groups: list[list[TwinEdge]] = []
        for e in edges:
            if groups and e.onset_eV < 1.1 * groups[-1][0].onset_eV:
                groups[-1].append(e)
            else:
                groups.append([e])
        for g in groups:
            onset = g[0].onset_eV
            delay = max(e.delay_eV for e in g)
            window = max(30.0, 2.0 * delay + 20.0, (g[-1].onset_eV - onset) + 30.0, 0.05 * onset)
            subs = tuple(e.onset_eV - onset for e in g[1:])
            out.append(Edge(element, _shell_name([e.label.split("-")[1] for e in g]), onset, window, delay, subs))
    return tuple(sorted(out, key=lambda e: e.energy_eV))


def _eds_lines() -> tuple[Line, ...]:
    """Every line the twin emits (:data:`copilot.twin.elements.EDS_LINES`), weighted within its family by the
    photons per ionisation times the shell's ionisation cross-section (~ n_s b_s / E_edge)."""
    out = []
    for element, lines in TWIN_LINES.items():
        strength = {ln.label: ln.photons_per_ionisation * ln.shell_nb / ln.edge_keV for ln in lines}
        for ln in lines:
            name = ln.label.split(" ")[1]
            family = [q for q in lines if q.label.split(" ")[1][0] == name[0]]
            main = max(strength[q.label] for q in family)
            out.append(Line(element, name, ln.energy_keV, round(strength[ln.label] / main, 3)))
    return tuple(sorted(out, key=lambda ln: ln.energy_keV))


EELS_EDGES: tuple[Edge, ...] = _eels_edges()
"""The edges searched, in order of energy."""

EDS_LINES: tuple[Line, ...] = _eds_lines()
"""The lines searched, in order of energy."""
