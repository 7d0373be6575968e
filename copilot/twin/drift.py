"""Specimen drift: a seeded random walk of the drift direction at a settable speed (nm/s).

The drift direction changes every second by a random angle; the speed is piecewise constant in time (a fault can
raise it). ``offset_nm(t)`` is the specimen displacement since t = 0 and depends only on the seed and the speed
history, never on how often it is queried.
"""

from __future__ import annotations

import math

import numpy as np

_TURN_RAD_PER_STEP = 0.35


class Drift:
    """Deterministic drift path; directions are drawn lazily, one per second of instrument time."""

    def __init__(self, rng: np.random.Generator, speed_nm_per_s: float) -> None:
        self._rng = rng
        self._angles = np.array([rng.uniform(0.0, 2 * math.pi)])
        # Speed history: segment k starts at _t[k] with offset _offset[k] and runs at _speed[k].
        self._t = [0.0]
        self._offset = [np.zeros(2)]
        self._speed = [float(speed_nm_per_s)]

    @property
    def speed_nm_per_s(self) -> float:
        return self._speed[-1]

    def _ensure(self, t_s: float) -> None:
        need = math.floor(t_s) + 2
        if need > len(self._angles):
            steps = self._rng.normal(0.0, _TURN_RAD_PER_STEP, need - len(self._angles))
            self._angles = np.concatenate([self._angles, self._angles[-1] + np.cumsum(steps)])

    def _unit_path(self, t: np.ndarray) -> np.ndarray:
        """Integral of the unit direction from 0 to t (N, 2)."""
        self._ensure(float(np.max(t)))
        dirs = np.column_stack([np.cos(self._angles), np.sin(self._angles)])
        cum = np.vstack([np.zeros(2), np.cumsum(dirs, axis=0)])
        k = np.floor(t).astype(np.int64)
        return cum[k] + (t - k)[:, None] * dirs[k]

    def offset_nm(self, t_s: np.ndarray | float) -> np.ndarray:
        """Specimen displacement (N, 2) nm at instrument times ``t_s``."""
        t = np.atleast_1d(np.asarray(t_s, dtype=np.float64))
        seg = np.searchsorted(np.array(self._t), t, side="right") - 1
        out = np.empty((len(t), 2))
        for k in np.unique(seg):
            sel = seg == k
            start = self._unit_path(np.array([self._t[k]]))[0]
            out[sel] = self._offset[k] + self._speed[k] * (self._unit_path(t[sel]) - start)
        return out

    def set_speed(self, t_s: float, speed_nm_per_s: float) -> None:
        """From time ``t_s`` (not before the last change) on, drift at ``speed_nm_per_s``; past motion is kept."""
        offset = self.offset_nm(t_s)[0]
        if t_s <= self._t[-1]:  # instrument time never runs backwards: replace the segment starting now
            self._offset[-1], self._speed[-1] = offset, float(speed_nm_per_s)
        else:
            self._t.append(float(t_s))
            self._offset.append(offset)
            self._speed.append(float(speed_nm_per_s))
