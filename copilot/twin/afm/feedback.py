"""The tapping-mode PI feedback loop as a linear system, run along every scan line at once.

Continuous model (time in ms, heights in nm), input ``h``: the tip-convolved surface height under the tip.

- sensor: the oscillation amplitude follows the true height error with the cantilever response time ``tau_s``:
  ``m' = ((h - z) - m) / tau_s`` (``m`` is the error signal, in nm of height),
- controller: ``c = P m + I q`` with ``q' = m`` (the integral of the error),
- z piezo: follows the command with its own lag ``tau_p``: ``z' = (c - z) / tau_p``.

The recorded height is the command ``c``; the error channel is ``m``. The system is discretised exactly (zero-order
hold) at the pixel period and applied to all lines with one ``scipy.signal.lfilter`` call per output: no Python loop
over pixels. Low gains lag behind edges (blur, trace and retrace shifted apart); high gains ring; beyond the stability
limit the loop oscillates, which the instrument treats as a crash.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import signal

CANTILEVER_TAU_MS = 0.05
PIEZO_TAU_MS = 0.05
#: Below this damping ratio of the least damped closed-loop pole the loop oscillates on its own: unsafe.
MIN_SAFE_DAMPING = 0.05


def _state_space(p_gain: float, i_gain_per_ms: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Matrices (A, B, C, D) with state (m, q, z), input h and outputs (c, m)."""
    ts, tp = CANTILEVER_TAU_MS, PIEZO_TAU_MS
    a = np.array(
        [
            [-1.0 / ts, 0.0, -1.0 / ts],
            [1.0, 0.0, 0.0],
            [p_gain / tp, i_gain_per_ms / tp, -1.0 / tp],
        ]
    )
    b = np.array([[1.0 / ts], [0.0], [0.0]])
    c = np.array([[p_gain, i_gain_per_ms, 0.0], [1.0, 0.0, 0.0]])
    d = np.zeros((2, 1))
    return a, b, c, d


def damping_ratio(p_gain: float, i_gain_per_ms: float) -> float:
    """Damping ratio of the least damped closed-loop pole (negative when the loop is unstable)."""
    poles = np.linalg.eigvals(_state_space(p_gain, i_gain_per_ms)[0])
    return float(np.min(-poles.real / np.abs(poles)))


def is_safe(p_gain: float, i_gain_per_ms: float) -> bool:
    """Whether the loop is damped enough not to oscillate by itself."""
    return damping_ratio(p_gain, i_gain_per_ms) >= MIN_SAFE_DAMPING


@dataclass(frozen=True)
class LoopResponse:
    """Recorded height (nm) and error signal (nm) of every line, same shape as the input."""

    height_nm: np.ndarray
    error_nm: np.ndarray


@functools.lru_cache(maxsize=64)
def _filters(
    p_gain: float, i_gain_per_ms: float, pixel_time_ms: float
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]:
    """(numerator, denominator, settled initial state per unit input) of the height and error filters."""
    a, b, c, d = _state_space(p_gain, i_gain_per_ms)
    ad, bd, _, _, _ = signal.cont2discrete((a, b, c, d), pixel_time_ms, method="zoh")
    # Each pixel reads the loop at the end of its dwell, after the input h[n] has been held for one period.
    c_end, d_end = c @ ad, c @ bd
    out = []
    for row in range(2):
        num, den = signal.ss2tf(ad, bd, c_end[row : row + 1], d_end[row : row + 1])
        num = np.atleast_1d(np.squeeze(num))
        out.append((num, den, signal.lfilter_zi(num, den)))
    return tuple(out)


def track(surface_nm: np.ndarray, pixel_time_ms: float, p_gain: float, i_gain_per_ms: float) -> LoopResponse:
    """Run the loop along axis 1 (left to right) of ``surface_nm``, starting settled on each line's first pixel.

    For the retrace, pass the lines reversed (``surface[:, ::-1]``) and reverse the result back.
    """
    first = surface_nm[:, :1]
    outputs = []
    for num, den, zi_unit in _filters(p_gain, i_gain_per_ms, pixel_time_ms):
        y, _ = signal.lfilter(num, den, surface_nm, axis=1, zi=zi_unit[None, :] * first)
        outputs.append(y)
    return LoopResponse(height_nm=outputs[0], error_nm=outputs[1])
