"""Accuracy of the scan-aware measurements against the twin's truth: the SrTiO3 cell from one frame and
drift-corrected from two frames with orthogonal fast axes, and the drift rate and direction between two frames."""

from __future__ import annotations

import math

import numpy as np

from copilot.analysis.drift import estimate_drift
from copilot.analysis.lattice import measure_lattice
from copilot.analysis.lattice_drift import corrected_lattice
from copilot.bench.accuracy_case import Case, Outcome, rel
from copilot.twin import Microscope
from copilot.twin.results import ImageFrame

SRTIO3_A_NM = 0.3905
LATTICE_TOLERANCE = 0.5  # %
DRIFT_RATE_TOLERANCE = 15.0  # %
DRIFT_DIRECTION_TOLERANCE_DEG = 15.0


def lattice_case(case: Case, corrected: bool) -> Outcome:
    """Worst relative error of a and b (%) against SrTiO3's a = 0.3905 nm, from one frame or from two with the
    second scanned at rotation 90 deg."""
    scope = case.scope()
    first = scope.acquire_image()
    if corrected:
        scope.set_scan(rotation_deg=90.0)
        second = scope.acquire_image()
        cell = corrected_lattice(first.data, second.data, first.pixel_size_nm, 0.0, 90.0)
    else:
        cell = measure_lattice(first.data, first.pixel_size_nm)
    errors = [rel(cell.a_nm, SRTIO3_A_NM), rel(cell.b_nm, SRTIO3_A_NM)]
    worst = max(errors, key=abs)
    label = f"{case.label}, drift {case.drift_nm_per_s:g} nm/s, " + (
        "two frames 0/90 deg" if corrected else "one frame"
    )
    target = f"|error| <= {LATTICE_TOLERANCE:g} %" if corrected else "within 0.5 % or reliable = false"
    ok = abs(worst) <= LATTICE_TOLERANCE or (not corrected and not cell.reliable)
    return Outcome(
        "measure_lattice", label, first.dose_e_per_A2, SRTIO3_A_NM, cell.b_nm if worst == errors[1] else cell.a_nm,
        worst, "%", None, None, cell.reliable, target, ok,
    )  # fmt: skip


def true_image_shift_nm(scope: Microscope, first: ImageFrame, second: ImageFrame) -> tuple[float, float]:
    """Where the specimen point at the centre of ``first`` (when the scan passed it) lies in ``second`` minus
    where it lies in ``first``, in FOV nm: each row of a frame is scanned later than the one above, so a drifting
    point is found in the row whose scan time matches its position (a frame's slow-axis stretch, (1 + v_y T / FOV),
    is in both images and so in the shift the images show)."""
    scan = scope.state.scan
    fov, line_s = scan.fov_nm, scan.frame_time_s / scan.pixels

    def found_at(xs: np.ndarray, ys: np.ndarray, started_s: float) -> np.ndarray:
        y = fov / 2
        for _ in range(30):
            u, v = scope.specimen_to_fov(xs, ys, at_s=started_s + y / fov * scan.pixels * line_s)
            y = float(np.ravel(v)[0])
        return np.array([float(np.ravel(u)[0]), y])

    x, y = scope.fov_to_specimen(np.array([fov / 2]), np.array([fov / 2]), at_s=first.started_s + scan.frame_time_s / 2)
    d = found_at(x, y, second.started_s) - found_at(x, y, first.started_s)
    return float(d[0]), float(d[1])


def drift_case(seed: int, drift_nm_per_s: float, frames_between: int = 16) -> Outcome:
    """Rate (error in %) and direction (error in deg, in ``extra``) of ``estimate_drift`` between two coarse gold
    frames ``frames_between`` frames apart, against the true shift of the specimen between the images. A
    result the tool calls unreliable passes (it says so); a reliable one must meet the target."""
    scope = Microscope("gold_nanoparticles", seed=seed, drift_nm_per_s=drift_nm_per_s)
    fov = 50.0
    scope.set_scan(fov_nm=fov, pixels=128)
    first = scope.acquire_image()
    for _ in range(frames_between):
        scope.acquire_image()
    second = scope.acquire_image()
    dt = second.started_s - first.started_s
    true_dx, true_dy = true_image_shift_nm(scope, first, second)
    true_rate = math.hypot(true_dx, true_dy) / dt
    true_dir = math.degrees(math.atan2(true_dy, true_dx))
    d = estimate_drift(first.data, second.data, first.pixel_size_nm, dt)
    dir_err = (d.direction_deg - true_dir + 180.0) % 360.0 - 180.0
    rate_err = rel(d.rate_nm_per_s, true_rate)
    within = abs(rate_err) <= DRIFT_RATE_TOLERANCE and abs(dir_err) <= DRIFT_DIRECTION_TOLERANCE_DEG
    ok = within or not d.reliable
    return Outcome(
        "estimate_drift", f"gold {fov:g} nm/128 px, {drift_nm_per_s:g} nm/s, seed {seed}, dt {dt:.2g} s",
        first.dose_e_per_A2, true_rate, d.rate_nm_per_s, rate_err, "%", None, None, d.reliable,
        f"rate within {DRIFT_RATE_TOLERANCE:g} %, direction within {DRIFT_DIRECTION_TOLERANCE_DEG:g} deg, or "
        "reliable = false", ok,
        {"direction_error_deg": dir_err},
    )  # fmt: skip
