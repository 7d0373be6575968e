"""Electrons and dose, the dose ledger and beam-induced contamination.

Every exposure (a frame, a spot, a line or a spectrum image) is recorded as a rotated rectangle with the dose it
delivered and the beam energy it was delivered at. Dose at a point is the sum over the exposures covering it
(what the damage model in :mod:`copilot.twin.damage` reads). Contamination grows as a hydrocarbon layer whose
thickness rises with the exposure time divided by the exposed area.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from copilot.twin.grid import Grid
from copilot.twin.results import DoseMap

ELECTRON_CHARGE_C = 1.602176634e-19
CONTAMINATION_RATE_NM3_PER_S = 0.5
"""Volume of hydrocarbon the beam cracks onto the irradiated area per second."""
CONTAMINATION_MIN_AREA_NM2 = 4.0
"""Surface diffusion spreads even a spot's deposit over a few nm^2."""


def electrons(current_pa: float, time_s: float) -> float:
    """Number of electrons delivered by ``current_pa`` during ``time_s``."""
    return current_pa * 1e-12 * time_s / ELECTRON_CHARGE_C


def dose_e_per_A2(n_electrons: float, area_nm2: float) -> float:
    """Dose in e-/A^2 of ``n_electrons`` spread evenly over ``area_nm2``."""
    return n_electrons / (area_nm2 * 100.0)


def contamination_growth_nm(time_s: float, area_nm2: float) -> float:
    """Thickness of contamination grown by an exposure of ``time_s`` on ``area_nm2``."""
    return CONTAMINATION_RATE_NM3_PER_S * time_s / max(area_nm2, CONTAMINATION_MIN_AREA_NM2)


