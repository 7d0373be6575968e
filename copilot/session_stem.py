"""The STEM operations of a :class:`copilot.session.Session`: settings, images, spectra, spectrum images,
autofocus and the dose map.

Each one runs under the session lock through :meth:`Session.call`. Acquisitions go through the dose rule and the
dose ledger (:class:`copilot.session_dose.DoseAccounting`). Given a ``stop`` event, a long acquisition (a large
frame, a spectrum image, an autofocus series) runs in a child process and ends within tens of milliseconds of
``stop`` being set, with nothing acquired (:mod:`copilot.session_worker`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from copilot.dose_policy import map_dose_e_per_A2
from copilot.session_worker import Progress, run_stoppable
from copilot.store import Acquisition
from copilot.store.records import image_statistics, result_fields

if TYPE_CHECKING:
    from copilot.twin import Microscope
    from copilot.twin.results import AutofocusResult, DoseMap

T = TypeVar("T")
FORK_FROM_FRAME_PIXELS = 2048**2
"""Frames from this size (about 0.25 s of computing) run in a child process when they can be cancelled; a smaller
frame ends before a cancellation would save anything, and forking costs about 50 ms at 1024 x 1024."""
FORK_FROM_MAP_SPECTRA = 16
"""Spectrum images from this many spectra (about 2 ms each) run in a child process when they can be cancelled."""


def _reported(progress: Progress | None, work: Callable[[], T]) -> T:
    """Run ``work``, reporting its start and end (for twin acquisitions that report no progress themselves)."""
    if progress is not None:
        progress(0.0)
    result = work()
    if progress is not None:
        progress(1.0)
    return result


class STEMOperations:
    """Settings and acquisitions of the STEM (mixed into :class:`copilot.session.Session`)."""

    if TYPE_CHECKING:
        instrument_kind: str
        specimen: str
        seed: int

        def call(
            self, tool: str, args: dict[str, Any], fn: Callable[[], T], stop: threading.Event | None = None
        ) -> T: ...
        def require_stem(self) -> Microscope: ...
        def store_acquisition(
            self, kind: Any, metadata: dict[str, Any], arrays: dict[str, np.ndarray]
        ) -> Acquisition: ...
        def _exposing(self, operation: str, args: dict[str, Any], approved: bool, fn: Callable[[], T]) -> T: ...

    def _setter(self, tool: str, method: str, **kwargs: Any) -> dict[str, Any]:
        args = {k: v for k, v in kwargs.items() if v is not None}
        return self.call(tool, args, lambda: getattr(self.require_stem(), method)(**args))

    def set_beam(self, **kwargs: Any) -> dict[str, Any]:
        """Beam energy (kV), current (pA), blanking; arguments left None are unchanged."""
        return self._setter("set_beam", "set_beam", **kwargs)

    def set_optics(self, **kwargs: Any) -> dict[str, Any]:
        """Defocus, astigmatism, coma, Cs and convergence; arguments left None are unchanged."""
        return self._setter("set_optics", "set_optics", **kwargs)

    def set_scan(self, **kwargs: Any) -> dict[str, Any]:
        """Field of view (nm), pixels, dwell (us) and rotation (deg); arguments left None are unchanged."""
        return self._setter("set_scan", "set_scan", **kwargs)

    def move_stage(self, relative: bool = False, **kwargs: Any) -> dict[str, Any]:
        """Move the stage (um, deg), absolute or relative; axes left None are unchanged."""
        return self._setter("move_stage", "move_stage", relative=relative, **kwargs)

    def _stoppable(
        self, long: bool, work: Callable[[Progress | None], T], stop: threading.Event | None, progress: Progress | None
    ) -> T:
        """Run a twin acquisition: in a child process when it is ``long`` and ``stop`` can end it."""
        return run_stoppable(self.require_stem(), work, stop if long else None, progress)

    def acquire_image(
        self,
        detector: str = "HAADF",
        *,
        approved: bool = False,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Acquisition:
        """Scan one frame with the current settings, store it and return it (id, metadata, ``image`` array)."""

        def run() -> Acquisition:
            inst = self.require_stem()
            long = inst.state.scan.pixels**2 >= FORK_FROM_FRAME_PIXELS
            frame = self._stoppable(long, lambda p: inst.acquire_image(detector=detector, progress=p), stop, progress)
            meta = {**result_fields(frame, skip=("data",)), "statistics": image_statistics(frame.data)}
            return self.store_acquisition("image", meta, {"image": np.asarray(frame.data, dtype=np.float32)})

        return self.call(
            "acquire_image", {"detector": detector}, lambda: self._exposing("acquire_image", {}, approved, run), stop
        )

    def acquire_spectrum(
        self,
        kind: str,
        x_nm: float,
        y_nm: float,
        dwell_ms: float,
        *,
        approved: bool = False,
        stop: threading.Event | None = None,
    ) -> Acquisition:
        """Acquire an EELS or EDS spectrum at a point of the current FOV; stored with its energy axis."""
        args = {"kind": kind, "x_nm": x_nm, "y_nm": y_nm, "dwell_ms": dwell_ms}

        def run() -> Acquisition:
            spec = self.require_stem().acquire_spectrum(kind=kind, x_nm=x_nm, y_nm=y_nm, dwell_ms=dwell_ms)
            meta = {**result_fields(spec), "spectrum_kind": spec.kind, "channels": int(np.asarray(spec.counts).size)}
            arrays = {"energy_eV": np.asarray(spec.energy_eV), "counts": np.asarray(spec.counts)}
            return self.store_acquisition("spectrum", meta, arrays)

        return self.call(
            "acquire_spectrum", args, lambda: self._exposing("acquire_spectrum", args, approved, run), stop
        )

    def acquire_spectrum_image(
        self,
        kind: str,
        x_nm: float,
        y_nm: float,
        width_nm: float,
        height_nm: float,
        pixels: int,
        dwell_ms: float,
        *,
        approved: bool = False,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Acquisition:
        """Acquire a spectrum image over a region of the current FOV (``pixels`` along its width)."""
        region = {"x_nm": x_nm, "y_nm": y_nm, "width_nm": width_nm, "height_nm": height_nm}
        args = {"kind": kind, **region, "pixels": pixels, "dwell_ms": dwell_ms}

        def run() -> Acquisition:
            inst = self.require_stem()
            step_nm = width_nm / pixels
            long = pixels * max(1, round(height_nm / step_nm)) >= FORK_FROM_MAP_SPECTRA

            def work(report: Progress | None) -> Any:
                return _reported(
                    report, lambda: inst.acquire_spectrum_image(kind, pixels=pixels, dwell_ms=dwell_ms, **region)
                )

            si = self._stoppable(long, work, stop, progress)
            counts = np.asarray(si.counts)
            meta = {**result_fields(si), "spectrum_kind": si.kind, "shape": list(counts.shape)}
            meta["pixel_size_nm"] = step_nm
            meta.setdefault(
                "dose_e_per_A2", map_dose_e_per_A2(float(inst.snapshot()["beam"]["current_pa"]), dwell_ms, step_nm)
            )
            return self.store_acquisition(
                "spectrum_image", meta, {"energy_eV": np.asarray(si.energy_eV), "counts": counts}
            )

        return self.call(
            "acquire_spectrum_image",
            args,
            lambda: self._exposing("acquire_spectrum_image", args, approved, run),
            stop,
        )

    def autofocus(
        self,
        range_nm: float = 100.0,
        steps: int = 11,
        *,
        approved: bool = False,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> AutofocusResult:
        """Run the twin's through-focus autofocus; its dose counts against the budget."""

        args = {"range_nm": range_nm, "steps": steps}

        def run() -> AutofocusResult:
            inst = self.require_stem()

            def series(report: Progress | None) -> AutofocusResult:
                return _reported(report, lambda: inst.autofocus(range_nm=range_nm, steps=steps))

            return self._stoppable(True, series, stop, progress)

        return self.call("autofocus", args, lambda: self._exposing("autofocus", args, approved, run), stop)

    def dose_map(self) -> DoseMap:
        """The accumulated dose map of the specimen (read-only)."""
        return self.call("get_dose_map", {}, lambda: self.require_stem().dose_map())
