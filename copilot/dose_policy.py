"""The session's dose rule as pure functions: the planned dose of a spectrum map, and whether a planned dose
stays within the session budget and the critical dose.

:meth:`copilot.session.Session.dose_refusal` applies the rule before every acquisition. A refusal carries the
figures a person needs to decide (``figures``: the dose it would reach, the limit it breaks, the largest setting
that fits) and the arguments of the safe alternative (``safe_alternative``), so that an approval request can show
them; see :mod:`copilot.tools.approval`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from copilot.errors import CopilotError
from copilot.twin.dose import dose_e_per_A2, electrons
from copilot.twin.errors import InvalidSettingError


class DoseBudgetError(CopilotError, ValueError):
    """The acquisition would exceed the session dose budget or an area's critical dose."""

    hint = "Lower the dose (shorter dwell, lower current, fewer pixels or a larger field of view)."

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        figures: dict[str, float] | None = None,
        safe_alternative: dict[str, Any] | None = None,
        question: str = "",
    ) -> None:
        super().__init__(message, hint)
        self.figures = dict(figures or {})
        self.safe_alternative = safe_alternative
        self.question = question or message


@dataclass(frozen=True)
class DoseState:
    """What the rule looks at: the session ledger, the area's prior dose and the specimen's critical dose."""

    used_e_per_A2: float
    budget_e_per_A2: float
    area_prior_e_per_A2: float
    critical_e_per_A2: float | None
    specimen: str


Scaling = tuple[str, float, float]
"""The setting a planned dose is proportional to: (name, current value, smallest allowed value)."""


def dose_refusal(
    operation: str, planned_e_per_A2: float, state: DoseState, scales_with: Scaling | None = None
) -> DoseBudgetError | None:
    """The error that refuses ``operation``, or None when its planned dose breaks neither limit.

    The budget limits the peak areal dose anywhere on the specimen (``used_e_per_A2`` is that peak), the critical
    dose the peak in the area about to be exposed (``area_prior_e_per_A2`` is what it has had). ``scales_with``
    names the setting the dose is proportional to (``("dwell_ms", 100.0, 0.001)``: name, value, smallest allowed
    value; an integer setting such as ``("steps", 11, 3)`` is rounded down): the error then names the largest
    value of it that fits, or says that the area has no dose left.
    """
    area_reach = state.area_prior_e_per_A2 + planned_e_per_A2
    problems: list[str] = []
    limits: list[tuple[float, str]] = []  # (limit, its name)
    if area_reach > state.budget_e_per_A2:
        problems.append(
            f"the peak dose would reach {area_reach:.3g} e-/A^2, over the session budget of "
            f"{state.budget_e_per_A2:.3g} e-/A^2"
        )
        limits.append((state.budget_e_per_A2, "the session budget"))
    critical = state.critical_e_per_A2
    if critical is not None and area_reach > critical:
        problems.append(
            f"this area has had {state.area_prior_e_per_A2:.3g} e-/A^2 and would reach {area_reach:.3g}, over the "
            f"critical dose of {critical:.3g} e-/A^2 of {state.specimen}"
        )
        limits.append((critical, f"the critical dose of {state.specimen}"))
    if not problems:
        return None
    limit, limit_name = min(limits)
    room = limit - state.area_prior_e_per_A2
    figures = {
        "planned_dose_e_per_A2": planned_e_per_A2,
        "area_dose_so_far_e_per_A2": state.area_prior_e_per_A2,
        "dose_would_reach_e_per_A2": area_reach,
        "limit_e_per_A2": limit,
    }
    safe = _largest_fitting(scales_with, room, planned_e_per_A2)
    if safe is not None:
        name, value = safe
        figures[f"longest_safe_{name}" if name.startswith("dwell") else f"largest_safe_{name}"] = value
        hint = f"At most {name}={value:.3g} fits; or lower the current, or move to a fresh area."
    elif scales_with is not None:
        hint = f"Not even the smallest {scales_with[0]} fits in this area: move to a fresh area (see get_dose_map)."
    else:
        hint = None
    question = (
        f"{operation} would bring this area to {area_reach:.3g} e-/A^2, over {limit_name} ({limit:.3g} e-/A^2)"
        + (f"; the most that fits is {safe[0]}={safe[1]:.3g}." if safe is not None else "; no setting of it fits.")
    )
    return DoseBudgetError(
        f"{operation} needs {planned_e_per_A2:.3g} e-/A^2, but {'; and '.join(problems)}.",
        hint,
        figures=figures,
        safe_alternative=None if safe is None else {safe[0]: safe[1]},
        question=question,
    )