@dataclass(frozen=True)
class Exposure:
    """One exposure: a rectangle (centre, half sizes, rotation) in specimen nm, its dose and contamination."""

    center_nm: tuple[float, float]
    half_w_nm: float
    half_h_nm: float
    rotation_deg: float
    dose_e_per_A2: float
    contamination_nm: float
    time_s: float
    energy_kv: float

    def local(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates of points in the rectangle's own frame."""
        t = math.radians(self.rotation_deg)
        c, s = math.cos(t), math.sin(t)
        dx, dy = x - self.center_nm[0], y - self.center_nm[1]
        return dx * c + dy * s, -dx * s + dy * c

    def covers(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """True for points inside the rectangle."""
        u, v = self.local(x, y)
        return (np.abs(u) <= self.half_w_nm) & (np.abs(v) <= self.half_h_nm)

    @property
    def reach_nm(self) -> float:
        """Radius of a disc around the centre that holds the rectangle."""
        return math.hypot(self.half_w_nm, self.half_h_nm)

    def touches(self, box: tuple[float, float, float, float]) -> bool:
        r = self.reach_nm
        cx, cy = self.center_nm
        return cx + r >= box[0] and cx - r <= box[2] and cy + r >= box[1] and cy - r <= box[3]


def exposures(
    center_nm: tuple[float, float],
    half_w_nm: float,
    half_h_nm: float,
    rotation_deg: float,
    dose: float,
    time_s: float,
    energy_kv: float,
) -> list[Exposure]:
    """The ledger entries of one exposure at a beam energy: its dose on the irradiated rectangle, and the
    contamination it grows, spread over at least ``CONTAMINATION_MIN_AREA_NM2`` (a parked probe's deposit
    diffuses beyond the probe)."""
    area = 4.0 * half_w_nm * half_h_nm
    growth = contamination_growth_nm(time_s, area)
    if area >= CONTAMINATION_MIN_AREA_NM2:
        return [Exposure(center_nm, half_w_nm, half_h_nm, rotation_deg, dose, growth, time_s, energy_kv)]
    half = math.sqrt(CONTAMINATION_MIN_AREA_NM2) / 2
    return [
        Exposure(center_nm, half_w_nm, half_h_nm, rotation_deg, dose, 0.0, time_s, energy_kv),
        Exposure(center_nm, max(half, half_w_nm), max(half, half_h_nm), rotation_deg, 0.0, growth, 0.0, energy_kv),
    ]


class DoseLedger:
    """All exposures of a session, queried by position."""

    def __init__(self) -> None:
        self.exposures: list[Exposure] = []

    def add(self, exposure: Exposure) -> None:
        self.exposures.append(exposure)

    def near(self, box: tuple[float, float, float, float]) -> list[Exposure]:
        """Exposures that may touch a box (x0, y0, x1, y1)."""
        return [e for e in self.exposures if e.touches(box)]

    def dose_at(self, x: np.ndarray, y: np.ndarray, exposures: list[Exposure] | None = None) -> np.ndarray:
        """Accumulated dose (e-/A^2) at points."""
        total = np.zeros(np.shape(x), dtype=np.float64)
        for e in self.exposures if exposures is None else exposures:
            total += e.dose_e_per_A2 * e.covers(x, y)
        return total

    def dose_map(self, extent_nm: tuple[float, float, float, float], cells: int) -> DoseMap:
        """Cell-averaged dose on a ``cells`` x ``cells`` grid over ``extent_nm`` (x0, x1, y0, y1).

        Each exposure adds its dose times the fraction of each cell it overlaps (the rectangle is taken
        unrotated, which is exact for rotations of 0 and 90 degrees).
        """
        x0, x1, y0, y1 = extent_nm
        ex = np.linspace(x0, x1, cells + 1)
        ey = np.linspace(y0, y1, cells + 1)
        data = np.zeros((cells, cells))
        for e in self.exposures:
            hw, hh = (e.half_h_nm, e.half_w_nm) if round(e.rotation_deg / 90.0) % 2 else (e.half_w_nm, e.half_h_nm)
            fx = _overlap(ex, e.center_nm[0] - hw, e.center_nm[0] + hw)
            fy = _overlap(ey, e.center_nm[1] - hh, e.center_nm[1] + hh)
            data += e.dose_e_per_A2 * np.outer(fy, fx)
        return DoseMap(data, (x0, x1, y0, y1))


def _overlap(edges: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Fraction of each cell between consecutive ``edges`` covered by [lo, hi]."""
    width = np.diff(edges)
    return np.clip(np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo), 0.0, None) / width


def _row_interval(a: np.ndarray, slope: float, half: float) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the column range where ``|a + slope * col| <= half`` (empty when lo > hi)."""
    if abs(slope) < 1e-12:
        inside = np.abs(a) <= half
        return np.where(inside, -np.inf, np.inf), np.where(inside, np.inf, -np.inf)
    c1, c2 = (-half - a) / slope, (half - a) / slope
    return np.minimum(c1, c2), np.maximum(c1, c2)


def paint_rects(grid: Grid, exposures: list[Exposure], values: list[float]) -> np.ndarray:
    """Sum of ``value`` over the exposures covering each canvas pixel centre (float32 canvas).

    Each rectangle covers one interval of columns per row; the intervals go into a difference array that one
    cumulative sum turns into the canvas, so the cost is one pass over the canvas plus O(rows) per rectangle.
    """
    n_rows, n_cols = grid.shape
    diff = np.zeros((n_rows, n_cols + 1), dtype=np.float32)
    r = np.arange(n_rows, dtype=np.float64)
    ex, ey = grid.ex_nm, grid.ey_nm
    for e, value in zip(exposures, values, strict=True):
        t = math.radians(e.rotation_deg)
        c, s = math.cos(t), math.sin(t)
        ox, oy = grid.origin_nm[0] - e.center_nm[0], grid.origin_nm[1] - e.center_nm[1]
        lo_u, hi_u = _row_interval(ox * c + oy * s + (ey[0] * c + ey[1] * s) * r, ex[0] * c + ex[1] * s, e.half_w_nm)
        lo_v, hi_v = _row_interval(-ox * s + oy * c + (-ey[0] * s + ey[1] * c) * r, -ex[0] * s + ex[1] * c, e.half_h_nm)
        lo = np.clip(np.ceil(np.maximum(lo_u, lo_v)), 0, n_cols).astype(np.int64)
        hi = np.clip(np.floor(np.minimum(hi_u, hi_v)) + 1, 0, n_cols).astype(np.int64)
        rows = np.flatnonzero(hi > lo)
        np.add.at(diff, (rows, lo[rows]), value)
        np.add.at(diff, (rows, hi[rows]), -value)
    np.cumsum(diff, axis=1, out=diff)
    return diff[:, :n_cols]
