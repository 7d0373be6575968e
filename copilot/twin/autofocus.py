"""Autofocus by a through-focus series of small fast frames, scored by a normalised gradient-energy metric.

Each frame of the series is a real acquisition: it costs dose and instrument time and can damage the specimen.
The series fails (``success=False``, defocus restored) when the signal is too weak, when the metric hardly
changes with focus (vacuum, or structure too faint to see at this dose), or when the best focus lies at the
edge of the searched range.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.ndimage import gaussian_filter

from copilot.twin.dose import dose_e_per_A2, electrons
from copilot.twin.errors import InvalidSettingError
from copilot.twin.results import AutofocusResult, ImageFrame
from copilot.twin.state import LIMITS, InstrumentState, Limit, check_int, check_real

_LIMITS = {"range_nm": Limit(1.0, 5000.0, "nm"), "steps": Limit(3, 41, "steps"), "pixels": Limit(32, 512, "px")}
MIN_MEAN_COUNTS = 0.5
MIN_RELATIVE_CHANGE = 0.15


def sharpness(image: np.ndarray) -> float:
    """Mean squared gradient of the lightly smoothed image over its squared mean (insensitive to dose)."""
    g = gaussian_filter(np.asarray(image, dtype=np.float64), 1.0)
    mean = float(g.mean())
    if mean <= 0:
        return 0.0
    gy, gx = np.gradient(g)
    return float(np.mean(gx**2 + gy**2)) / mean**2


def planned_dose(state: InstrumentState, steps: Any, pixels: Any) -> float:
    """Total dose (e-/A^2) a series of ``steps`` frames of ``pixels`` per side delivers to the field of view."""
    n = check_int("steps", steps, _LIMITS)
    px = check_int("pixels", pixels, _LIMITS)
    scan = state.scan
    return n * dose_e_per_A2(electrons(state.beam.current_pa, scan.dwell_us * 1e-6), (scan.fov_nm / px) ** 2)


def plan_series(start_defocus_nm: float, range_nm: Any, steps: Any, pixels: Any) -> tuple[np.ndarray, int]:
    """Validated defocus settings of the series spanning ``range_nm`` around the current one, and the frame size."""
    span = check_real("range_nm", range_nm, _LIMITS)
    n = check_int("steps", steps, _LIMITS)
    px = check_int("pixels", pixels, _LIMITS)
    defoci = start_defocus_nm + np.linspace(-span / 2, span / 2, n)
    lim = LIMITS["defocus_nm"]
    if defoci[0] < lim.lo or defoci[-1] > lim.hi:
        raise InvalidSettingError(f"The series {defoci[0]:g}..{defoci[-1]:g} nm leaves the defocus range.")
    return defoci, px


def run_series(start_defocus_nm: float, defoci: np.ndarray, acquire: Callable[[float], ImageFrame]) -> AutofocusResult:
    """Acquire one HAADF frame per defocus with ``acquire(defocus_nm)``; pick the sharpest (the result's
    ``defocus_nm`` is the start value when the series failed). The caller sets the chosen defocus."""
    n = len(defoci)
    metrics, means, dose, time_s = [], [], 0.0, 0.0
    for d in defoci:
        frame = acquire(float(d))
        metrics.append(sharpness(frame.data))
        means.append(float(frame.data.mean()))
        dose += frame.dose_e_per_A2
        time_s += frame.frame_time_s
    metric = np.array(metrics)
    best = int(np.argmax(metric))
    by_defocus = {round(float(d), 3): float(v) for d, v in zip(defoci, metric, strict=True)}
    change = (metric.max() - metric.min()) / max(float(np.median(metric)), 1e-30)
    if float(np.mean(means)) < MIN_MEAN_COUNTS:
        ok, msg = False, "Too little signal: raise the current or dwell, or move onto the specimen."
    elif change < MIN_RELATIVE_CHANGE:
        ok, msg = (
            False,
            "Sharpness hardly changes with focus (vacuum or too faint at this dose); move or raise the dose.",
        )
    elif best in (0, n - 1):
        ok, msg = False, "The sharpest frame is at the edge of the series; widen range_nm and retry."
    else:
        ok, msg = True, ""
    if ok:
        y0, y1, y2 = np.log(np.maximum(metric[best - 1 : best + 2], 1e-300))
        denom = y0 - 2 * y1 + y2
        step = defoci[1] - defoci[0]
        offset = 0.5 * (y0 - y2) / denom * step if denom < 0 else 0.0
        final = float(defoci[best] + np.clip(offset, -step, step))
        msg = f"Focused at defocus {final:.1f} nm."
    else:
        final = start_defocus_nm
    return AutofocusResult(ok, final, by_defocus, dose, time_s, msg)
