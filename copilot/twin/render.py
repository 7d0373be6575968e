"""Image formation: object weights on a canvas, probe blur, drift shear and line jitter, detector response, noise.

Two ways to put the specimen on the canvas, with the same mean signal:

- atomic mode (pixels fine enough to see atoms): every column deposits its weight ``count * Z**n`` bilinearly;
- density mode (coarse pixels): the specimen paints its areal weight density feature by feature, so the cost does
  not grow with the number of atoms in view.

The canvas is convolved with the probe by FFT. Drift and line jitter are applied in the same pass: after the
inverse transform along y, rows are resampled along y and each output row gets its own sub-pixel shift along x as
a phase ramp. The canvas carries margins on the sides the content moves in from, so shifted content comes from real
specimen, not from the wrap-around.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft

from copilot.twin.bright_field import phase_spectrum, vacuum_fraction
from copilot.twin.damage import damage_and_contamination, damaged
from copilot.twin.detector import (
    ATOM_BLUR_NM,
    Contrast,
    escape_contrast,
    haadf_contrast,
    thick_bright_field,
    thick_bright_field_covers,
)
from copilot.twin.dose import DoseLedger
from copilot.twin.grid import Grid, deposit
from copilot.twin.probe import FFT_WORKERS, Aberrations, geometric_radius_nm, kernel_ft, wavelength_nm
from copilot.twin.results import Atoms
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
    focal_spread_nm: float = 0.0
    source_nm: float = 0.0


def use_atomic_mode(specimen: Specimen, grid: Grid) -> bool:
    """Draw single columns only when pixels resolve atoms and the number of columns stays bounded."""
    x0, y0, x1, y1 = grid.bbox_nm()
    n_est = (x1 - x0) * (y1 - y0) * specimen.columns_per_nm2
    return grid.px_nm <= specimen.atomic_pixel_nm and n_est <= MAX_ATOMIC_COLUMNS


def object_canvas(
    specimen: Specimen, ledger: DoseLedger, grid: Grid, contrast: Contrast
) -> tuple[np.ndarray, Atoms | None]:
    """Signal cross-section (nm^2) per canvas pixel, with beam damage and grown contamination; and the columns
    drawn (None in density mode)."""
    atoms = None
    if use_atomic_mode(specimen, grid):
        atoms = damaged(specimen, ledger, *specimen.columns(grid.bbox_nm(pad_px=2.0)))
        per_column = np.zeros(len(atoms))
        for el in np.unique(atoms.elements):
            sel = atoms.elements == el
            per_column[sel] = contrast.column_nm2(str(el), atoms.count[sel])
        cols, rows = grid.to_pixel(atoms.xy_nm)
        canvas = deposit(grid.shape, cols, rows, per_column)
    else:
        canvas = specimen.density(grid, contrast)
    damage_and_contamination(specimen, ledger, grid, canvas, contrast.atom_nm2("C"), density_mode=atoms is None)
    return canvas, atoms


def _blur_and_shift(
    spec: np.ndarray, n_cols: int, top: int, left: int, pixels: int, shift_px: np.ndarray
) -> np.ndarray:
    """Inverse-transform a filtered canvas spectrum (rfft2), sampling every output row at its own (dx, dy)
    shift in pixels: rows are resampled along y while still a spectrum along x (linear, so exact), then each
    output row gets its own x shift as a phase ramp, so the x shift of a row follows that row wherever along y
    it reads the canvas."""
    n_rows = spec.shape[0]
    spec = sfft.ifft(spec, axis=0, workers=FFT_WORKERS, overwrite_x=True)
    src = np.arange(pixels, dtype=np.float64) + top - shift_px[:, 1]
    r0 = np.clip(np.floor(src).astype(np.int64), 0, n_rows - 2)
    fr = np.clip(src - r0, 0.0, 1.0).astype(np.float32)[:, None]
    rows = spec[r0]
    rows *= 1.0 - fr
    rows += fr * spec[r0 + 1]
    row_dx = shift_px[:, 0].astype(np.float32)
    if np.any(row_dx):
        # Phase ramp exp(-2 pi i k dx / n) per row, built as running powers of one root per row (cheap).
        phase = np.empty(rows.shape, dtype=np.complex64)
        phase[:, 0] = 1.0
        phase[:, 1:] = np.exp((-2j * np.pi / n_cols) * row_dx).astype(np.complex64)[:, None]
        np.cumprod(phase, axis=1, out=phase)
        rows *= phase
    blurred = sfft.irfft(rows, n=n_cols, axis=1, workers=FFT_WORKERS, overwrite_x=True).astype(np.float32, copy=False)
    return np.ascontiguousarray(blurred[:, left : left + pixels])


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
    radius = geometric_radius_nm(beam.aberrations, beam.alpha_rad) + 2.5 * beam.focal_spread_nm * beam.alpha_rad
    reach_px = (radius + 2.5 * lam / beam.alpha_rad) / px
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

    tilt = math.radians(math.hypot(geometry.alpha_deg, geometry.beta_deg))
    blur = math.hypot(ATOM_BLUR_NM, beam.source_nm, specimen.column_length_nm * math.sin(tilt) / 2.5)
    kernel = kernel_ft(
        beam.aberrations, beam.energy_kv, beam.alpha_rad, px, shape, round(blur, 4), beam.focal_spread_nm
    )
    kv, crystal = beam.energy_kv, specimen.crystal
    if detector == "HAADF":
        contrast = haadf_contrast(kv, detectors.haadf_inner_mrad, detectors.haadf_outer_mrad, crystal)
    else:
        contrast = escape_contrast(kv, beam.alpha_rad * 1e3, detectors.bf_outer_mrad, crystal)
    canvas, atoms = object_canvas(specimen, ledger, grid, contrast)

    def probe_weighted(canvas: np.ndarray) -> np.ndarray:
        """The canvas seen through the probe: the fraction of the beam its cross-sections scatter."""
        spec = sfft.rfft2(canvas, workers=FFT_WORKERS)
        spec *= kernel
        out = _blur_and_shift(spec, shape[1], top, left, pixels, shift_px)
        out *= np.float32(1.0 / (px * px))
        return out

    image = probe_weighted(canvas)
    if detector == "BF":
        bf_rad = detectors.bf_outer_mrad * 1e-3
        np.negative(image, out=image)
        np.exp(image, out=image)
        image *= np.float32(vacuum_fraction(kv, beam.alpha_rad, bf_rad))
        thick = thick_bright_field(kv, detectors.bf_outer_mrad, crystal)
        if thick is not None:  # the crystal's own columns, from the multislice table
            image -= probe_weighted(object_canvas(specimen, ledger, grid, thick)[0])
        if atoms is not None and len(atoms):
            weak = np.array([not thick_bright_field_covers(crystal, str(el)) for el in atoms.elements], dtype=bool)
            if weak.any():
                coherence = (beam.focal_spread_nm, beam.source_nm)
                phase = phase_spectrum(
                    atoms.select(weak), grid, beam.aberrations, kv, beam.alpha_rad, bf_rad, coherence
                )
                image += _blur_and_shift(phase, shape[1], top, left, pixels, shift_px)
    image *= np.float32(detectors.dqe * beam.electrons_per_pixel)
    np.maximum(image, 0.0, out=image)
    if rng is None:
        return image, atoms is not None
    counts = rng.poisson(image).astype(np.float32)
    noise = rng.standard_normal(counts.shape, dtype=np.float32)
    noise *= np.float32(detectors.read_noise_e)
    counts += noise
    return counts, atoms is not None
