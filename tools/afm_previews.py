"""Preview pictures of AFM data: a height colour map, line plots of trace/retrace profiles and force curves.

Previews are for looking, not measuring: the colour map removes the best-fit plane only for display; the stored
data stay as recorded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from copilot.store.preview import to_uint8

COLOURS = ((200, 60, 20), (31, 90, 180))  # first and second curve


def height_colour_map(height_nm: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 'afm hot' colours of a height image with its best-fit plane removed for display."""
    h = np.asarray(height_nm, dtype=np.float64)
    rows, cols = np.mgrid[0 : h.shape[0], 0 : h.shape[1]]
    design = np.stack([np.ones(h.size), cols.ravel(), rows.ravel()], axis=1)
    plane = design @ np.linalg.lstsq(design, h.ravel(), rcond=None)[0]
    level = to_uint8((h.ravel() - plane).reshape(h.shape)).astype(np.float32) / 255.0
    rgb = np.stack([np.clip(2.0 * level, 0, 1), np.clip(2.0 * level - 0.5, 0, 1), np.clip(2.0 * level - 1, 0, 1)])
    return (np.moveaxis(rgb, 0, -1) * 255.0 + 0.5).astype(np.uint8)


def line_plot(
    x: np.ndarray,
    curves: Sequence[tuple[str, np.ndarray]],
    *,
    x_label: str,
    y_label: str,
    size_px: tuple[int, int] = (800, 400),
) -> bytes:
    """PNG of one or two labelled curves against ``x`` with min/max ticks on both axes."""
    w, h = size_px
    left, right, top, bottom = 80, 20, 30, 50
    x = np.asarray(x, dtype=np.float64)
    ys = [np.asarray(y, dtype=np.float64) for _, y in curves]
    x_lo, x_hi = float(x.min()), float(x.max())
    y_lo, y_hi = float(min(y.min() for y in ys)), float(max(y.max() for y in ys))
    img = Image.new("RGB", size_px, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=13)
    draw.rectangle((left, top, w - right, h - bottom), outline=(0, 0, 0))
    for (label, _), y, colour, slot in zip(curves, ys, COLOURS, range(len(curves)), strict=False):
        px = left + (x - x_lo) / ((x_hi - x_lo) or 1.0) * (w - left - right)
        py = h - bottom - (y - y_lo) / ((y_hi - y_lo) or 1.0) * (h - top - bottom)
        draw.line(list(zip(px.tolist(), py.tolist(), strict=True)), fill=colour, width=2)
        draw.text((left + 10 + 120 * slot, 8), label, fill=colour, font=font)
    draw.text((left, h - bottom + 6), f"{x_lo:.4g}", fill=(0, 0, 0), font=font)
    draw.text((w - right, h - bottom + 6), f"{x_hi:.4g}", fill=(0, 0, 0), anchor="ra", font=font)
    draw.text(((left + w - right) / 2, h - 8), x_label, fill=(0, 0, 0), anchor="ms", font=font)
    draw.text((left - 6, top), f"{y_hi:.4g}", fill=(0, 0, 0), anchor="ra", font=font)
    draw.text((left - 6, h - bottom), f"{y_lo:.4g}", fill=(0, 0, 0), anchor="rb", font=font)
    draw.text((8, (top + h - bottom) / 2), y_label, fill=(0, 0, 0), anchor="lm", font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=3)
    return buf.getvalue()


def profile_plot(trace_nm: np.ndarray, retrace_nm: np.ndarray, pixel_size_nm: float) -> bytes:
    """Trace and retrace height along the middle line of the frame."""
    row = trace_nm.shape[0] // 2
    x = (np.arange(trace_nm.shape[1]) + 0.5) * pixel_size_nm
    curves = [("trace", trace_nm[row]), ("retrace", retrace_nm[row])]
    return line_plot(x, curves, x_label=f"x / nm (line {row})", y_label="height / nm")


def force_curve_plot(z_nm: np.ndarray, approach_nN: np.ndarray, retract_nN: np.ndarray) -> bytes:
    """Approach and retract force against piezo position."""
    return line_plot(z_nm, [("approach", approach_nN), ("retract", retract_nN)], x_label="z / nm", y_label="F / nN")
