"""Line plots as RGB uint8 arrays: spectra with marked edges or lines, and line profiles, with axes and ticks."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from copilot.analysis import _draw
from copilot.analysis._draw import PALETTE, RGB, Canvas
from copilot.analysis.errors import AnalysisError

BLACK: RGB = (0, 0, 0)
AXIS_GREY: RGB = (200, 200, 200)
TRACE: RGB = (0, 114, 178)
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 40  # margins in pixels


def nice_ticks(lo: float, hi: float, target: int = 6) -> NDArray[np.float64]:
    """Round tick values (1, 2 or 5 x 10^k apart) covering [lo, hi] with about ``target`` ticks.

    >>> nice_ticks(0.0, 1.0).tolist()
    [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
    """
    span = hi - lo if hi > lo else abs(hi) or 1.0
    raw = span / max(target - 1, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 5.0, 10.0) if m * magnitude >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return np.arange(first, hi + 1e-9 * step, step)


def _label(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.1e}"


class _Axes:
    """A white canvas with a plot area, the data-to-pixel mapping, axes and tick labels."""

    def __init__(self, x: NDArray[np.float64], y: NDArray[np.float64], size: tuple[int, int], log_y: bool) -> None:
        self.width, self.height = size
        self.canvas: Canvas = np.full((self.height, self.width, 3), 255, dtype=np.uint8)
        self.log_y = log_y
        yy = self._y(y)
        self.x0, self.x1 = float(x.min()), float(x.max())
        pad = 0.05 * (float(yy.max() - yy.min()) or 1.0)
        self.y0, self.y1 = float(yy.min()) - pad, float(yy.max()) + pad

    def _y(self, y: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.log10(np.maximum(y, 1.0)) if self.log_y else y

    def col(self, x: NDArray[np.float64] | float) -> NDArray[np.float64]:
        return LEFT + (np.asarray(x) - self.x0) / (self.x1 - self.x0 or 1.0) * (self.width - LEFT - RIGHT - 1)

    def row(self, y: NDArray[np.float64] | float) -> NDArray[np.float64]:
        yy = self._y(np.asarray(y, dtype=np.float64))
        return TOP + (self.y1 - yy) / (self.y1 - self.y0 or 1.0) * (self.height - TOP - BOTTOM - 1)

    def frame(self, x_label: str, y_label: str, title: str) -> None:
        """Axes box, x and y ticks with numbers, axis labels and the title."""
        c = self.canvas
        r_bottom, c_right = self.height - BOTTOM - 1, self.width - RIGHT - 1
        for tick in nice_ticks(self.x0, self.x1):
            col = round(float(self.col(tick)))
            _draw.line(c, TOP, col, r_bottom, col, AXIS_GREY)
            _draw.line(c, r_bottom, col, r_bottom + 5, col, BLACK)
            text = _label(float(tick))
            _draw.text(c, r_bottom + 9, col - _draw.text_width(text) // 2, text, BLACK, shadow=False)
        for tick in nice_ticks(self.y0, self.y1, 5):
            row = round(TOP + (self.y1 - tick) / (self.y1 - self.y0) * (self.height - TOP - BOTTOM - 1))
            _draw.line(c, row, LEFT, row, c_right, AXIS_GREY)
            _draw.line(c, row, LEFT - 5, row, LEFT, BLACK)
            text = _label(10.0**tick) if self.log_y else _label(float(tick))
            _draw.text(c, row - 5, LEFT - 8 - _draw.text_width(text), text, BLACK, shadow=False)
        for r0, c0, r1, c1 in ((TOP, LEFT, r_bottom, LEFT), (r_bottom, LEFT, r_bottom, c_right)):
            _draw.line(c, r0, c0, r1, c1, BLACK)
        _draw.text(c, self.height - 12, (self.width - _draw.text_width(x_label)) // 2, x_label, BLACK, shadow=False)
        _draw.text(c, 4, LEFT, f"{title}   y: {y_label}", BLACK, shadow=False)

    def trace(self, x: NDArray[np.float64], y: NDArray[np.float64], colour: RGB) -> None:
        """The data as a polyline (one segment per pair of samples)."""
        cols, rows = self.col(x), self.row(y)
        for i in range(len(x) - 1):
            _draw.line(self.canvas, rows[i], cols[i], rows[i + 1], cols[i + 1], colour)


def _checked(x: ArrayLike, y: ArrayLike, size: tuple[int, int]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xa.ndim != 1 or xa.shape != ya.shape or xa.size < 2:
        raise AnalysisError(f"x and y must be 1-D of equal length >= 2, got {xa.shape} and {ya.shape}.")
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya))):
        raise AnalysisError("x and y must be finite.")
    if not (200 <= size[0] <= 2048 and 150 <= size[1] <= 2048):
        raise AnalysisError(f"size must be 200..2048 x 150..2048 px, got {size}.")
    return xa, ya


def spectrum_plot(
    energy_eV: ArrayLike,
    counts: ArrayLike,
    markers: Sequence[tuple[float, str]] = (),
    title: str = "spectrum",
    log_counts: bool = False,
    size: tuple[int, int] = (900, 420),
) -> Canvas:
    """Counts against energy (eV) with vertical markers at ``(energy_eV, label)`` (edges or lines found)."""
    e, n = _checked(energy_eV, counts, size)
    axes = _Axes(e, n, size, log_counts)
    axes.frame("energy eV", "counts", title)
    for i, (energy, label) in enumerate(markers):
        if axes.x0 <= energy <= axes.x1:
            col = float(axes.col(energy))
            colour = PALETTE[(i + 5) % len(PALETTE)]
            _draw.line(axes.canvas, TOP, col, axes.height - BOTTOM - 1, col, colour)
            _draw.text(axes.canvas, TOP + 4 + 12 * (i % 3), round(col) + 3, label, colour, shadow=False)
    axes.trace(e, n, TRACE)
    return axes.canvas


def profile_plot(
    distance_nm: ArrayLike,
    values: ArrayLike,
    unit: str = "counts",
    title: str = "line profile",
    size: tuple[int, int] = (720, 360),
) -> Canvas:
    """Values along a line against the distance from its start (nm)."""
    return curves_plot(distance_nm, [("", values)], x_label="distance nm", y_label=unit, title=title, size=size)


def curves_plot(
    x: ArrayLike,
    curves: Sequence[tuple[str, ArrayLike]],
    *,
    x_label: str,
    y_label: str,
    title: str = "",
    size: tuple[int, int] = (800, 400),
) -> Canvas:
    """One or more labelled curves against the same ``x`` (e.g. trace and retrace, approach and retract), each in
    its own colour with its label in that colour after the title."""
    if not curves:
        raise AnalysisError("curves_plot needs at least one curve.")
    checked = [_checked(x, y, size) for _, y in curves]
    xa = checked[0][0]
    axes = _Axes(np.concatenate([xa] * len(curves)), np.concatenate([y for _, y in checked]), size, log_y=False)
    labels = [label for label, _ in curves]
    axes.frame(x_label, y_label, title)
    col = LEFT + _draw.text_width(f"{title}   y: {y_label}") + 16
    for i, (label, (_, y)) in enumerate(zip(labels, checked, strict=True)):
        colour = TRACE if len(curves) == 1 else PALETTE[i % len(PALETTE)]
        axes.trace(xa, y, colour)
        if label:
            _draw.text(axes.canvas, 4, col, label, colour, shadow=False)
            col += _draw.text_width(label) + 16
    return axes.canvas