def _largest_fitting(
    scales_with: Scaling | None, room_e_per_A2: float, planned_e_per_A2: float
) -> tuple[str, float] | None:
    """The largest allowed value of the setting the dose scales with that keeps the dose within ``room`` (3
    significant digits, rounded down so it really fits), or None when not even the smallest allowed value fits."""
    if scales_with is None or room_e_per_A2 <= 0 or planned_e_per_A2 <= 0:
        return None
    name, value, smallest = scales_with
    exact = value * room_e_per_A2 / planned_e_per_A2
    if isinstance(value, int) and not isinstance(value, bool):
        fitting: float = math.floor(exact)
        return (name, int(fitting)) if fitting >= smallest else None
    scale = 10 ** (math.floor(math.log10(exact)) - 2)
    fitting = float(f"{math.floor(exact / scale * (1 - 1e-9)) * scale:.3g}")
    return (name, fitting) if fitting >= smallest else None


def map_dose_e_per_A2(current_pa: float, dwell_ms: float, step_nm: float) -> float:
    """Dose of a spectrum image: ``dwell_ms`` of a ``current_pa`` beam per square pixel of side ``step_nm``.

    A step too small to represent is an InvalidSettingError, not a division by zero.
    """
    if not step_nm * step_nm > 0:
        raise InvalidSettingError(f"a map step of {step_nm:g} nm is too small.", hint="Map a region >= 0.001 nm.")
    return dose_e_per_A2(electrons(current_pa, dwell_ms * 1e-3), step_nm * step_nm)


Footprint = tuple[float, float, float, float, float, float]
"""A dose rectangle in specimen nm: (centre x, centre y, half width, half height, rotation in deg, dose e-/A^2)."""
_EDGE_TOL_NM = 1e-9


def _corners(rects: np.ndarray) -> np.ndarray:
    """(n, 4, 2) corners of rectangles given as rows (cx, cy, hw, hh, rotation_deg, ...)."""
    t = np.radians(rects[:, 4])
    c, s = np.cos(t), np.sin(t)
    signs = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=np.float64)
    u = signs[None, :, 0] * rects[:, None, 2]
    v = signs[None, :, 1] * rects[:, None, 3]
    x = rects[:, None, 0] + u * c[:, None] - v * s[:, None]
    y = rects[:, None, 1] + u * s[:, None] + v * c[:, None]
    return np.stack([x, y], axis=-1)


