"""What the twin hands back: images, spectra, dose maps, autofocus results and ground-truth atoms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Atoms:
    """Projected atomic columns in specimen coordinates (nm).

    ``count`` is the number of atoms stacked in each projected column (1 for a monolayer site, 2 for an S2 site
    of MoS2, tens for a column through a crystal or particle; amorphous carbon is represented by pseudo-columns
    of several atoms). ``elements`` holds the element symbol of each column.
    """

    xy_nm: np.ndarray  # (N, 2) float64
    z_nm: np.ndarray  # (N,) height of the column centre
    elements: np.ndarray  # (N,) str
    count: np.ndarray  # (N,) int

    def __len__(self) -> int:
        return int(self.xy_nm.shape[0])

    def select(self, mask: np.ndarray) -> Atoms:
        """The columns where ``mask`` is true."""
        return Atoms(self.xy_nm[mask], self.z_nm[mask], self.elements[mask], self.count[mask])

    @staticmethod
    def concat(parts: list[Atoms]) -> Atoms:
        """All columns of ``parts`` in one object."""
        if not parts:
            return Atoms(np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype="<U2"), np.zeros(0, dtype=np.int64))
        return Atoms(
            np.concatenate([p.xy_nm for p in parts]),
            np.concatenate([p.z_nm for p in parts]),
            np.concatenate([p.elements for p in parts]),
            np.concatenate([p.count for p in parts]),
        )


@dataclass(frozen=True)
class ImageFrame:
    """One scanned image in absolute detector counts (float32, never normalised)."""

    data: np.ndarray
    detector: str
    fov_nm: float
    pixels: int
    pixel_size_nm: float
    center_nm: tuple[float, float]
    rotation_deg: float
    dose_e_per_A2: float
    frame_time_s: float
    started_s: float
    settings: dict[str, Any]


@dataclass(frozen=True)
class Spectrum:
    """A spectrum at one probe position (FOV coordinates)."""

    kind: str
    energy_eV: np.ndarray
    counts: np.ndarray
    x_nm: float
    y_nm: float
    dose_e_per_A2: float
    live_time_s: float
    settings: dict[str, Any]


@dataclass(frozen=True)
class SpectrumImage:
    """Spectra on a grid or along a line: ``counts`` is (ny, nx, n_energy); a line has ny == 1.

    ``region`` gives the geometry in FOV nm: ``{"x_nm", "y_nm", "width_nm", "height_nm"}`` for a map or
    ``{"x0_nm", "y0_nm", "x1_nm", "y1_nm"}`` for a line, plus ``points_x_nm``/``points_y_nm``.
    """

    kind: str
    energy_eV: np.ndarray
    counts: np.ndarray
    region: dict[str, Any]
    dose_e_per_A2: float
    live_time_s: float
    settings: dict[str, Any]


@dataclass(frozen=True)
class AutofocusResult:
    """Outcome of a through-focus series; ``defocus_nm`` is the setting left on the instrument."""

    success: bool
    defocus_nm: float
    metric_by_defocus: dict[float, float]
    dose_e_per_A2: float
    time_s: float
    message: str


@dataclass(frozen=True)
class DoseMap:
    """Accumulated dose in e-/A^2 on a grid over the specimen; ``extent_nm`` is (x0, x1, y0, y1)."""

    data: np.ndarray
    extent_nm: tuple[float, float, float, float]
