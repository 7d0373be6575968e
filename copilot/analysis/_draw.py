"""Drawing primitives on RGB uint8 arrays (numpy and skimage.draw only): grey and colour-mapped images, markers,
lines and a 3 x 5 pixel bitmap font for labels and tick numbers."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import ArrayLike, NDArray
from skimage import draw

RGB = tuple[int, int, int]
Canvas = NDArray[np.uint8]

# Viridis (perceptually uniform, colour-blind safe) sampled at 0, 1/8, ..., 1; linear in between.
VIRIDIS: tuple[RGB, ...] = (
    (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (110, 206, 88), (253, 231, 37),
)  # fmt: skip
# Class / category colours: distinct on grey and for the common colour-vision deficiencies (Okabe-Ito).
PALETTE: tuple[RGB, ...] = (
    (86, 180, 233), (230, 159, 0), (0, 158, 115), (240, 228, 66), (204, 121, 167), (213, 94, 0), (0, 114, 178),
)  # fmt: skip

_GLYPHS: dict[str, str] = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001010010010",
    "8": "111101111101111", "9": "111101111001111", ".": "000000000000010", "-": "000000111000000",
    "+": "000010111010000", "/": "001001010100100", ":": "000010000010000", " ": "000000000000000",
    "A": "010101111101101", "B": "110101110101110", "C": "011100100100011", "D": "110101101101110",
    "E": "111100110100111", "F": "111100110100100", "G": "011100101101011", "H": "101101111101101",
    "I": "111010010010111", "J": "001001001101010", "K": "101101110101101", "L": "100100100100111",
    "M": "101111111101101", "N": "110101101101101", "O": "010101101101010", "P": "110101110100100",
    "Q": "010101101110011", "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101", "X": "101101010101101",
    "Y": "101101010010010", "Z": "111001010100111",
    "a": "000011101101011", "b": "100110101101110", "c": "000011100100011", "d": "001011101101011",
    "e": "000010111100011", "f": "011010111010010", "g": "000011101011110", "h": "100110101101101",
    "i": "010000010010010", "k": "100101110110101", "l": "010010010010011", "m": "000110111101101",
    "n": "000110101101101", "o": "000010101101010", "p": "000110101110100", "r": "000011100100100",
    "s": "000011110001110", "t": "010111010010001", "u": "000101101101011", "v": "000101101101010",
    "w": "000101101111111", "x": "000101010101101", "y": "000101101011110", "z": "000111001010111",
}  # fmt: skip


def grey(image: ArrayLike, low_pct: float = 0.5, high_pct: float = 99.5) -> Canvas:
    """A 2-D array as an RGB grey image scaled between two percentiles."""
    arr = np.asarray(image, dtype=np.float64)
    lo, hi = np.percentile(arr, [low_pct, high_pct])
    scaled = np.clip((arr - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0)
    return np.repeat((scaled * 255.0 + 0.5).astype(np.uint8)[..., None], 3, axis=2)


def viridis(image: ArrayLike, low_pct: float = 0.5, high_pct: float = 99.5) -> Canvas:
    """A 2-D array through the viridis colour map, scaled between two percentiles."""
    arr = np.asarray(image, dtype=np.float64)
    lo, hi = np.percentile(arr, [low_pct, high_pct])
    t = np.clip((arr - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0) * (len(VIRIDIS) - 1)
    anchors = np.array(VIRIDIS, dtype=np.float64)
    i = np.minimum(t.astype(np.int64), len(VIRIDIS) - 2)
    f = (t - i)[..., None]
    return (anchors[i] * (1.0 - f) + anchors[i + 1] * f + 0.5).astype(np.uint8)


def upscale(canvas: Canvas, min_side_px: int = 512) -> tuple[Canvas, int]:
    """Enlarge by an integer factor (nearest neighbour) until the longer side is at least ``min_side_px``."""
    factor = max(1, min_side_px // max(canvas.shape[:2]))
    return np.repeat(np.repeat(canvas, factor, axis=0), factor, axis=1), factor


def _put(canvas: Canvas, rr: NDArray[np.intp], cc: NDArray[np.intp], colour: RGB) -> None:
    ok = (rr >= 0) & (rr < canvas.shape[0]) & (cc >= 0) & (cc < canvas.shape[1])
    canvas[rr[ok], cc[ok]] = colour


def circle(canvas: Canvas, row: float, col: float, radius: float, colour: RGB, width: int = 1) -> None:
    """An anti-alias-free circle outline, ``width`` pixels thick, clipped to the canvas."""
    for k in range(width):
        rr, cc = draw.circle_perimeter(round(row), round(col), max(1, round(radius) + k), shape=canvas.shape[:2])
        _put(canvas, rr, cc, colour)


def square(canvas: Canvas, row: float, col: float, half: float, colour: RGB, width: int = 1) -> None:
    """A square outline centred at (row, col)."""
    for k in range(width):
        h = round(half) + k
        top, bottom, left, right = round(row) - h, round(row) + h, round(col) - h, round(col) + h
        corners = ((top, left), (top, right), (bottom, right), (bottom, left), (top, left))
        for (r0, c0), (r1, c1) in itertools.pairwise(corners):
            line(canvas, r0, c0, r1, c1, colour)


def cross(canvas: Canvas, row: float, col: float, half: float, colour: RGB, width: int = 1) -> None:
    """An x-shaped cross centred at (row, col)."""
    for k in range(-(width // 2), width - width // 2):
        line(canvas, row - half, col - half + k, row + half, col + half + k, colour)
        line(canvas, row - half, col + half + k, row + half, col - half + k, colour)


def triangle(canvas: Canvas, row: float, col: float, half: float, colour: RGB, width: int = 1) -> None:
    """An upward triangle outline centred at (row, col)."""
    for k in range(width):
        h = half + k
        top, left, right = (row - h, col), (row + h, col - h), (row + h, col + h)
        for (r0, c0), (r1, c1) in ((top, left), (left, right), (right, top)):
            line(canvas, r0, c0, r1, c1, colour)


def line(canvas: Canvas, r0: float, c0: float, r1: float, c1: float, colour: RGB) -> None:
    """A one-pixel straight line, clipped to the canvas."""
    rr, cc = draw.line(round(r0), round(c0), round(r1), round(c1))
    _put(canvas, rr, cc, colour)


def text(canvas: Canvas, row: int, col: int, label: str, colour: RGB, scale: int = 2, shadow: bool = True) -> None:
    """Write ``label`` with its top-left corner at (row, col), 3 x 5 glyphs enlarged ``scale`` times.

    Characters without a glyph are left blank. With ``shadow`` a dark outline keeps the text legible on images.
    """
    for dr, dc, c in ([(1, 1, (0, 0, 0))] if shadow else []) + [(0, 0, colour)]:
        for i, ch in enumerate(label):
            bits = np.array([b == "1" for b in _GLYPHS.get(ch, _GLYPHS[" "])]).reshape(5, 3)
            big = np.kron(bits, np.ones((scale, scale), dtype=bool))
            rr, cc = np.nonzero(big)
            _put(canvas, rr + row + dr, cc + col + i * 4 * scale + dc, c)


def text_width(label: str, scale: int = 2) -> int:
    """Width in pixels of ``label`` written by :func:`text`."""
    return max(0, len(label) * 4 * scale - scale)
