"""The tapping-mode PI feedback loop as a linear system, run along every scan line at once.

Continuous model (time in ms, heights in nm), inputs ``h`` (the tip-convolved surface height under the tip) and
``n`` (the noise of the amplitude detection, referred to height):

- sensor: the oscillation amplitude follows the height error with the cantilever's amplitude response time
  ``tau_s = 2 Q / w0`` (Q ~ 300 at ~320 kHz in air: 0.3 ms): ``m' = ((h - z + n) - m) / tau_s``;
- controller: ``c = P m + I q`` with ``q' = m`` (the integral of the error);
- z scanner: its first axial mode (2 kHz, damped to Q_p = 1 as by a scanner's damping stage) driven by the
  command: ``z'' = w_p^2 (c - z) - (w_p / Q_p) z'``.

The recorded height is the command ``c``; the error channel is ``m``. With these time constants the loop's
bandwidth is of the order of the pixel rate at ordinary scan speeds (0.1-2 ms per pixel), so the gains matter:
too low and the height lags behind every edge (trace and retrace shifted apart); higher gains follow faster but
pass more detection noise into the height and, towards the stability limit, ring at the loop's resonance; past
it the loop oscillates, which the instrument treats as a crash. Between the two there is a best setting.

The system is discretised exactly (zero-order hold) at the pixel period and applied to all lines with
``scipy.signal.lfilter`` (one call per input and output): no Python loop over pixels.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

CANTILEVER_TAU_MS = 0.3
PIEZO_RESONANCE_KHZ = 2.0
PIEZO_Q = 1.0
SENSOR_NOISE_NM_SQRT_MS = 0.06
"""Amplitude-detection noise referred to height: white, 0.06 nm rms in a 1 ms average."""
#: Below this damping ratio of the least damped closed-loop pole the loop oscillates on its own: unsafe.
MIN_SAFE_DAMPING = 0.05


def _state_space(p_gain: float, i_gain_per_ms: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Matrices (A, B, C, D) with state (m, q, z, z'), inputs (h, n) and outputs (c, m)."""
    ts = CANTILEVER_TAU_MS
    wp = 2.0 * math.pi * PIEZO_RESONANCE_KHZ
    a = np.array(
        [
            [-1.0 / ts, 0.0, -1.0 / ts, 0.0],
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
            [wp * wp * p_gain, wp * wp * i_gain_per_ms, -wp * wp, -wp / PIEZO_Q],
        ]
    )
    b = np.array([[1.0 / ts, 1.0 / ts], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    c = np.array([[p_gain, i_gain_per_ms, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
    return a, b, c, np.zeros((2, 2))


def damping_ratio(p_gain: float, i_gain_per_ms: float) -> float:
    """Damping ratio of the least damped closed-loop pole (negative when the loop is unstable)."""
    poles = np.linalg.eigvals(_state_space(p_gain, i_gain_per_ms)[0])
    return float(np.min(-poles.real / np.abs(poles)))


def is_safe(p_gain: float, i_gain_per_ms: float) -> bool:
    """Whether the loop is damped enough not to oscillate by itself."""
    return damping_ratio(p_gain, i_gain_per_ms) >= MIN_SAFE_DAMPING


def sensor_noise_rms_nm(pixel_time_ms: float) -> float:
    """Rms of the detection noise averaged over one pixel."""
    return SENSOR_NOISE_NM_SQRT_MS / math.sqrt(pixel_time_ms)


@dataclass(frozen=True)
class LoopResponse:
    """Recorded height (nm) and error signal (nm) of every line, same shape as the input."""

    height_nm: np.ndarray
    error_nm: np.ndarray


Filter = tuple[np.ndarray, np.ndarray, np.ndarray]


@functools.lru_cache(maxsize=64)
def _filters(p_gain: float, i_gain_per_ms: float, pixel_time_ms: float) -> tuple[tuple[Filter, Filter], ...]:
    """Per output (height, error), the (numerator, denominator, settled state per unit input) of the filters
    from the surface and from the detection noise."""
    a, b, c, d = _state_space(p_gain, i_gain_per_ms)
    ad, bd, _, _, _ = signal.cont2discrete((a, b, c, d), pixel_time_ms, method="zoh")
    # Each pixel reads the loop at the end of its dwell, after the inputs of pixel n have been held for one period.
    c_end, d_end = c @ ad, c @ bd
    out = []
    for row in range(2):
        pair = []
        for col in range(2):
            num, den = signal.ss2tf(ad, bd[:, col : col + 1], c_end[row : row + 1], d_end[row : row + 1, col : col + 1])
            num = np.atleast_1d(np.squeeze(num))
            pair.append((num, den, signal.lfilter_zi(num, den)))
        out.append((pair[0], pair[1]))
    return tuple(out)


def track(
    surface_nm: np.ndarray,
    pixel_time_ms: float,
    p_gain: float,
    i_gain_per_ms: float,
    noise_nm: np.ndarray | None = None,
) -> LoopResponse:
    """Run the loop along axis 1 (left to right) of ``surface_nm``, starting settled on each line's first pixel.

    ``noise_nm`` (same shape) is the detection noise of every pixel (None: noise-free). For the retrace, pass
    the lines reversed (``surface[:, ::-1]``) and reverse the result back.
    """
    first = surface_nm[:, :1]
    outputs = []
    for (num, den, zi_unit), (n_num, n_den, _) in _filters(p_gain, i_gain_per_ms, pixel_time_ms):
        y, _ = signal.lfilter(num, den, surface_nm, axis=1, zi=zi_unit[None, :] * first)
        if noise_nm is not None:
            y += signal.lfilter(n_num, n_den, noise_nm, axis=1)
        outputs.append(y)
    return LoopResponse(height_nm=outputs[0], error_nm=outputs[1])
