"""Images for display: contrast-stretched greyscale, an AFM height colour map, and a calibrated scale bar.

The raw data stay absolute counts (or heights in nm); only the displayed copy is scaled to 8 bits. Pure numpy and
Pillow, no Streamlit.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from copilot.scalebar import format_length, nice_length_nm

DISPLAY_PERCENTILES = (0.5, 99.5)


LABEL_FRACTION = 0.05  # scale-bar label height over image width: >= 12 px once the image is shown >= 240 px wide
MIN_LABEL_PX = 12


def display_range(data: np.ndarray, percentiles: tuple[float, float] = DISPLAY_PERCENTILES) -> tuple[float, float]:
    """The values shown as black and white (the colour bar's ends): two percentiles of the finite values."""
    values = np.asarray(data, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (0.0, 0.0)
    low, high = np.percentile(finite, percentiles)
    return float(low), float(high)


def stretch_to_uint8(data: np.ndarray, percentiles: tuple[float, float] = DISPLAY_PERCENTILES) -> np.ndarray:
    """Map a 2-D array to 0..255 between two percentiles; a flat or non-finite image maps to mid-grey."""
    values = np.asarray(data, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"expected a 2-D image, got shape {values.shape}; pass one channel at a time")
    low, high = display_range(values, percentiles)
    if not high > low:
        return np.full(values.shape, 128, dtype=np.uint8)
    scaled = (np.nan_to_num(values, nan=low) - low) / (high - low)
    return np.round(np.clip(scaled, 0.0, 1.0) * 255.0).astype(np.uint8)


def height_colormap(height_nm: np.ndarray) -> np.ndarray:
    """An AFM height map as RGB (black → red → yellow → white, the usual "afmhot" ramp), shape (rows, cols, 3)."""
    level = stretch_to_uint8(height_nm).astype(np.float64) / 255.0
    rgb = np.stack([2.0 * level, 2.0 * level - 0.5, 2.0 * level - 1.0], axis=-1)
    return np.round(np.clip(rgb, 0.0, 1.0) * 255.0).astype(np.uint8)


def add_scale_bar(image: Image.Image, pixel_size_nm: float) -> Image.Image:
    """A copy of ``image`` with a white, black-outlined bar and its length in the lower-left corner; the label is
    ``LABEL_FRACTION`` of the image width tall, so it stays readable when the image is shown smaller."""
    if not (math.isfinite(pixel_size_nm) and pixel_size_nm > 0):
        raise ValueError(f"pixel_size_nm must be a positive number, got {pixel_size_nm!r}")
    out = image.convert("RGB")
    width, height = out.size
    length_nm = nice_length_nm(width * pixel_size_nm)
    bar_px = max(1, round(length_nm / pixel_size_nm))
    margin = max(4, width // 32)
    thickness = max(3, height // 64)
    font = ImageFont.load_default(size=max(MIN_LABEL_PX, round(width * LABEL_FRACTION)))
    draw = ImageDraw.Draw(out)
    x0, y1 = margin, height - margin
    y0 = y1 - thickness
    draw.rectangle((x0 - 1, y0 - 1, x0 + bar_px, y1 + 1), fill=(0, 0, 0))
    draw.rectangle((x0, y0, x0 + bar_px - 1, y1), fill=(255, 255, 255))
    label = format_length(length_nm)
    draw.text((x0, y0 - 4), label, fill=(255, 255, 255), font=font, anchor="ld", stroke_width=2, stroke_fill=(0, 0, 0))
    return out


def to_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
