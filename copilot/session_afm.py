"""The AFM operations of a :class:`copilot.session.Session`: probe, feedback, raster, images and force curves.

Each one runs under the session lock through :meth:`Session.call` and refuses (``SpecimenError``) while a STEM
specimen is loaded. Results carry the tip state read under the same lock, so a concurrent call can never show a
tip that does not belong to the result. Given a ``stop`` event, a large frame runs in a child process and ends
promptly when ``stop`` is set, with nothing scanned (:mod:`copilot.session_worker`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from copilot.session_worker import Progress, run_stoppable
from copilot.store import Acquisition
from copilot.store.records import result_fields

if TYPE_CHECKING:
    from copilot.session import Session
    from copilot.twin.afm.force import ForceCurve

FORK_FROM_AFM_PIXELS = 256**2
"""AFM frames from this size (about 0.1 s of computing) run in a child process when they can be cancelled."""


def _given(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}


class AFMOperations:
    """``session.afm``: the AFM operations of one :class:`copilot.session.Session`."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def approach(self) -> dict[str, Any]:
        """Engage the tip; returns ``engaged``, ``clock_s`` and ``tip_damaged`` (a crash raises)."""
        return self._session.call("approach", {}, lambda: self._session.require_afm().approach())

    def withdraw(self) -> dict[str, Any]:
        """Lift the tip; returns ``engaged``, ``clock_s`` and ``tip_damaged``."""

        def run() -> dict[str, Any]:
            afm = self._session.require_afm()
            return {**afm.withdraw(), "tip_damaged": afm.state.tip.damaged}

        return self._session.call("withdraw", {}, run)

    def set_feedback(
        self, setpoint_nm: float | None = None, p_gain: float | None = None, i_gain_per_ms: float | None = None
    ) -> dict[str, Any]:
        """Set the feedback (left None: unchanged); the reply holds the settings and any ``warning``."""
        args = _given(setpoint_nm=setpoint_nm, p_gain=p_gain, i_gain_per_ms=i_gain_per_ms)
        return self._session.call(
            "set_feedback",
            args,
            lambda: self._session.require_afm().set_feedback(setpoint=setpoint_nm, p_gain=p_gain, i_gain=i_gain_per_ms),
        )

    def set_afm_scan(self, **kwargs: Any) -> dict[str, Any]:
        """Set the raster (size_nm, pixels, rate_hz, angle_deg, x_um, y_um; left None: unchanged)."""
        args = _given(**kwargs)
        return self._session.call("set_afm_scan", args, lambda: self._session.require_afm().set_afm_scan(**args))

    def acquire_force_curve(self, x_nm: float, y_nm: float) -> ForceCurve:
        """A force-distance curve at a point of the current scan."""
        return self._session.call(
            "acquire_force_curve",
            {"x_nm": x_nm, "y_nm": y_nm},
            lambda: self._session.require_afm().acquire_force_curve(x_nm, y_nm),
        )

    def change_tip(self) -> dict[str, Any]:
        """Mount a fresh tip (withdrawn only); returns the new tip state with the crash history."""

        def run() -> dict[str, Any]:
            afm = self._session.require_afm()
            afm.change_tip()
            return afm.tip_state()

        return self._session.call("change_tip", {}, run)

    def tip_state(self) -> dict[str, Any]:
        """The tip with the crash history (read under the lock)."""
        with self._session.lock:
            return self._session.require_afm().tip_state()

    def acquire_afm_image(
        self,
        channels: list[str] | None = None,
        *,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Acquisition:
        """Scan an AFM frame and store every channel as a dataset; ``tip_after`` holds the tip after the scan."""
        names = ("height",) if channels is None else channels

        def run() -> Acquisition:
            afm = self._session.require_afm()
            long = afm.state.scan.pixels**2 >= FORK_FROM_AFM_PIXELS
            frame = run_stoppable(
                afm, lambda p: afm.acquire_afm_image(names, progress=p), stop if long else None, progress
            )
            arrays = {name: np.asarray(a, dtype=np.float32) for name, a in frame.channels.items()}
            meta = {**result_fields(frame, skip=("channels",)), "channels": sorted(arrays)}
            meta["tip_after"] = afm.state.tip.as_dict()
            return self._session.store_acquisition("afm_image", meta, arrays)

        return self._session.call("acquire_afm_image", {"channels": channels}, run, stop)
