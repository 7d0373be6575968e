"""The dose side of a :class:`copilot.session.Session`: readouts, the dose rule before an acquisition, the work
limits, and the ledger lines around every exposure.

Dose policy: an acquisition that would lift the peak areal dose past ``dose_budget_e_per_A2``, or the area it
exposes on a beam-sensitive specimen past its critical dose, raises :class:`DoseBudgetError` unless it is called
with ``approved=True``. Only the person may approve: the MCP server asks them through the client
(:mod:`copilot.tools.approval`); no tool argument carries an approval. :meth:`DoseAccounting.dose_refusal` tells,
without acquiring, whether an acquisition would be refused and why.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from copilot.dose_policy import (
    DoseBudgetError,
    DoseState,
    Footprint,
    Scaling,
    dose_refusal,
    electrons_of,
    map_dose_e_per_A2,
    peak_dose,
)
from copilot.session_state import exposure_record
from copilot.twin.dose import Exposure
from copilot.twin.state import LIMITS
from copilot.work_limits import work_refusal

if TYPE_CHECKING:
    from copilot.store.ledger import LedgerFile
    from copilot.twin import Microscope
    from copilot.twin.afm import AFM

T = TypeVar("T")
MIN_AUTOFOCUS_STEPS = 3  # the tool's own lower bound
MIN_DWELL_MS = 0.01  # the twin's shortest spectrum dwell
AUTOFOCUS_PIXELS = 128  # the frame size of the autofocus series


class DoseAccounting:
    """Dose readouts and the dose rule of a session (mixed into :class:`copilot.session.Session`)."""

    if TYPE_CHECKING:
        lock: threading.RLock
        ledger: LedgerFile
        instrument: Microscope | AFM
        instrument_kind: str
        specimen: str
        dose_budget_e_per_A2: float
        _peak: tuple[int, float, tuple[float, float]]

        def require_stem(self) -> Microscope: ...

    def dose_ledger(self) -> dict[str, Any]:
        """The dose readouts, one meaning each: ``used_e_per_A2`` is the peak areal dose anywhere on the specimen
        (exact; what the budget limits, never a sum over different areas) and ``peak_x_nm``/``peak_y_nm`` where it
        is (specimen coordinates); ``remaining_e_per_A2`` the budget left above that peak; ``total_electrons``
        every electron delivered; and the critical dose of the loaded specimen (None: robust, or the AFM)."""
        with self.lock:
            peak, (x_nm, y_nm) = self.peak_dose()
            return {
                "budget_e_per_A2": self.dose_budget_e_per_A2,
                "used_e_per_A2": peak,
                "remaining_e_per_A2": max(0.0, self.dose_budget_e_per_A2 - peak),
                "peak_x_nm": x_nm,
                "peak_y_nm": y_nm,
                "total_electrons": electrons_of(self._footprints()),
                "critical_dose_e_per_A2": self.critical_dose_e_per_A2(),
            }

    @property
    def dose_used_e_per_A2(self) -> float:
        """The peak areal dose anywhere on the specimen (e-/A^2, exact): what the session budget limits. Read
        without the lock (kept up to date by every exposure), so the event loop never waits for an acquisition."""
        return self._peak[1]

    def _footprints(self) -> list[Footprint]:
        if self.instrument_kind != "STEM":
            return []
        return [
            (e.center_nm[0], e.center_nm[1], e.half_w_nm, e.half_h_nm, e.rotation_deg, e.dose_e_per_A2)
            for e in self.require_stem().ledger.exposures
        ]

    def peak_dose(self, region: Footprint | None = None) -> tuple[float, tuple[float, float]]:
        """The exact peak areal dose (e-/A^2) and where it is (specimen nm), anywhere or inside ``region``."""
        if region is None:
            return self._peak[1], self._peak[2]
        with self.lock:
            return peak_dose(self._footprints(), region)

    def _refresh_peak(self) -> None:
        """Recompute the peak anywhere after the exposures changed (under the lock)."""
        count = len(self.require_stem().ledger.exposures) if self.instrument_kind == "STEM" else 0
        if count != self._peak[0]:
            self._peak = (count, *peak_dose(self._footprints()))

    def critical_dose_e_per_A2(self) -> float | None:
        """Critical dose of the loaded specimen at the beam energy set, or None when the beam cannot damage it (or
        on the AFM)."""
        if self.instrument_kind != "STEM":
            return None
        value = self.require_stem().critical_dose_e_per_A2()
        return float(value) if math.isfinite(value) else None

    def dose_refusal(self, operation: str, args: dict[str, Any]) -> DoseBudgetError | None:
        """The refusal the dose rule gives ``operation(**args)`` now (see :func:`copilot.dose_policy.dose_refusal`),
        or None when it may run. Changes nothing; the acquisition checks again when it runs."""
        with self.lock:
            planned, prior, scales_with = self._plan(operation, args)
            state = DoseState(
                self.dose_used_e_per_A2,
                self.dose_budget_e_per_A2,
                prior,
                self.critical_dose_e_per_A2(),
                self.specimen,
            )
            return dose_refusal(operation, planned, state, scales_with)

    def _plan(self, operation: str, args: dict[str, Any]) -> tuple[float, float, Scaling | None]:
        """(planned dose, prior peak dose of the area it exposes, the setting the dose scales with)."""
        planned, footprint, scaling = self._planned(operation, args)
        return planned, self.peak_dose(footprint)[0], scaling

    def _planned(self, operation: str, args: dict[str, Any]) -> tuple[float, Footprint, Scaling | None]:
        """(planned dose, the specimen rectangle it will dose, the setting the dose scales with)."""
        inst = self.require_stem()
        snap = inst.snapshot()
        if operation in ("acquire_image", "autofocus"):
            fov_nm = float(snap["scan"]["fov_nm"])
            if operation == "acquire_image":
                dwell_us = float(snap["scan"]["dwell_us"])
                planned, scaling = float(inst.planned_dose_e_per_A2()), ("dwell_us", dwell_us, LIMITS["dwell_us"].lo)
            else:
                steps = int(args.get("steps", 11))
                planned = float(inst.planned_autofocus_dose_e_per_A2(steps))
                scaling = ("steps", steps, MIN_AUTOFOCUS_STEPS)
            return planned, self._footprint((0.0, 0.0, fov_nm, fov_nm), planned), scaling
        dwell_ms = float(args["dwell_ms"])
        if operation == "acquire_spectrum":
            x_nm, y_nm = float(args["x_nm"]), float(args["y_nm"])
            planned = float(inst.planned_spot_dose_e_per_A2(dwell_ms))
            footprint = self._footprint((x_nm - 0.1, y_nm - 0.1, 0.2, 0.2), planned)
            return planned, footprint, ("dwell_ms", dwell_ms, MIN_DWELL_MS)
        if operation == "acquire_spectrum_image":
            region = (float(args["x_nm"]), float(args["y_nm"]), float(args["width_nm"]), float(args["height_nm"]))
            step_nm = region[2] / int(args["pixels"])
            planned = map_dose_e_per_A2(float(snap["beam"]["current_pa"]), dwell_ms, step_nm)
            return planned, self._footprint(region, planned), ("dwell_ms", dwell_ms, MIN_DWELL_MS)
        raise ValueError(f"{operation} is not an acquisition")

    def _work(self, operation: str, args: dict[str, Any]) -> dict[str, float]:
        """The work an acquisition would cause, by the names of :data:`copilot.work_limits.LIMITS`."""
        scan = self.require_stem().state.scan
        if operation == "acquire_image":
            return {"max_call_time_s": scan.frame_time_s, "max_frame_pixels": float(scan.pixels**2)}
        if operation == "autofocus":
            frame_s = (AUTOFOCUS_PIXELS**2 * scan.dwell_us + AUTOFOCUS_PIXELS * scan.flyback_us) * 1e-6
            return {"max_call_time_s": int(args.get("steps", 11)) * frame_s}
        if operation == "acquire_spectrum_image":
            pixels, aspect = int(args["pixels"]), float(args["height_nm"]) / float(args["width_nm"])
            if not math.isfinite(aspect):
                return {}  # a region too thin to map: the map step check refuses it
            spectra = float(pixels * max(1, round(pixels * aspect)))
            return {"max_map_spectra": spectra, "max_call_time_s": spectra * float(args["dwell_ms"]) * 1e-3}
        return {"max_call_time_s": float(args["dwell_ms"]) * 1e-3}

    def _footprint(self, region_nm: tuple[float, float, float, float], dose_e_per_A2: float) -> Footprint:
        """A FOV rectangle (x, y, width, height in nm) as a dose rectangle in specimen coordinates."""
        inst = self.require_stem()
        x_nm, y_nm, width_nm, height_nm = region_nm
        cx, cy = inst.fov_to_specimen(x_nm + width_nm / 2, y_nm + height_nm / 2)
        rotation = float(inst.snapshot()["scan"]["rotation_deg"])
        return (float(cx), float(cy), width_nm / 2, height_nm / 2, rotation, float(dose_e_per_A2))

    def _exposing(self, operation: str, args: dict[str, Any], approved: bool, fn: Callable[[], T]) -> T:
        """Check the work and the dose, write the planned exposure to the ledger file before the beam moves, run
        ``fn`` and write the exposures it delivered (a crash in between counts the planned dose, see
        copilot.store.ledger; a cancelled acquisition delivered none)."""
        inst = self.require_stem()
        refusal = work_refusal(operation, self._work(operation, args))
        if refusal is not None:
            raise refusal
        self._check_dose(operation, args, approved)
        _, (cx, cy, hw, hh, rotation, dose), _ = self._planned(operation, args)
        kv = float(inst.snapshot()["beam"]["energy_kv"])
        footprint = Exposure((cx, cy), hw, hh, rotation, dose, 0.0, 0.0, kv)
        plan_id = self.ledger.planned(operation, exposure_record(footprint))
        before = len(inst.ledger.exposures)
        try:
            return fn()
        finally:
            self.ledger.exposed(plan_id, [exposure_record(e) for e in self.require_stem().ledger.exposures[before:]])
            self.ledger.done(plan_id)

    def _check_dose(self, operation: str, args: dict[str, Any], approved: bool) -> None:
        """Raise the dose refusal of ``operation(**args)``, unless a person approved it."""
        refusal = self.dose_refusal(operation, args)
        if refusal is not None and not approved:
            raise refusal
