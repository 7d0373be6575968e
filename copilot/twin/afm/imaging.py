"""One AFM frame: the surface under the scan, seen through the tip, tracked by the feedback loop, with noise.

Pure function of its inputs (surface, settings, tip, line displacements, a random generator); the instrument
facade decides the settings, the clock and the tip's fate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from copilot.twin.afm.feedback import sensor_noise_rms_nm, track
from copilot.twin.afm.force import tapping_indentation_nm
from copilot.twin.afm.grid import ScanGrid
from copilot.twin.afm.state import FREE_AMPLITUDE_NM, FeedbackSettings, ScanSettings, TipState
from copilot.twin.afm.surface_base import SurfaceMaps
from copilot.twin.afm.tip import add_ghost, dilate

#: Channel name -> unit of its arrays.
CHANNEL_UNITS: dict[str, str] = {
    "height": "nm",
    "error": "nm",
    "amplitude": "nm",
    "phase": "deg",
    "piezo_amplitude": "pm",
    "piezo_phase": "deg",
}
PIEZO_CHANNELS = ("piezo_amplitude", "piezo_phase")

HEIGHT_FLICKER_RMS_NM = 0.03  # 1/f noise of the z sensor and the mechanical loop
HEIGHT_WHITE_RMS_NM = 0.01  # thermal noise of the z sensor
AMPLITUDE_NOISE_NM = 0.02
PHASE_NOISE_DEG = 0.1
PHASE_CROSSTALK_DEG_PER_NM = 0.8  # topographic crosstalk of the phase through the error signal
PIEZO_NOISE_PM = 3.0


@dataclass(frozen=True)
class AFMFrame:
    """The channels of one scan (float32, trace and retrace) with the calibration and the settings used.

    ``ground_truth`` holds the true surface on the scan grid (undilated height, domain mask): for tests and
    scorers in process, never for tools.
    """

    channels: dict[str, np.ndarray]
    size_nm: float
    pixels: int
    pixel_size_nm: float
    frame_time_s: float
    settings: dict[str, Any]
    units: dict[str, str]
    events: tuple[str, ...] = ()
    ground_truth: dict[str, np.ndarray] = field(default_factory=dict, repr=False)


def flicker_noise(rng: np.random.Generator, length: int, rms: float, decimation: int = 32) -> np.ndarray:
    """1/f (pink) noise of ``length`` samples with the given rms.

    Synthesised in Fourier space at ``length / decimation`` points and interpolated linearly: the octaves above
    the coarse Nyquist frequency hold little of the 1/f power, and the sensor's white noise dominates there.
    """
    coarse = max(length // decimation, 16)
    spectrum = rng.standard_normal(coarse // 2 + 1) + 1j * rng.standard_normal(coarse // 2 + 1)
    f = np.arange(coarse // 2 + 1, dtype=np.float64)
    f[0] = 1.0
    spectrum[0] = 0.0
    series = np.fft.irfft(spectrum / np.sqrt(f), n=coarse)
    series = np.interp(np.linspace(0.0, coarse - 1.0, length), np.arange(coarse), series)
    return series * (rms / series.std())


@dataclass(frozen=True)
class TipEvent:
    """A double tip forming part-way through the frame: from ``line`` on, the ghost apex images too."""

    line: int
    dx_nm: float
    dy_nm: float
    dz_nm: float


def _convolved(
    maps: SurfaceMaps, grid: ScanGrid, tip: TipState, setpoint_ratio: float, event: TipEvent | None
) -> np.ndarray:
    """The height the tip apex follows: surface less the tapping indentation, dilated by the tip (and ghost)."""
    pressed = maps.height_nm - tapping_indentation_nm(maps.modulus_GPa, setpoint_ratio)
    image = dilate(pressed, grid.pixel_size_nm, tip.radius_nm, tip.half_angle_deg)
    if tip.double_tip:
        image = add_ghost(image, grid.pixel_size_nm, tip.ghost_dx_nm, tip.ghost_dy_nm, tip.ghost_dz_nm)
    elif event is not None:
        ghosted = add_ghost(image, grid.pixel_size_nm, event.dx_nm, event.dy_nm, event.dz_nm)
        image[event.line :] = ghosted[event.line :]
    return image


def render_frame(
    maps: SurfaceMaps,
    grid: ScanGrid,
    scan: ScanSettings,
    feedback: FeedbackSettings,
    tip: TipState,
    channels: tuple[str, ...],
    rng: np.random.Generator,
    event: TipEvent | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, np.ndarray]:
    """Channel arrays ``<name>_trace`` and ``<name>_retrace`` for every requested channel name."""

    def report(fraction: float) -> None:
        if progress is not None:
            progress(fraction)

    surface = _convolved(maps, grid, tip, feedback.setpoint_nm / FREE_AMPLITUDE_NM, event)
    report(0.3)
    pixel_time_ms = 1e3 / (2.0 * scan.rate_hz * scan.pixels)  # trace and retrace share one line period
    n = scan.pixels
    detection = rng.normal(0.0, sensor_noise_rms_nm(pixel_time_ms), (2, n, n))
    trace = track(surface, pixel_time_ms, feedback.p_gain, feedback.i_gain, detection[0])
    retrace = track(surface[:, ::-1], pixel_time_ms, feedback.p_gain, feedback.i_gain, detection[1])
    report(0.7)
    # Time order of the samples: each line is its trace then its retrace (right to left).
    flicker = flicker_noise(rng, 2 * n * n, HEIGHT_FLICKER_RMS_NM).reshape(n, 2, n)
    out: dict[str, np.ndarray] = {}
    for index, (direction, loop) in enumerate((("trace", trace), ("retrace", retrace))):
        height = loop.height_nm if index == 0 else loop.height_nm[:, ::-1]
        error = loop.error_nm if index == 0 else loop.error_nm[:, ::-1]
        noise = flicker[:, index, :] if index == 0 else flicker[:, index, ::-1]
        for name in channels:
            if name == "height":
                data = height + noise + rng.normal(0.0, HEIGHT_WHITE_RMS_NM, height.shape)
            elif name == "error":
                data = error + rng.normal(0.0, AMPLITUDE_NOISE_NM, error.shape)
            elif name == "amplitude":
                data = np.clip(feedback.setpoint_nm - error, 0.0, FREE_AMPLITUDE_NM)
                data = data + rng.normal(0.0, AMPLITUDE_NOISE_NM, error.shape)
            elif name == "phase":
                data = 90.0 + maps.phase_lag_deg + PHASE_CROSSTALK_DEG_PER_NM * error
                data = data + rng.normal(0.0, PHASE_NOISE_DEG, error.shape)
            elif name in PIEZO_CHANNELS and maps.piezo_pm is not None:
                data = _piezo(maps.piezo_pm, name, rng)
            else:
                raise ValueError(f"channel {name!r} cannot be rendered for this surface")
            out[f"{name}_{direction}"] = data.astype(np.float32)
    report(1.0)
    return out


def _piezo(signed_pm: np.ndarray, name: str, rng: np.random.Generator) -> np.ndarray:
    """Piezoresponse from the signed response: in-phase and quadrature noise, then amplitude or phase."""
    x = signed_pm + rng.normal(0.0, PIEZO_NOISE_PM, signed_pm.shape)
    y = rng.normal(0.0, PIEZO_NOISE_PM, signed_pm.shape)
    if name == "piezo_amplitude":
        return np.hypot(x, y)
    return np.mod(np.degrees(np.arctan2(y, x)) + 90.0, 360.0) - 90.0  # up near 0, down near 180 degrees
