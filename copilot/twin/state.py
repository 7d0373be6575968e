"""Instrument state of the STEM twin: frozen dataclasses and the validation every setter goes through.

A setter builds a new state from the old one with :func:`dataclasses.replace` only after every argument passed
validation, so a rejected call changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from numbers import Integral, Real
from typing import Any

from copilot.twin.errors import InvalidSettingError, StageLimitError
from copilot.twin.tables.bright_field import DISCS_MRAD
from copilot.twin.tables.channelling import RINGS_MRAD


@dataclass(frozen=True)
class Limit:
    """Allowed closed range of one setting, with its unit for messages."""

    lo: float
    hi: float
    unit: str


LIMITS: dict[str, Limit] = {
    "energy_kv": Limit(60.0, 300.0, "kV"),
    "current_pa": Limit(0.1, 1000.0, "pA"),
    "defocus_nm": Limit(-20000.0, 20000.0, "nm"),
    "astig_nm": Limit(0.0, 1000.0, "nm"),
    "astig_angle_deg": Limit(-360.0, 360.0, "deg"),
    "coma_nm": Limit(0.0, 10000.0, "nm"),
    "coma_angle_deg": Limit(-360.0, 360.0, "deg"),
    "cs_um": Limit(-5000.0, 5000.0, "um"),
    "convergence_mrad": Limit(1.0, 50.0, "mrad"),
    "fov_nm": Limit(0.5, 20000.0, "nm"),
    "pixels": Limit(16, 4096, "px"),
    "dwell_us": Limit(0.05, 1000.0, "us"),
    "rotation_deg": Limit(-360.0, 360.0, "deg"),
    "flyback_us": Limit(0.0, 10000.0, "us"),
    "drift_nm_per_s": Limit(0.0, 1000.0, "nm/s"),
    "jitter_nm": Limit(0.0, 10.0, "nm"),
    # The HAADF annulus stays within the rings the channelling table covers, the bright-field disc within the
    # discs of the thick-crystal table, the spectrometer aperture within what the EELS model was checked for.
    "haadf_inner_mrad": Limit(RINGS_MRAD[0], RINGS_MRAD[-1], "mrad"),
    "haadf_outer_mrad": Limit(RINGS_MRAD[0], RINGS_MRAD[-1], "mrad"),
    "bf_outer_mrad": Limit(1.0, DISCS_MRAD[-1], "mrad"),
    "eels_collection_mrad": Limit(1.0, 50.0, "mrad"),
}

STAGE_LIMITS: dict[str, Limit] = {
    "x_um": Limit(-10.0, 10.0, "um"),
    "y_um": Limit(-10.0, 10.0, "um"),
    "z_um": Limit(-5.0, 5.0, "um"),
    "alpha_deg": Limit(-30.0, 30.0, "deg"),
    "beta_deg": Limit(-25.0, 25.0, "deg"),
}


def check_real(name: str, value: Any, limits: dict[str, Limit] = LIMITS) -> float:
    """Return ``value`` as a float after checking kind, finiteness and range; raise otherwise."""
    lim = limits[name]
    error = StageLimitError if limits is STAGE_LIMITS else InvalidSettingError
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidSettingError(f"{name} must be a number in {lim.unit}, got {type(value).__name__} {value!r}.")
    v = float(value)
    if not math.isfinite(v):
        raise InvalidSettingError(f"{name} must be finite, got {v}.")
    if not lim.lo <= v <= lim.hi:
        raise error(f"{name}={v:g} {lim.unit} is outside the allowed range {lim.lo:g}..{lim.hi:g} {lim.unit}.")
    return v


def check_int(name: str, value: Any, limits: dict[str, Limit] = LIMITS) -> int:
    """Return ``value`` as an int after checking it is an integer inside its range."""
    lim = limits[name]
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidSettingError(f"{name} must be an integer, got {type(value).__name__} {value!r}.")
    v = int(value)
    if not lim.lo <= v <= lim.hi:
        raise InvalidSettingError(f"{name}={v} is outside the allowed range {lim.lo:g}..{lim.hi:g} {lim.unit}.")
    return v


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool; raise otherwise (no truthiness guessing)."""
    if not isinstance(value, bool):
        raise InvalidSettingError(f"{name} must be true or false, got {type(value).__name__} {value!r}.")
    return value


@dataclass(frozen=True)
class BeamState:
    """Electron beam: accelerating voltage, probe current and blanker."""

    energy_kv: float = 200.0
    current_pa: float = 50.0
    blanked: bool = False


@dataclass(frozen=True)
class OpticsState:
    """Probe-forming optics: residual aberrations (defocus C1, twofold astigmatism A1, coma B2, spherical C3)."""

    defocus_nm: float = 0.0
    astig_nm: float = 0.0
    astig_angle_deg: float = 0.0
    coma_nm: float = 0.0
    coma_angle_deg: float = 0.0
    cs_um: float = 1.0
    convergence_mrad: float = 30.0


@dataclass(frozen=True)
class ScanState:
    """Scan generator: square field of view, pixels per side, dwell per pixel, scan rotation and line flyback."""

    fov_nm: float = 200.0
    pixels: int = 512
    dwell_us: float = 4.0
    rotation_deg: float = 0.0
    flyback_us: float = 50.0

    @property
    def pixel_size_nm(self) -> float:
        return self.fov_nm / self.pixels

    @property
    def frame_time_s(self) -> float:
        """Frame time = nx * ny * dwell + ny * flyback."""
        return (self.pixels * self.pixels * self.dwell_us + self.pixels * self.flyback_us) * 1e-6


@dataclass(frozen=True)
class StageState:
    """Specimen stage: the FOV centre is at (1000 x_um, 1000 y_um) nm of specimen coordinates."""

    x_um: float = 0.0
    y_um: float = 0.0
    z_um: float = 0.0
    alpha_deg: float = 0.0
    beta_deg: float = 0.0


@dataclass(frozen=True)
class DetectorState:
    """Detector properties: HAADF, BF and EELS collection angles, detective quantum efficiency and read noise."""

    haadf_inner_mrad: float = 80.0
    haadf_outer_mrad: float = 250.0
    bf_outer_mrad: float = 10.0
    eels_collection_mrad: float = 20.0
    dqe: float = 0.8
    read_noise_e: float = 1.5


@dataclass(frozen=True)
class InstrumentState:
    """Everything the operator can set, plus the simulated instrument clock."""

    beam: BeamState = field(default_factory=BeamState)
    optics: OpticsState = field(default_factory=OpticsState)
    scan: ScanState = field(default_factory=ScanState)
    stage: StageState = field(default_factory=StageState)
    detectors: DetectorState = field(default_factory=DetectorState)
    clock_s: float = 0.0

    def snapshot(self) -> dict[str, Any]:
        """Every setting as a JSON-friendly nested dict with units in the keys."""
        snap = asdict(self)
        snap["scan"]["pixel_size_nm"] = self.scan.pixel_size_nm
        snap["scan"]["frame_time_s"] = self.scan.frame_time_s
        return snap
