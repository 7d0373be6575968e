"""Scanning one frame on the facade's state (timing, drift, jitter, dose bookkeeping) and dose look-ups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from copilot.twin.dose import dose_e_per_A2, electrons, exposures
from copilot.twin.render import Beam, render_frame
from copilot.twin.results import ImageFrame
from copilot.twin.state import Limit, check_real

if TYPE_CHECKING:
    from copilot.twin.microscope import Microscope

MAINS_HZ = 50.0
RANDOM_JITTER_FRACTION = 0.3


def scan_frame(
    m: Microscope,
    detector: str,
    progress: Callable[[float], None] | None,
    noisy: bool,
    fov_nm: float | None = None,
    pixels: int | None = None,
) -> ImageFrame:
    """Scan a frame with the current settings (or a smaller ``fov_nm``/``pixels``); the caller checked readiness."""
    st = m.state
    scan = replace(st.scan, fov_nm=fov_nm or st.scan.fov_nm, pixels=pixels or st.scan.pixels)
    settings = m.snapshot()
    t0 = st.clock_s
    line_s = (scan.pixels * scan.dwell_us + scan.flyback_us) * 1e-6
    geo = m._geometry(t0, scan.fov_nm, scan.pixels)
    times = t0 + (np.arange(scan.pixels) + 0.5) * line_s
    moved = m._drift.offset_nm(times) - m._drift.offset_nm(t0)[0]
    shift = moved @ np.linalg.inv(geo.axes()).T
    rng = m._rng if noisy else None
    if rng is not None and m.jitter_nm > 0:
        # Line jitter along the fast scan: a mains-frequency stray field plus a smaller random part per line.
        phase = rng.uniform(0.0, 2 * np.pi)
        hum = np.sin(2 * np.pi * MAINS_HZ * times + phase)
        shift[:, 0] += m.jitter_nm * (hum + RANDOM_JITTER_FRACTION * rng.standard_normal(scan.pixels))
    n_e = electrons(st.beam.current_pa, scan.dwell_us * 1e-6)
    beam = Beam(m.aberrations(), st.beam.energy_kv, st.optics.convergence_mrad * 1e-3, n_e)
    if progress is not None:
        progress(0.0)
    data, _ = render_frame(m.specimen, m.ledger, geo, beam, detector, st.detectors, shift, rng)
    dose = dose_e_per_A2(n_e, scan.pixel_size_nm**2)
    frame_s = scan.frame_time_s
    mid = m._stage_center_nm() - m._drift.offset_nm(t0 + frame_s / 2)[0]
    half = scan.fov_nm / 2
    m._advance(exposures((float(mid[0]), float(mid[1])), half, half, scan.rotation_deg, dose, frame_s))
    if progress is not None:
        progress(1.0)
    center = m._stage_center_nm()
    return ImageFrame(
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
        settings,
    )


def max_dose_in_region(m: Microscope, x_nm: Any, y_nm: Any, width_nm: Any, height_nm: Any) -> float:
    """Highest accumulated dose in a FOV rectangle: sampled on a 64 x 64 grid and at every exposure centre inside."""
    fov = m.state.scan.fov_nm
    inside = {"v": Limit(-fov, 2 * fov, "nm (FOV coordinates)")}
    x0, y0 = check_real("v", x_nm, inside), check_real("v", y_nm, inside)
    w = check_real("v", width_nm, {"v": Limit(0.0, 3 * fov, "nm")})
    h = check_real("v", height_nm, {"v": Limit(0.0, 3 * fov, "nm")})
    gx, gy = np.meshgrid(np.linspace(x0, x0 + w, 64), np.linspace(y0, y0 + h, 64))
    sx, sy = m.fov_to_specimen(gx.ravel(), gy.ravel())
    points = [np.column_stack([sx, sy])]
    for e in m.ledger.exposures:
        u, v = m.specimen_to_fov(*e.center_nm)
        if x0 <= u <= x0 + w and y0 <= v <= y0 + h:
            points.append(np.array([e.center_nm]))
    xy = np.concatenate(points)
    return float(m.ledger.dose_at(xy[:, 0], xy[:, 1]).max())
