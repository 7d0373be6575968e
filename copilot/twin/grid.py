"""The sampling grid of a frame: how canvas pixels map to specimen (material) coordinates, and disc stamping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Grid:
    """A canvas of ``shape`` (rows, cols); pixel (row r, col c) centre sits at ``origin + c * ex + r * ey`` (nm).

    ``ex_nm`` and ``ey_nm`` carry scan rotation and stage-tilt foreshortening, so the canvas can be rotated and
    stretched relative to the specimen.
    """

    shape: tuple[int, int]
    origin_nm: tuple[float, float]
    ex_nm: tuple[float, float]
    ey_nm: tuple[float, float]
    px_nm: float

    @property
    def _matrix(self) -> np.ndarray:
        return np.array([[self.ex_nm[0], self.ey_nm[0]], [self.ex_nm[1], self.ey_nm[1]]])

    @property
    def pixel_area_nm2(self) -> float:
        """Specimen area covered by one pixel."""
        return float(abs(np.linalg.det(self._matrix)))

    def to_pixel(self, xy_nm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (col, row) of specimen points ``xy_nm`` (N, 2)."""
        inv = np.linalg.inv(self._matrix)
        d = np.asarray(xy_nm, dtype=np.float64) - np.asarray(self.origin_nm)
        cr = d @ inv.T
        return cr[:, 0], cr[:, 1]

    def to_material(self, cols: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Specimen coordinates of (possibly fractional) pixel positions."""
        x = self.origin_nm[0] + cols * self.ex_nm[0] + rows * self.ey_nm[0]
        y = self.origin_nm[1] + cols * self.ex_nm[1] + rows * self.ey_nm[1]
        return x, y

    def bbox_nm(self, pad_px: float = 1.0) -> tuple[float, float, float, float]:
        """Axis-aligned specimen box (x0, y0, x1, y1) holding the whole canvas plus ``pad_px``."""
        rows, cols = self.shape
        c = np.array([-pad_px, cols - 1 + pad_px, -pad_px, cols - 1 + pad_px])
        r = np.array([-pad_px, -pad_px, rows - 1 + pad_px, rows - 1 + pad_px])
        x, y = self.to_material(c, r)
        return float(x.min()), float(y.min()), float(x.max()), float(y.max())

    def coords(self, block: tuple[slice, slice] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Specimen coordinates (float32) of every pixel centre of the canvas or of a (row, col) block."""
        rows, cols = self.shape
        rs, cs = block if block is not None else (slice(0, rows), slice(0, cols))
        r = np.arange(rs.start, rs.stop, dtype=np.float32)[:, None]
        c = np.arange(cs.start, cs.stop, dtype=np.float32)[None, :]
        x = np.float32(self.origin_nm[0]) + c * np.float32(self.ex_nm[0]) + r * np.float32(self.ey_nm[0])
        y = np.float32(self.origin_nm[1]) + c * np.float32(self.ex_nm[1]) + r * np.float32(self.ey_nm[1])
        return x, y

    def block_around(self, center_nm: tuple[float, float], radius_nm: float) -> tuple[slice, slice] | None:
        """Canvas (row, col) slices covering a disc, or None when the disc misses the canvas."""
        cx, cy = center_nm
        offsets = np.array([[-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]]) * radius_nm
        corners = offsets + np.array([cx, cy])
        cols, rows = self.to_pixel(corners)
        r0, r1 = max(int(np.floor(rows.min())), 0), min(int(np.ceil(rows.max())) + 1, self.shape[0])
        c0, c1 = max(int(np.floor(cols.min())), 0), min(int(np.ceil(cols.max())) + 1, self.shape[1])
        if r0 >= r1 or c0 >= c1:
            return None
        return slice(r0, r1), slice(c0, c1)


def stamp_disc(
    canvas: np.ndarray,
    grid: Grid,
    center_nm: tuple[float, float],
    radius_nm: float,
    profile: Callable[[np.ndarray], np.ndarray],
    mode: str = "add",
) -> None:
    """Add (``mode="add"``) or multiply (``"mul"``) ``profile(r_nm)`` into the canvas pixels near a disc."""
    block = grid.block_around(center_nm, radius_nm)
    if block is None:
        return
    x, y = grid.coords(block)
    r = np.hypot(x - np.float32(center_nm[0]), y - np.float32(center_nm[1]))
    values = profile(r).astype(np.float32, copy=False)
    if mode == "add":
        canvas[block] += values
    else:
        canvas[block] *= values


def soft_inside(r_nm: np.ndarray, radius_nm: float, edge_nm: float) -> np.ndarray:
    """1 inside a disc of ``radius_nm``, 0 outside, with a smooth edge of width ``edge_nm``."""
    return 0.5 * (1.0 - np.tanh((r_nm - radius_nm) / max(edge_nm, 1e-3)))


def deposit(shape: tuple[int, int], cols: np.ndarray, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Bilinear deposit of point weights on a (rows, cols) canvas; points off the canvas are dropped."""
    n_rows, n_cols = shape
    c0, r0 = np.floor(cols), np.floor(rows)
    fc, fr = cols - c0, rows - r0
    ok = (c0 >= 0) & (c0 < n_cols - 1) & (r0 >= 0) & (r0 < n_rows - 1)
    idx = (r0[ok] * n_cols + c0[ok]).astype(np.int64)
    w, fc, fr = weights[ok], fc[ok], fr[ok]
    where = np.concatenate([idx, idx + 1, idx + n_cols, idx + n_cols + 1])
    what = np.concatenate([w * (1 - fc) * (1 - fr), w * fc * (1 - fr), w * (1 - fc) * fr, w * fc * fr])
    if len(where) * 16 < n_rows * n_cols:  # few points: scatter into a float32 canvas directly
        flat = np.zeros(n_rows * n_cols, dtype=np.float32)
        np.add.at(flat, where, what.astype(np.float32))
        return flat.reshape(shape)
    return np.bincount(where, weights=what, minlength=n_rows * n_cols).astype(np.float32).reshape(shape)
