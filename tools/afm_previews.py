"""Preview pictures of AFM data: a height colour map, line plots of trace/retrace profiles and force curves.

Previews are for looking, not measuring: the colour map removes the best-fit plane only for display; the stored
data stay as recorded.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from copilot.analysis.plots import curves_plot
from copilot.store.preview import encode_png, to_uint8


def height_colour_map(height_nm: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 'afm hot' colours of a height image with its best-fit plane removed for display."""
    h = np.asarray(height_nm, dtype=np.float64)
    rows, cols = np.mgrid[0 : h.shape[0], 0 : h.shape[1]]
    design = np.stack([np.ones(h.size), cols.ravel(), rows.ravel()], axis=1)
    plane = design @ np.linalg.lstsq(design, h.ravel(), rcond=None)[0]
    level = to_uint8((h.ravel() - plane).reshape(h.shape)).astype(np.float32) / 255.0
    rgb = np.stack([np.clip(2.0 * level, 0, 1), np.clip(2.0 * level - 0.5, 0, 1), np.clip(2.0 * level - 1, 0, 1)])
    return (np.moveaxis(rgb, 0, -1) * 255.0 + 0.5).astype(np.uint8)


def _png(canvas: np.ndarray) -> bytes:
    return encode_png(Image.fromarray(canvas, mode="RGB"))


def profile_plot(trace_nm: np.ndarray, retrace_nm: np.ndarray, pixel_size_nm: float) -> bytes:
    """Trace and retrace height along the middle line of the frame."""
    row = trace_nm.shape[0] // 2
    x = (np.arange(trace_nm.shape[1]) + 0.5) * pixel_size_nm
    curves = [("trace", trace_nm[row]), ("retrace", retrace_nm[row])]
    return _png(curves_plot(x, curves, x_label=f"x nm (line {row})", y_label="height nm", title="trace/retrace"))


def force_curve_plot(z_nm: np.ndarray, approach_nN: np.ndarray, retract_nN: np.ndarray) -> bytes:
    """Approach and retract force against piezo position."""
    curves = [("approach", approach_nN), ("retract", retract_nN)]
    return _png(curves_plot(z_nm, curves, x_label="z nm", y_label="force nN", title="force curve"))
