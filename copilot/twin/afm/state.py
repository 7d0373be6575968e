"""Settings of the AFM as frozen records, their limits and validation.

A setter builds a new record through ``replace_checked``: it validates every changed field first and only then
returns the new record, so a rejected call leaves the old record in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from copilot.twin.errors import InvalidSettingError

#: Free oscillation amplitude of the cantilever in tapping mode; the setpoint is a fraction of it.
FREE_AMPLITUDE_NM = 20.0
#: Setpoints below this fraction of the free amplitude press the tip into the surface: a crash when engaged.
UNSAFE_SETPOINT_RATIO = 0.15


@dataclass(frozen=True)
class FeedbackSettings:
    """Tapping-mode PI feedback: amplitude setpoint (nm), proportional gain, integral gain (per ms)."""

    setpoint_nm: float = 14.0
    p_gain: float = 0.5
    i_gain: float = 3.0  # 1/ms

    def as_dict(self) -> dict[str, float]:
        return {
            "setpoint_nm": self.setpoint_nm,
            "setpoint_ratio": round(self.setpoint_nm / FREE_AMPLITUDE_NM, 4),
            "free_amplitude_nm": FREE_AMPLITUDE_NM,
            "p_gain": self.p_gain,
            "i_gain_per_ms": self.i_gain,
        }


@dataclass(frozen=True)
class ScanSettings:
    """Raster: square field of ``size_nm``, ``pixels`` per side, ``rate_hz`` lines (trace + retrace) per second,
    scan rotation ``angle_deg`` and the scan centre offset ``x_um``, ``y_um`` on the specimen."""

    size_nm: float = 1000.0
    pixels: int = 256
    rate_hz: float = 1.0
    angle_deg: float = 0.0
    x_um: float = 0.0
    y_um: float = 0.0

    @property
    def pixel_size_nm(self) -> float:
        return self.size_nm / self.pixels

    @property
    def frame_time_s(self) -> float:
        return self.pixels / self.rate_hz

    def as_dict(self) -> dict[str, float | int]:
        return {
            "size_nm": self.size_nm,
            "pixels": self.pixels,
            "pixel_size_nm": self.pixel_size_nm,
            "rate_hz": self.rate_hz,
            "tip_speed_um_per_s": 2.0 * self.size_nm * 1e-3 * self.rate_hz,
            "angle_deg": self.angle_deg,
            "x_um": self.x_um,
            "y_um": self.y_um,
            "frame_time_s": self.frame_time_s,
        }


@dataclass(frozen=True)
class TipState:
    """The probe: apex radius, cone half-angle, wear and damage. A double tip has a second apex that leaves ghosts."""

    radius_nm: float = 8.0
    half_angle_deg: float = 18.0
    double_tip: bool = False
    ghost_dx_nm: float = 0.0
    ghost_dy_nm: float = 0.0
    ghost_dz_nm: float = 0.0
    damaged: bool = False
    scanned_distance_um: float = 0.0
    crashes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "radius_nm": round(self.radius_nm, 3),
            "half_angle_deg": self.half_angle_deg,
            "double_tip": self.double_tip,
            "damaged": self.damaged,
            "scanned_distance_um": round(self.scanned_distance_um, 3),
            "crashes": self.crashes,
        }


@dataclass(frozen=True)
class AFMState:
    """Everything the operator can see about the instrument at one instant of its clock."""

    feedback: FeedbackSettings
    scan: ScanSettings
    tip: TipState
    engaged: bool = False
    clock_s: float = 0.0


#: Allowed range of every numeric setting: (low, high, unit). Bounds are inclusive.
LIMITS: dict[str, tuple[float, float, str]] = {
    "setpoint_nm": (1.0, 19.0, "nm"),
    "p_gain": (0.0, 10.0, ""),
    "i_gain": (0.01, 200.0, "1/ms"),
    "size_nm": (10.0, 5000.0, "nm"),
    "pixels": (32, 1024, "px"),
    "rate_hz": (0.1, 20.0, "Hz"),
    "angle_deg": (-180.0, 180.0, "deg"),
    "x_um": (-2.5, 2.5, "um"),
    "y_um": (-2.5, 2.5, "um"),
}

R = TypeVar("R", FeedbackSettings, ScanSettings)


def check_value(name: str, value: float | int) -> float | int:
    """Return ``value`` if it is a finite number inside ``LIMITS[name]``, else raise ``InvalidSettingError``."""
    low, high, unit = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSettingError(f"{name} must be a number, got {value!r}.")
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidSettingError(f"{name}={value!r} is outside the allowed range {low:g}..{high:g} {unit}.".strip())
    if name == "pixels":
        if int(value) != value:
            raise InvalidSettingError(f"pixels must be a whole number, got {value!r}.")
        return int(value)
    return float(value)


def replace_checked(record: R, **changes: float | int | None) -> R:
    """A copy of ``record`` with the non-None ``changes`` applied after validating all of them."""
    names = {f.name for f in fields(record)}
    accepted: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            continue
        if name not in names:
            raise InvalidSettingError(f"unknown setting {name!r}; known: {sorted(names)}.")
        accepted[name] = check_value(name, value)
    return replace(record, **accepted)
