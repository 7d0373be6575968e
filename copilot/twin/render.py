"""Image formation: object weights on a canvas, probe blur, drift shear and line jitter, detector response, noise.

Two ways to put the specimen on the canvas, with the same mean signal:

- atomic mode (pixels fine enough to see atoms): every column deposits its weight ``count * Z**n`` bilinearly;
- density mode (coarse pixels): the specimen paints its areal weight density feature by feature, so the cost does
  not grow with the number of atoms in view.

The canvas is convolved with the probe by FFT. Drift and line jitter are applied in the same pass: after the
inverse transform along y each row gets its own sub-pixel shift along x as a phase ramp, then rows are resampled
along y. The canvas carries margins on the sides the content moves in from, so shifted content comes from real
specimen, not from the wrap-around.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft

from copilot.twin.damage import damage_and_contamination, damaged
from copilot.twin.detector import ATOM_BLUR_NM, BF_TRANSMISSION, SIGMA_BF_NM2, SIGMA_HAADF_NM2
from copilot.twin.dose import DoseLedger
from copilot.twin.elements import BF_Z_EXPONENT, HAADF_Z_EXPONENT, z_weight
from copilot.twin.grid import Grid
from copilot.twin.probe import FFT_WORKERS, Aberrations, geometric_radius_nm, kernel_ft, wavelength_nm
from copilot.twin.specimens.base import Specimen
from copilot.twin.state import DetectorState

MAX_ATOMIC_COLUMNS = 3_000_000
MARGIN_STEP_PX = 64


@dataclass(frozen=True)
class FrameGeometry:
    """Where and how a frame is scanned (specimen nm, scan frame, stage tilt)."""

    center_nm: tuple[float, float]  # material coordinates under the FOV centre at the start of the frame
    fov_nm: float
    pixels: int
    rotation_deg: float
    alpha_deg: float = 0.0
    beta_deg: float = 0.0

    @property
    def px_nm(self) -> float:
        return self.fov_nm / self.pixels

    def axes(self) -> np.ndarray:
        """2x2 matrix mapping scan-frame nm (u, v) to specimen nm: foreshortening after rotation."""
        t = math.radians(self.rotation_deg)
        rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
        stretch = np.diag([1.0 / math.cos(math.radians(self.alpha_deg)), 1.0 / math.cos(math.radians(self.beta_deg))])
        return stretch @ rot

    def grid(self, left: int, top: int, shape: tuple[int, int]) -> Grid:
        """Canvas grid whose pixel (row top, col left) is output pixel (0, 0)."""
        a = self.axes()
        px = self.px_nm
        start = np.array([(0.5 - left) * px, (0.5 - top) * px]) - self.fov_nm / 2
        origin = np.asarray(self.center_nm) + a @ start
        ex, ey = a[:, 0] * px, a[:, 1] * px
        return Grid(
            shape, (float(origin[0]), float(origin[1])), (float(ex[0]), float(ex[1])), (float(ey[0]), float(ey[1])), px
        )


@dataclass(frozen=True)
class Beam:
    """Probe-forming conditions of a frame."""

    aberrations: Aberrations
    energy_kv: float
    alpha_rad: float
    electrons_per_pixel: float


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


def use_atomic_mode(specimen: Specimen, grid: Grid) -> bool:
    """Draw single columns only when pixels resolve atoms and the number of columns stays bounded."""
    x0, y0, x1, y1 = grid.bbox_nm()
    n_est = (x1 - x0) * (y1 - y0) * specimen.columns_per_nm2
    return grid.px_nm <= specimen.atomic_pixel_nm and n_est <= MAX_ATOMIC_COLUMNS


def object_canvas(specimen: Specimen, ledger: DoseLedger, grid: Grid, exponent: float) -> tuple[np.ndarray, bool]:
    """Scattering weight per canvas pixel, with beam damage and grown contamination; and whether atoms were drawn."""
    atomic = use_atomic_mode(specimen, grid)
    if atomic:
        atoms = damaged(specimen, ledger, *specimen.columns(grid.bbox_nm(pad_px=2.0)))
        lookup = {el: z_weight(el, exponent) for el in np.unique(atoms.elements)}
        per_atom = np.array([lookup[el] for el in atoms.elements]) if len(atoms) else np.zeros(0)
        cols, rows = grid.to_pixel(atoms.xy_nm)
        canvas = deposit(grid.shape, cols, rows, per_atom * atoms.count)
    else:
        canvas = specimen.density(grid, exponent)
    damage_and_contamination(specimen, ledger, grid, canvas, z_weight("C", exponent), density_mode=not atomic)
    return canvas, atomic


def _blur_and_shift(
    canvas: np.ndarray, kernel: np.ndarray, top: int, left: int, pixels: int, shift_px: np.ndarray
) -> np.ndarray:
    """Convolve with the probe and sample every output row at its own (dx, dy) shift in pixels."""
    n_rows, n_cols = canvas.shape
    spec = sfft.rfft2(canvas, workers=FFT_WORKERS)
    spec *= kernel
    spec = sfft.ifft(spec, axis=0, workers=FFT_WORKERS, overwrite_x=True)
    row_dx = np.zeros(n_rows, dtype=np.float32)
    row_dx[top : top + pixels] = shift_px[:, 0]
    if np.any(row_dx):
        # Phase ramp exp(-2 pi i k dx / n) per row, built as running powers of one root per row (cheap).
        phase = np.empty(spec.shape, dtype=np.complex64)
        phase[:, 0] = 1.0
        phase[:, 1:] = np.exp((-2j * np.pi / n_cols) * row_dx).astype(np.complex64)[:, None]
        np.cumprod(phase, axis=1, out=phase)
        spec *= phase
    blurred = sfft.irfft(spec, n=n_cols, axis=1, workers=FFT_WORKERS, overwrite_x=True).astype(np.float32, copy=False)
    src = np.arange(pixels, dtype=np.float64) + top - shift_px[:, 1]
    r0 = np.clip(np.floor(src).astype(np.int64), 0, n_rows - 2)
    fr = np.clip(src - r0, 0.0, 1.0).astype(np.float32)[:, None]
    cols = slice(left, left + pixels)
    out = blurred[r0, cols]
    out *= 1.0 - fr
    out += fr * blurred[r0 + 1, cols]
    return out


def _step_up(px: float) -> int:
    """Round a pixel count up to a multiple of ``MARGIN_STEP_PX``."""
    return int(math.ceil(px / MARGIN_STEP_PX) * MARGIN_STEP_PX)


def render_frame(
    specimen: Specimen,
    ledger: DoseLedger,
    geometry: FrameGeometry,
    beam: Beam,
    detector: str,
    detectors: DetectorState,
    row_shift_nm: np.ndarray,
    rng: np.random.Generator | None,
) -> tuple[np.ndarray, bool]:
    """One frame in absolute counts (float32, rows x cols); noise-free when ``rng`` is None.

    ``row_shift_nm`` (pixels, 2) is how far the specimen has moved, in scan-frame nm, when each row is scanned
    (drift since the frame start plus line jitter).
    """
    px = geometry.px_nm
    pixels = geometry.pixels
    lam = wavelength_nm(beam.energy_kv)
    # Content within the probe radius plus the first Airy rings reaches into the frame from the margin.
    reach_px = (geometric_radius_nm(beam.aberrations, beam.alpha_rad) + 2.5 * lam / beam.alpha_rad) / px
    shift_px = np.asarray(row_shift_nm, dtype=np.float64) / px
    cap = pixels // 2 + 2
    reach = math.ceil(reach_px) + 2
    # Content moving by +d enters from the low side, so the margin goes mostly there. The total margin depends
    # only on the drift speed (not its direction) and comes in steps, so successive frames share a canvas shape
    # and with it the cached probe kernel.
    travel = float(np.hypot(shift_px[:, 0], shift_px[:, 1]).max(initial=0.0))
    total = min(_step_up(travel + 2 * reach), 2 * cap)
    lo = np.clip(np.ceil(np.maximum(shift_px.max(axis=0, initial=0.0), 0.0)) + reach, 1, total - 1).astype(int)
    hi = total - lo
    shift_px = np.clip(shift_px, -(hi - 1), lo - 1)
    left, top = int(lo[0]), int(lo[1])
    side = sfft.next_fast_len(pixels + total, real=True)
    shape = (side, side)
    grid = geometry.grid(left, top, shape)

    exponent = HAADF_Z_EXPONENT if detector == "HAADF" else BF_Z_EXPONENT
    canvas, atomic = object_canvas(specimen, ledger, grid, exponent)
    tilt = math.radians(math.hypot(geometry.alpha_deg, geometry.beta_deg))
    blur = math.hypot(ATOM_BLUR_NM, specimen.column_length_nm * math.sin(tilt) / 2.5)
    kernel = kernel_ft(beam.aberrations, beam.energy_kv, beam.alpha_rad, px, shape, round(blur, 4))
    image = _blur_and_shift(canvas, kernel, top, left, pixels, shift_px)

    scale = np.float32(1.0 / (px * px))
    expected = np.float32(detectors.dqe * beam.electrons_per_pixel)
    if detector == "HAADF":
        image *= -SIGMA_HAADF_NM2 * scale
        np.expm1(image, out=image)
        image *= -expected  # fraction scattered onto the annulus: 1 - exp(-s)
    else:
        image *= -SIGMA_BF_NM2 * scale
        np.exp(image, out=image)
        image *= expected * np.float32(BF_TRANSMISSION)
    np.maximum(image, 0.0, out=image)
    if rng is None:
        return image, atomic
    counts = rng.poisson(image).astype(np.float32)
    noise = rng.standard_normal(counts.shape, dtype=np.float32)
    noise *= np.float32(detectors.read_noise_e)
    counts += noise
    return counts, atomic
