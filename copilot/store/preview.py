"""PNG previews: percentile-scaled images with a scale bar, and line plots of spectra (Pillow only)."""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from copilot.scalebar import format_length, nice_length_nm

MAX_SIDE_PX = 1024
"""Hard cap of a preview's longest side (MCP clients reject larger images)."""
PREVIEW_SIDE_PX = 768
"""Default longest side: detail enough for a vision model, and a noisy frame stays near 0.45 MB and ~25 ms to
encode (1024 px gives ~0.8 MB and ~45 ms)."""
MIN_SIDE_PX = 256
"""Small images (spectrum-image maps of a few pixels) are enlarged by a whole factor to at least this side, with
square pixels kept visible, so the map can be seen at all."""
PERCENTILE_SAMPLES = 65_536
MAX_PREVIEW_BYTES = 900_000
"""A preview larger than this (a busy colour overlay) is re-rendered smaller, so clients never reject it."""


def to_uint8(data: np.ndarray, low_pct: float = 0.5, high_pct: float = 99.5) -> np.ndarray:
    """Scale a 2-D array to 0..255 between two percentiles (non-finite values become 0 or 255).

    Percentiles come from a regular subsample of about ``PERCENTILE_SAMPLES`` pixels (exact for small images).
    """
    arr = np.asarray(data, dtype=np.float32)
    step = max(1, int(np.sqrt(arr.size / PERCENTILE_SAMPLES)))
    sample = arr[::step, ::step]
    sample = sample[np.isfinite(sample)]
    if sample.size == 0:
        return np.zeros(arr.shape, dtype=np.uint8)
    lo, hi = (float(v) for v in np.percentile(sample, [low_pct, high_pct]))
    scale = np.float32(255.0 / (hi - lo) if hi > lo else 1.0)
    scaled = (arr - np.float32(lo)) * scale + np.float32(0.5)
    np.clip(np.nan_to_num(scaled, nan=0.0, posinf=255.0, neginf=0.0), 0.0, 255.0, out=scaled)
    return scaled.astype(np.uint8)


def _fit(img: Image.Image, max_side_px: int) -> Image.Image:
    """Shrink (box filter) to ``max_side_px``, or enlarge a small image by a whole factor (nearest neighbour)."""
    longest = max(img.size)
    if longest < MIN_SIDE_PX:
        factor = -(-MIN_SIDE_PX // longest)
        return img.resize((img.width * factor, img.height * factor), Image.Resampling.NEAREST)
    scale = max_side_px / longest
    if scale >= 1:
        return img
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.BOX)


def _draw_scale_bar(img: Image.Image, pixel_size_nm: float) -> None:
    """Draw a white bar with a dark outline and its length in the lower-left corner."""
    width_nm = img.width * pixel_size_nm
    length_nm = nice_length_nm(width_nm)
    bar_px = max(2, round(length_nm / pixel_size_nm))
    thick = max(2, img.height // 80)
    margin = max(4, img.width // 40)
    x0, y1 = margin, img.height - margin
    draw = ImageDraw.Draw(img)
    fill = (255, 255, 255) if img.mode == "RGB" else 255
    outline = (0, 0, 0) if img.mode == "RGB" else 0
    draw.rectangle((x0, y1 - thick, x0 + bar_px, y1), fill=fill, outline=outline)
    font = ImageFont.load_default(size=max(10, img.height // 40))
    draw.text(
        (x0, y1 - thick - 2),
        format_length(length_nm),
        fill=fill,
        anchor="lb",
        font=font,
        stroke_width=1,
        stroke_fill=outline,
    )


def encode_png(img: Image.Image) -> bytes:
    """PNG bytes of a Pillow image.

    Grey-scale detector images are mostly shot noise, which deflate cannot shrink (a 768 px frame is ~0.58 MB at
    any level), so they are stored without compression, twice as fast; colour images (overlays, plots) are
    mostly flat and compress well.
    """
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=0 if img.mode == "L" else 6)
    return buf.getvalue()


def image_preview(data: np.ndarray, pixel_size_nm: float | None, max_side_px: int = PREVIEW_SIDE_PX) -> bytes:
    """PNG of a 2-D float image or an (H, W, 3) uint8 RGB image, fitted to ``max_side_px`` (at most
    :data:`MAX_SIDE_PX`), with a scale bar.

    ``pixel_size_nm`` is the size of one pixel of ``data``; ``None`` draws no scale bar.
    """
    arr = np.asarray(data)
    side_px = min(max_side_px, MAX_SIDE_PX)
    if arr.ndim == 3 and arr.shape[2] == 3:
        img = Image.fromarray(arr.astype(np.uint8), mode="RGB")
        fitted = _fit(img, side_px)
    elif arr.ndim == 2:
        # Resize the float image first (box filter averages counts), then scale the fewer pixels to 8 bits.
        finite = np.nan_to_num(arr, nan=0.0) if not np.isfinite(arr).all() else arr
        img = Image.fromarray(np.ascontiguousarray(finite, dtype=np.float32), mode="F")
        fitted = Image.fromarray(to_uint8(np.asarray(_fit(img, side_px))), mode="L")
    else:
        raise ValueError(f"a preview needs a 2-D image or an (H, W, 3) RGB array, not shape {arr.shape}")
    if pixel_size_nm is not None and pixel_size_nm > 0:
        _draw_scale_bar(fitted, pixel_size_nm * img.width / fitted.width)
    png = encode_png(fitted)
    if len(png) > MAX_PREVIEW_BYTES and max(fitted.size) > 64:
        return image_preview(data, pixel_size_nm, int(max(fitted.size) * 0.7))
    return png


def full_resolution_png(data: np.ndarray) -> bytes:
    """PNG of a 2-D float image at its own size, percentile-scaled, without annotations (for export)."""
    return encode_png(Image.fromarray(to_uint8(data), mode="L"))


def spectrum_plot(
    x: np.ndarray, y: np.ndarray, *, x_label: str, y_label: str = "counts", size_px: tuple[int, int] = (800, 450)
) -> bytes:
    """PNG line plot of ``y`` against ``x`` with labelled min/max ticks on both axes."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, h = size_px
    left, right, top, bottom = 70, 20, 20, 50
    img = Image.new("RGB", size_px, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=13)
    draw.rectangle((left, top, w - right, h - bottom), outline=(0, 0, 0))
    x_min, x_max = float(np.nanmin(x)), float(np.nanmax(x))
    peak = float(np.nanmax(y))
    y_min, y_max = 0.0, (peak if math.isfinite(peak) and peak > 0 else 1.0)
    px = left + (x - x_min) / ((x_max - x_min) or 1.0) * (w - left - right)
    py = h - bottom - (np.clip(y, y_min, None) - y_min) / ((y_max - y_min) or 1.0) * (h - top - bottom)
    draw.line(list(zip(px.tolist(), py.tolist(), strict=True)), fill=(31, 90, 180), width=2)
    draw.text((left, h - bottom + 6), f"{x_min:g}", fill=(0, 0, 0), font=font)
    draw.text((w - right, h - bottom + 6), f"{x_max:g}", fill=(0, 0, 0), anchor="ra", font=font)
    draw.text(((left + w - right) / 2, h - 8), x_label, fill=(0, 0, 0), anchor="ms", font=font)
    draw.text((left - 6, top), f"{y_max:.3g}", fill=(0, 0, 0), anchor="ra", font=font)
    draw.text((left - 6, h - bottom), "0", fill=(0, 0, 0), anchor="rb", font=font)
    draw.text((8, (top + h - bottom) / 2), y_label, fill=(0, 0, 0), anchor="lm", font=font)
    return encode_png(img)
