"""Where every pixel of a scan lands on the specimen.

The scan is a square raster of ``pixels`` x ``pixels`` centred at ``(1000 x_um, 1000 y_um)`` nm of specimen
coordinates, rotated by ``angle_deg``. Each line is displaced as a whole by the sample motion at the time it is
scanned (thermal drift and piezo creep), which shears and stretches the image the way a real scanner does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from copilot.twin.afm.state import ScanSettings


@dataclass(frozen=True)
class ScanGrid:
    """Specimen coordinates (nm) of every pixel centre and the affine frame they were built from."""

    x_nm: np.ndarray
    y_nm: np.ndarray
    pixel_size_nm: float
    origin_nm: tuple[float, float]  # specimen position of pixel (0, 0) before line displacement
    col_dir: tuple[float, float]  # unit vector along a line (fast axis)
    row_dir: tuple[float, float]  # unit vector from line to line (slow axis)
    line_shift_nm: np.ndarray  # (pixels, 2): displacement of each line, x and y

    @property
    def shape(self) -> tuple[int, int]:
        return self.x_nm.shape  # type: ignore[return-value]

    def pixel_of(self, x_nm: np.ndarray, y_nm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (row, col) of specimen points, using the mean line displacement."""
        shift = self.line_shift_nm.mean(axis=0)
        dx = np.asarray(x_nm) - self.origin_nm[0] - shift[0]
        dy = np.asarray(y_nm) - self.origin_nm[1] - shift[1]
        col = (dx * self.col_dir[0] + dy * self.col_dir[1]) / self.pixel_size_nm
        row = (dx * self.row_dir[0] + dy * self.row_dir[1]) / self.pixel_size_nm
        return row, col

    @property
    def shift_spread_px(self) -> float:
        """How far (in pixels) any line is displaced from the mean displacement."""
        dev = self.line_shift_nm - self.line_shift_nm.mean(axis=0)
        return float(np.max(np.hypot(dev[:, 0], dev[:, 1]))) / self.pixel_size_nm


def scan_grid(scan: ScanSettings, line_shift_nm: np.ndarray | None = None) -> ScanGrid:
    """Pixel coordinates of ``scan``; ``line_shift_nm`` (pixels x 2) displaces each line (zeros when None)."""
    n = scan.pixels
    px = scan.pixel_size_nm
    angle = math.radians(scan.angle_deg)
    col_dir = (math.cos(angle), math.sin(angle))
    row_dir = (-math.sin(angle), math.cos(angle))
    centre = (1000.0 * scan.x_um, 1000.0 * scan.y_um)
    half = (n - 1) / 2.0 * px
    origin = (
        centre[0] - half * (col_dir[0] + row_dir[0]),
        centre[1] - half * (col_dir[1] + row_dir[1]),
    )
    shift = np.zeros((n, 2)) if line_shift_nm is None else np.asarray(line_shift_nm, dtype=np.float64)
    steps = np.arange(n) * px
    x = origin[0] + steps[None, :] * col_dir[0] + steps[:, None] * row_dir[0] + shift[:, :1]
    y = origin[1] + steps[None, :] * col_dir[1] + steps[:, None] * row_dir[1] + shift[:, 1:]
    return ScanGrid(x, y, px, origin, col_dir, row_dir, shift)


def point_grid(x_nm: float, y_nm: float) -> ScanGrid:
    """A one-pixel grid at a specimen point (for force curves)."""
    return ScanGrid(np.array([[x_nm]]), np.array([[y_nm]]), 1.0, (x_nm, y_nm), (1.0, 0.0), (0.0, 1.0), np.zeros((1, 2)))
