"""Annotated pictures of analysis results as RGB uint8 arrays (no encoding, no plotting library).

Images are enlarged by an integer factor to at least 512 px so that markers stay crisp; positions in FOV nm are
mapped to the centre of their pixel. Colours come from a colour-blind-safe palette; each picture has a legend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike
from skimage.segmentation import find_boundaries

from copilot.analysis import _draw
from copilot.analysis._draw import PALETTE, RGB, Canvas
from copilot.analysis.atoms import AtomsFound
from copilot.analysis.defects import Defects
from copilot.analysis.fft import FFTResult
from copilot.analysis.particles import Particles

WHITE: RGB = (255, 255, 255)
GREY: RGB = (150, 150, 150)
DEFECT_STYLE: dict[str, tuple[RGB, Callable[..., None]]] = {
    "vacancy": ((213, 94, 0), _draw.circle),
    "substitution": ((240, 228, 66), _draw.square),
    "partial_vacancy": ((86, 180, 233), _draw.triangle),
    "interstitial": ((204, 121, 167), _draw.cross),
}


def legend(canvas: Canvas, entries: Sequence[tuple[str, RGB]], scale: int = 2) -> None:
    """Colour keys and labels stacked in the top-left corner on a dark band."""
    if not entries:
        return
    line_px = 7 * scale
    width = max(_draw.text_width(label, scale) for label, _ in entries) + 6 * scale
    canvas[: line_px * len(entries) + 2 * scale, : width + 2 * scale] //= 3
    for i, (label, colour) in enumerate(entries):
        row = scale + i * line_px
        canvas[row : row + 5 * scale, scale : 4 * scale] = colour
        _draw.text(canvas, row, 5 * scale, label, WHITE, scale, shadow=False)


class _Frame:
    """An image enlarged for drawing, with the mapping from FOV nm to canvas pixels."""

    def __init__(self, canvas: Canvas, pixel_size_nm: float) -> None:
        self.canvas, self.factor = _draw.upscale(canvas)
        self.px = pixel_size_nm

    def at(self, x_nm: float, y_nm: float) -> tuple[float, float]:
        """Canvas (row, col) of FOV (x, y) nm."""
        return y_nm / self.px * self.factor - 0.5, x_nm / self.px * self.factor - 0.5

    def nm(self, length_nm: float) -> float:
        """Canvas pixels of a length in nm."""
        return length_nm / self.px * self.factor


def _marker_px(frame: _Frame, spacing_nm: float) -> float:
    """Marker radius: a third of the feature spacing, at least 3 canvas pixels."""
    return max(3.0, frame.nm(spacing_nm) / 3.0) if np.isfinite(spacing_nm) else 4.0


def atoms_overlay(image: ArrayLike, atoms: AtomsFound, pixel_size_nm: float) -> Canvas:
    """The image with every atomic column circled in the colour of its intensity class (0 = dimmest)."""
    frame = _Frame(_draw.grey(image), pixel_size_nm)
    radius = _marker_px(frame, atoms.spacing_nm)
    for (x, y), cls in zip(atoms.positions_nm, atoms.classes, strict=True):
        _draw.circle(frame.canvas, *frame.at(x, y), radius, PALETTE[int(cls) % len(PALETTE)])
    counts = atoms.class_counts
    legend(frame.canvas, [(f"class {c}: {n}", PALETTE[c % len(PALETTE)]) for c, n in enumerate(counts)])
    return frame.canvas


def defects_overlay(image: ArrayLike, defects: Defects, pixel_size_nm: float) -> Canvas:
    """The image with defects marked: vacancy circle, substitution square, partial vacancy triangle,
    interstitial cross, each in its own colour."""
    frame = _Frame(_draw.grey(image), pixel_size_nm)
    size = _marker_px(frame, defects.atoms.spacing_nm) * 1.3
    for d in defects.defects:
        colour, mark = DEFECT_STYLE[d.kind]
        mark(frame.canvas, *frame.at(d.x_nm, d.y_nm), size, colour, 2)
    counts = defects.counts
    legend(frame.canvas, [(f"{kind.replace('_', ' ')}: {counts[kind]}", c) for kind, (c, _) in DEFECT_STYLE.items()])
    return frame.canvas


def particles_overlay(image: ArrayLike, particles: Particles, pixel_size_nm: float) -> Canvas:
    """The image with particle outlines, equivalent-diameter circles and their diameters in nm; particles cut by
    the edge (left out of the statistics) in grey."""
    frame = _Frame(_draw.grey(image), pixel_size_nm)
    labels = np.kron(particles.labels, np.ones((frame.factor, frame.factor), dtype=particles.labels.dtype))
    edge_labels = [p.label for p in particles.particles if p.touches_edge]
    boundary = find_boundaries(labels, mode="inner")
    on_edge = np.isin(labels, edge_labels)
    frame.canvas[boundary & ~on_edge] = PALETTE[2]
    frame.canvas[boundary & on_edge] = GREY
    for p in particles.particles:
        row, col = frame.at(p.x_nm, p.y_nm)
        colour = GREY if p.touches_edge else PALETTE[1]
        _draw.circle(frame.canvas, row, col, frame.nm(p.diameter_nm / 2), colour)
        if not p.touches_edge:
            label = f"{p.diameter_nm:.3g}"
            _draw.text(frame.canvas, round(row) - 5, round(col) - _draw.text_width(label) // 2, label, WHITE)
    legend(frame.canvas, [(f"{particles.count} particles, d in nm", PALETTE[1]), ("cut by the edge", GREY)])
    return frame.canvas


def fft_overlay(fft: FFTResult) -> Canvas:
    """The log power spectrum with each peak and its Friedel mate circled and numbered (strongest = 1)."""
    frame = _Frame(_draw.grey(fft.log_power, 1.0, 99.9), 1.0)
    ny, nx = fft.log_power.shape
    dkx = float(fft.frequency_x_per_nm[1] - fft.frequency_x_per_nm[0])
    dky = float(fft.frequency_y_per_nm[1] - fft.frequency_y_per_nm[0])
    radius = max(5.0, 0.012 * frame.canvas.shape[0])
    for i, peak in enumerate(fft.peaks):
        colour = PALETTE[i % len(PALETTE)]
        for sign in (1, -1):
            col = nx // 2 + sign * peak.kx_per_nm / dkx + 0.5
            row = ny // 2 + sign * peak.ky_per_nm / dky + 0.5
            r, c = frame.at(col, row)
            _draw.circle(frame.canvas, r, c, radius, colour, 2)
            if sign == 1:
                _draw.text(frame.canvas, round(r - radius) - 12, round(c + radius), str(i + 1), colour)
    legend(
        frame.canvas,
        [(f"{i + 1}: d {p.d_spacing_nm:.4g} nm", PALETTE[i % len(PALETTE)]) for i, p in enumerate(fft.peaks[:8])],
    )
    return frame.canvas


def height_overlay(height_nm: ArrayLike, unit: str = "nm") -> Canvas:
    """A height (or any channel) map in the viridis colour map with a colour bar labelled in ``unit``."""
    values = np.asarray(height_nm, dtype=np.float64)
    canvas, _ = _draw.upscale(_draw.viridis(values))
    lo, hi = np.percentile(values, [0.5, 99.5])
    h, w = canvas.shape[:2]
    bar_w, pad = max(12, w // 30), 8
    label_w = max(_draw.text_width(f"{v:.3g} {unit}") for v in (lo, hi)) + 2 * pad
    out = np.full((h, w + bar_w + label_w + pad, 3), 255, dtype=np.uint8)
    out[:, :w] = canvas
    ramp = _draw.viridis(np.linspace(1.0, 0.0, h)[:, None].repeat(bar_w, axis=1), 0.0, 100.0)
    out[:, w + pad : w + pad + bar_w] = ramp
    x_text = w + 2 * pad + bar_w
    _draw.text(out, 2, x_text, f"{hi:.3g} {unit}", (0, 0, 0), shadow=False)
    _draw.text(out, h - 12, x_text, f"{lo:.3g} {unit}", (0, 0, 0), shadow=False)
    return out
