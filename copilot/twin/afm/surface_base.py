"""What a surface renders for a scan, and the pieces every surface shares (mount tilt, periodic random fields)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from copilot.twin.afm.grid import ScanGrid


@dataclass(frozen=True)
class Material:
    """Contact mechanics and tapping contrast of one material."""

    name: str
    phase_lag_deg: float  # extra phase lag in tapping mode (dissipation)
    adhesion_work_J_per_m2: float  # work of adhesion with a silicon tip
    modulus_GPa: float  # reduced modulus E* of the tip-sample contact


@dataclass(frozen=True)
class SurfaceMaps:
    """Everything the instrument can sense at each pixel of a grid, from the true (unconvolved) surface."""

    height_nm: np.ndarray
    phase_lag_deg: np.ndarray
    adhesion_work_J_per_m2: np.ndarray
    modulus_GPa: np.ndarray
    piezo_pm: np.ndarray | None = None  # signed piezoresponse (ferroelectric surfaces only)
    domain_mask: np.ndarray | None = None  # ground truth: True where the minority / "up" phase is
    terrace_level: np.ndarray | None = None  # ground truth for stepped surfaces: terrace index of each pixel


def material_maps(height_nm: np.ndarray, weight: np.ndarray, a: Material, b: Material) -> dict[str, np.ndarray]:
    """Material properties blended between ``a`` (weight 0) and ``b`` (weight 1)."""
    return {
        "height_nm": height_nm,
        "phase_lag_deg": a.phase_lag_deg + weight * (b.phase_lag_deg - a.phase_lag_deg),
        "adhesion_work_J_per_m2": a.adhesion_work_J_per_m2
        + weight * (b.adhesion_work_J_per_m2 - a.adhesion_work_J_per_m2),
        "modulus_GPa": a.modulus_GPa + weight * (b.modulus_GPa - a.modulus_GPa),
    }


def uniform_maps(height_nm: np.ndarray, material: Material) -> SurfaceMaps:
    """Maps of a surface made of one material."""
    return SurfaceMaps(**material_maps(height_nm, np.zeros_like(height_nm), material, material))


@dataclass(frozen=True)
class MountTilt:
    """The specimen is never mounted perfectly flat: a plane of a few mrad that plane levelling removes."""

    x_mrad: float
    y_mrad: float

    @classmethod
    def draw(cls, rng: np.random.Generator) -> MountTilt:
        angle = rng.uniform(0.0, 2.0 * math.pi)
        size = rng.uniform(1.0, 4.0)
        return cls(size * math.cos(angle), size * math.sin(angle))

    def height_nm(self, grid: ScanGrid) -> np.ndarray:
        return 1e-3 * (self.x_mrad * grid.x_nm + self.y_mrad * grid.y_nm)


class PeriodicField:
    """A smooth Gaussian random field on a periodic tile, sampled by bilinear interpolation anywhere.

    Built once from seeded white noise filtered in Fourier space, so it is seamless across the tile edges and a
    zoomed scan shows the same features as a wide one.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        correlation_nm: tuple[float, float],
        period_nm: float = 4096.0,
        cells: int = 1024,
    ) -> None:
        self.period_nm = period_nm
        self.cell_nm = period_nm / cells
        k = np.fft.fftfreq(cells, d=self.cell_nm)
        kx, ky = k[None, :], k[:, None]
        envelope = np.exp(-2.0 * math.pi**2 * ((kx * correlation_nm[0]) ** 2 + (ky * correlation_nm[1]) ** 2))
        noise = rng.standard_normal((cells, cells))
        field = np.fft.ifft2(np.fft.fft2(noise) * envelope).real
        self.values = (field - field.mean()) / field.std()

    def threshold_for_fraction(self, fraction: float) -> float:
        """The level above which exactly ``fraction`` of the tile lies."""
        return float(np.quantile(self.values, 1.0 - fraction))

    def sample(self, grid: ScanGrid, values: np.ndarray | None = None) -> np.ndarray:
        """Bilinear samples of ``values`` (default: the field) at the grid's specimen coordinates."""
        source = self.values if values is None else values
        coords = np.stack([grid.y_nm / self.cell_nm - 0.5, grid.x_nm / self.cell_nm - 0.5])
        return ndimage.map_coordinates(source, coords, order=1, mode="grid-wrap")
