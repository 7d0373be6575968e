"""Scanning one frame (timing, drift, jitter, dose bookkeeping) and dose look-ups, on explicit collaborators.

Nothing here holds or mutates instrument state: :func:`scan_frame` gets the state, the specimen, the dose
ledger, the drift path and the noise generator, and returns the frame together with the ledger entries it
delivered; the facade records them and advances its clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from copilot.twin.dose import DoseLedger, Exposure, dose_e_per_A2, electrons, exposures
from copilot.twin.drift import Drift
from copilot.twin.probe import Aberrations
from copilot.twin.render import Beam, FrameGeometry, render_frame
from copilot.twin.results import ImageFrame
from copilot.twin.specimens.base import Specimen
from copilot.twin.state import InstrumentState, Limit, check_real

MAINS_HZ = 50.0
RANDOM_JITTER_FRACTION = 0.3


def stage_center_nm(state: InstrumentState) -> np.ndarray:
    """Specimen coordinates (nm) the stage puts under the optical axis."""
    return np.array([state.stage.x_um, state.stage.y_um]) * 1000.0


def frame_geometry(
    state: InstrumentState, drift: Drift, t_s: float, fov_nm: float | None = None, pixels: int | None = None
) -> FrameGeometry:
    """Geometry of a frame started at instrument time ``t_s`` (drift up to then included)."""
    scan, stage = state.scan, state.stage
    center = stage_center_nm(state) - drift.offset_nm(t_s)[0]
    return FrameGeometry(
        (float(center[0]), float(center[1])),
        scan.fov_nm if fov_nm is None else fov_nm,
        scan.pixels if pixels is None else pixels,
        scan.rotation_deg,
        stage.alpha_deg,
        stage.beta_deg,
    )


@dataclass(frozen=True)
class Scene:
    """What a frame is scanned over: the specimen, its dose history and its drift path."""

    specimen: Specimen
    ledger: DoseLedger
    drift: Drift


@dataclass(frozen=True)
class Scan:
    """How one frame is scanned: the residual aberrations, the partial coherence (focal spread, source size in
    nm), the noise generator (None: noise-free), the line jitter, the settings recorded with the frame, and an
    optional smaller ``fov_nm``/``pixels``."""

    aberrations: Aberrations
    coherence: tuple[float, float]
    rng: np.random.Generator | None
    jitter_nm: float
    settings: dict[str, Any]
    fov_nm: float | None = None
    pixels: int | None = None


def scan_frame(
    state: InstrumentState,
    scene: Scene,
    how: Scan,
    detector: str,
    progress: Callable[[float], None] | None = None,
) -> tuple[ImageFrame, list[Exposure]]:
    """Scan a frame; return it and the ledger entries it delivered (the caller checked readiness)."""
    scan = replace(state.scan, fov_nm=how.fov_nm or state.scan.fov_nm, pixels=how.pixels or state.scan.pixels)
    drift, rng = scene.drift, how.rng
    t0 = state.clock_s
    line_s = (scan.pixels * scan.dwell_us + scan.flyback_us) * 1e-6
    geo = frame_geometry(state, drift, t0, scan.fov_nm, scan.pixels)
    times = t0 + (np.arange(scan.pixels) + 0.5) * line_s
    moved = drift.offset_nm(times) - drift.offset_nm(t0)[0]
    shift = moved @ np.linalg.inv(geo.axes()).T
    if rng is not None and how.jitter_nm > 0:
        # Line jitter along the fast scan: a mains-frequency stray field plus a smaller random part per line.
        phase = rng.uniform(0.0, 2 * np.pi)
        hum = np.sin(2 * np.pi * MAINS_HZ * times + phase)
        shift[:, 0] += how.jitter_nm * (hum + RANDOM_JITTER_FRACTION * rng.standard_normal(scan.pixels))
    n_e = electrons(state.beam.current_pa, scan.dwell_us * 1e-6)
    beam = Beam(how.aberrations, state.beam.energy_kv, state.optics.convergence_mrad * 1e-3, n_e, *how.coherence)
    if progress is not None:
        progress(0.0)
    data, _ = render_frame(scene.specimen, scene.ledger, geo, beam, detector, state.detectors, shift, rng)
    dose = dose_e_per_A2(n_e, scan.pixel_size_nm**2)
    frame_s = scan.frame_time_s
    mid = stage_center_nm(state) - drift.offset_nm(t0 + frame_s / 2)[0]
    half = scan.fov_nm / 2
    kv = state.beam.energy_kv
    entries = exposures((float(mid[0]), float(mid[1])), half, half, scan.rotation_deg, dose, frame_s, kv)
    if progress is not None:
        progress(1.0)
    center = stage_center_nm(state)
    frame = ImageFrame(
        data,
        detector,
        scan.fov_nm,
        scan.pixels,
        scan.pixel_size_nm,
        (float(center[0]), float(center[1])),
        scan.rotation_deg,
        dose,
        frame_s,
        t0,
        how.settings,
    )
    return frame, entries


def max_dose_in_region(
    ledger: DoseLedger,
    fov_nm: float,
    to_specimen: Callable[[Any, Any], tuple[Any, Any]],
    to_fov: Callable[[Any, Any], tuple[Any, Any]],
    region: tuple[Any, Any, Any, Any],
) -> float:
    """Highest accumulated dose in a FOV rectangle (x, y, width, height): sampled on a 64 x 64 grid and at every
    exposure centre inside; ``to_specimen``/``to_fov`` convert between FOV and specimen coordinates."""
    x_nm, y_nm, width_nm, height_nm = region
    inside = {"v": Limit(-fov_nm, 2 * fov_nm, "nm (FOV coordinates)")}
    x0, y0 = check_real("v", x_nm, inside), check_real("v", y_nm, inside)
    w = check_real("v", width_nm, {"v": Limit(0.0, 3 * fov_nm, "nm")})
    h = check_real("v", height_nm, {"v": Limit(0.0, 3 * fov_nm, "nm")})
    gx, gy = np.meshgrid(np.linspace(x0, x0 + w, 64), np.linspace(y0, y0 + h, 64))
    sx, sy = to_specimen(gx.ravel(), gy.ravel())
    points = [np.column_stack([sx, sy])]
    for e in ledger.exposures:
        u, v = to_fov(*e.center_nm)
        if x0 <= u <= x0 + w and y0 <= v <= y0 + h:
            points.append(np.array([e.center_nm]))
    xy = np.concatenate(points)
    return float(ledger.dose_at(xy[:, 0], xy[:, 1]).max())