def _inside(rects: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(n_rects, n_points) closed containment (with a sub-picometre tolerance for points on edges)."""
    t = np.radians(rects[:, 4])[:, None]
    dx = points[None, :, 0] - rects[:, 0, None]
    dy = points[None, :, 1] - rects[:, 1, None]
    u = dx * np.cos(t) + dy * np.sin(t)
    v = -dx * np.sin(t) + dy * np.cos(t)
    return (np.abs(u) <= rects[:, 2, None] + _EDGE_TOL_NM) & (np.abs(v) <= rects[:, 3, None] + _EDGE_TOL_NM)


def _edge_crossings(corners: np.ndarray) -> np.ndarray:
    """Every point where an edge of one rectangle crosses an edge of another ((m, 2))."""
    starts = corners.reshape(-1, 2)
    ends = np.roll(corners, -1, axis=1).reshape(-1, 2)
    d = ends - starts
    cross = d[:, None, 0] * d[None, :, 1] - d[:, None, 1] * d[None, :, 0]
    w = starts[None, :, :] - starts[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (w[..., 0] * d[None, :, 1] - w[..., 1] * d[None, :, 0]) / cross
        b = (w[..., 0] * d[:, None, 1] - w[..., 1] * d[:, None, 0]) / cross
    hit = np.isfinite(a) & (a >= -1e-12) & (a <= 1 + 1e-12) & (b >= -1e-12) & (b <= 1 + 1e-12)
    i, _ = np.nonzero(hit)
    return starts[i] + a[hit][:, None] * d[i]


def peak_dose(footprints: list[Footprint], region: Footprint | None = None) -> tuple[float, tuple[float, float]]:
    """The exact peak areal dose (e-/A^2) of a sum of dose rectangles, anywhere or inside ``region`` (a footprint
    whose dose is ignored), and where it is (specimen nm). (0, region centre or origin) when nothing was dosed.

    A sum of closed rectangles is largest on some vertex of their arrangement (a corner, or a crossing of two
    edges), so the peak is the largest sum over those points: exact, unlike a map averaged over cells. Rectangles
    of one rotation (the usual case: the scan rotation rarely changes) take a sweep that costs O(n^2).

    >>> peak_dose([(0, 0, 1, 1, 0, 5.0), (1, 0, 1, 1, 0, 3.0), (5, 5, 1, 1, 0, 4.0)])[0]
    8.0
    >>> peak_dose([(0, 0, 1, 1, 0, 5.0), (1, 0, 1, 1, 0, 3.0)], region=(1.75, 0, 0.25, 1, 0, 0.0))[0]
    3.0
    """
    rects = np.array([f for f in footprints if f[5] > 0], dtype=np.float64).reshape(-1, 6)
    box = None if region is None else np.array([region], dtype=np.float64)
    if box is not None:  # only rectangles that may reach the region (their bounding discs meet)
        reach = np.hypot(rects[:, 2], rects[:, 3]) + float(np.hypot(box[0, 2], box[0, 3]))
        rects = rects[np.hypot(rects[:, 0] - box[0, 0], rects[:, 1] - box[0, 1]) <= reach + _EDGE_TOL_NM]
    if len(rects) == 0:
        return 0.0, ((0.0, 0.0) if box is None else (float(box[0, 0]), float(box[0, 1])))
    rects = _merged(rects)
    rotation_deg = _aligned(rects if box is None else np.vstack([rects, box]))
    if rotation_deg is not None:
        return _aligned_peak(rects, box, rotation_deg)
    return _vertex_peak(rects, box)


def _vertex_peak(rects: np.ndarray, box: np.ndarray | None) -> tuple[float, tuple[float, float]]:
    """:func:`peak_dose` over every vertex of the arrangement (any rotations): O(n^3) for n rectangles."""
    shapes = rects if box is None else np.vstack([rects, box])
    corners = _corners(shapes)
    points = np.vstack([corners.reshape(-1, 2), shapes[:, :2], _edge_crossings(corners)])
    if box is not None:
        points = points[_inside(box, points)[0]]
    doses = rects[:, 5] @ _inside(rects, points)
    best = int(np.argmax(doses))
    return float(doses[best]), (float(points[best, 0]), float(points[best, 1]))


def _aligned(shapes: np.ndarray) -> float | None:
    """The rotation (deg, in [0, 90)) all ``shapes`` share up to quarter turns, or None when they differ."""
    quarter = np.round(np.mod(shapes[:, 4], 90.0), 9) % 90.0
    return float(quarter[0]) if np.all(quarter == quarter[0]) else None


def _frame(shapes: np.ndarray, rotation_deg: float) -> tuple[np.ndarray, ...]:
    """Left, right, bottom and top edges of ``shapes`` in the frame turned by ``rotation_deg`` (a shape turned a
    further quarter turn has its half width and height swapped)."""
    c, s = np.cos(np.radians(rotation_deg)), np.sin(np.radians(rotation_deg))
    u = shapes[:, 0] * c + shapes[:, 1] * s
    v = -shapes[:, 0] * s + shapes[:, 1] * c
    odd = np.round((shapes[:, 4] - rotation_deg) / 90.0).astype(int) % 2 == 1
    half_u = np.where(odd, shapes[:, 3], shapes[:, 2])
    half_v = np.where(odd, shapes[:, 2], shapes[:, 3])
    return u - half_u, u + half_u, v - half_v, v + half_v


def _aligned_peak(rects: np.ndarray, box: np.ndarray | None, rotation_deg: float) -> tuple[float, tuple[float, float]]:
    """:func:`peak_dose` of rectangles that share one rotation with each other and the region ``box``.

    In their own frame the largest sum of closed boxes lies on the lower left corner of the boxes it counts: on
    some left edge and some bottom edge. For each left edge a sweep up the bottom edges sums the boxes there, so
    n rectangles cost O(n^2), not the O(n^3) of every vertex of the arrangement (which took seconds an
    acquisition after a few hundred frames of a drifting scan)."""
    tol = _EDGE_TOL_NM
    left, right, bottom, top = _frame(rects, rotation_deg)
    at_u, at_v = left, bottom
    if box is not None:  # candidates inside the region, its own corner among them
        b_left, b_right, b_bottom, b_top = _frame(box, rotation_deg)
        at_u, at_v = np.append(left, b_left), np.append(bottom, b_bottom)
        at_u = at_u[(at_u >= b_left[0] - tol) & (at_u <= b_right[0] + tol)]
        at_v = at_v[(at_v >= b_bottom[0] - tol) & (at_v <= b_top[0] + tol)]
    n, m = len(rects), len(at_v)
    coords = np.concatenate([bottom - tol, at_v, top + tol])
    kinds = np.repeat([0, 1, 2], [n, m, n])  # a box starts, a candidate, a box ends (closed: in that order)
    order = np.lexsort((kinds, coords))
    asks = np.flatnonzero(kinds[order] == 1)
    best, best_u, best_v = -1.0, 0.0, 0.0
    for start in range(0, len(at_u), 256):  # a block of left edges at a time bounds the memory
        u = at_u[start : start + 256, None]
        weights = ((left - tol <= u) & (u <= right + tol)) * rects[:, 5]
        steps = np.hstack([weights, np.zeros((len(u), m)), -weights])[:, order]
        sums = np.cumsum(steps, axis=1)[:, asks]
        i, j = np.unravel_index(int(np.argmax(sums)), sums.shape)
        if sums[i, j] > best:
            best, best_u, best_v = float(sums[i, j]), float(u[i, 0]), float(at_v[order[asks[j]] - n])
    c, s = np.cos(np.radians(rotation_deg)), np.sin(np.radians(rotation_deg))
    point = np.array([[best_u * c - best_v * s, best_u * s + best_v * c]])
    dose = float(rects[:, 5] @ _inside(rects, point)[:, 0])  # the exact sum at the point found
    return dose, (float(point[0, 0]), float(point[0, 1]))


def _merged(rects: np.ndarray) -> np.ndarray:
    """Rectangles with the same footprint summed into one (a series over one area is one rectangle)."""
    keys, inverse = np.unique(np.round(rects[:, :5], 9), axis=0, return_inverse=True)
    doses = np.bincount(inverse.ravel(), weights=rects[:, 5])
    return np.column_stack([keys, doses])


def electrons_of(footprints: list[Footprint]) -> float:
    """Total electrons the footprints delivered (areal dose times area)."""
    return float(sum(f[5] * 4.0 * f[2] * f[3] * 100.0 for f in footprints))
