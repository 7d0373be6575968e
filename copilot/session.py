"""One microscope session: the instrument (STEM or AFM), the acquisition store, the journal and the dose ledger.

Every operation goes through :meth:`Session.call`: it takes the session lock (concurrent callers are serialised,
so state is never torn), runs the operation and returns the result. The journal has one writer: the MCP server
journals every tool call once (:class:`copilot.tools.journaling.JournalToolCalls`, through :meth:`Session.record`);
the Python API itself writes no journal lines. A rejected operation raises a
:class:`~copilot.twin.errors.TwinError` and changes no state.

Dose policy: an acquisition that would lift the peak areal dose past ``dose_budget_e_per_A2``, or the area it
exposes on a beam-sensitive specimen past its critical dose, raises :class:`DoseBudgetError` unless it is called
with ``approved=True``. Only the person may approve: the MCP server asks them through the client
(:mod:`copilot.tools.approval`); no tool argument carries an approval. :meth:`Session.dose_refusal` tells, without
acquiring, whether an acquisition would be refused and why.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import numpy as np

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
from copilot.session_afm import AFMOperations
from copilot.session_state import (
    STATE_NAME,
    exposure_from,
    exposure_record,
    read_state,
    stem_state,
    stem_state_from,
    write_state,
)
from copilot.store import Acquisition, AcquisitionStore, ExportFormat, Journal
from copilot.store.ledger import LEDGER_NAME, LedgerFile
from copilot.store.records import image_statistics, result_fields
from copilot.store.structures import is_structure_name, structure_files
from copilot.twin.dose import Exposure
from copilot.twin.errors import SpecimenError
from copilot.twin.state import LIMITS
from copilot.work_limits import work_refusal

if TYPE_CHECKING:
    from copilot.twin import Microscope
    from copilot.twin.afm import AFM
    from copilot.twin.results import AutofocusResult, DoseMap

T = TypeVar("T")
DEFAULT_DOSE_BUDGET_E_PER_A2 = 1e8
DEFAULT_SPECIMEN = "graphene"
MIN_AUTOFOCUS_STEPS = 3  # the tool's own lower bound
MIN_DWELL_MS = 0.01  # the twin's shortest spectrum dwell
AUTOFOCUS_PIXELS = 128  # the frame size of the autofocus series
InstrumentKind = Literal["STEM", "AFM"]
Progress = Callable[..., Any]


def _catalogue() -> dict[str, tuple[InstrumentKind, Any]]:
    """Specimen name -> (instrument kind, catalogue entry) for every STEM specimen and AFM surface."""
    from copilot.twin import STEM_SPECIMENS
    from copilot.twin.afm import AFM_SURFACES

    out: dict[str, tuple[InstrumentKind, Any]] = {}
    for kind, cat in (("STEM", STEM_SPECIMENS), ("AFM", AFM_SURFACES)):
        for name in cat:
            out[name] = (kind, cat[name] if isinstance(cat, Mapping) else None)  # type: ignore[assignment]
    return out


def _describe(entry: Any) -> str:
    """The one-line description of a catalogue entry (a string, a mapping or an object with ``description``)."""
    if entry is None or isinstance(entry, str):
        return entry or ""
    text = getattr(entry, "description", None) or (entry.get("description") if isinstance(entry, Mapping) else "")
    return str(text or "")


class Session:
    """A microscope session over a data folder (see :mod:`copilot.store` for the files it writes)."""

    def __init__(
        self,
        data_dir: Path | str,
        specimen: str | None = None,
        seed: int = 0,
        dose_budget_e_per_A2: float = DEFAULT_DOSE_BUDGET_E_PER_A2,
    ) -> None:
        if not (math.isfinite(dose_budget_e_per_A2) and dose_budget_e_per_A2 > 0):
            raise ValueError(f"dose_budget_e_per_A2 must be a positive number, not {dose_budget_e_per_A2!r}")
        self.data_dir = Path(data_dir).resolve()
        self.store = AcquisitionStore(self.data_dir)
        self.journal = Journal(self.data_dir / "journal.jsonl")
        self.dose_budget_e_per_A2 = float(dose_budget_e_per_A2)
        self.lock = threading.RLock()
        self.instrument: Microscope | AFM
        self.instrument_kind: InstrumentKind = "STEM"
        self.specimen, self.seed = specimen or DEFAULT_SPECIMEN, seed
        self.thickness_nm: float | None = None
        self.afm = AFMOperations(self)
        self.ledger = LedgerFile(self.data_dir)
        self._peak: tuple[int, float, tuple[float, float]] = (0, 0.0, (0.0, 0.0))
        self.restored: dict[str, Any] | None = None
        saved = read_state(self.data_dir)
        if saved is not None and (specimen is None or (saved["specimen"], saved["seed"]) == (specimen, seed)):
            self._restore(saved)
        else:
            self._instantiate(specimen or DEFAULT_SPECIMEN, seed)
            self._started()

    # -- plumbing --------------------------------------------------------------------------------------------

    def call(self, tool: str, args: dict[str, Any], fn: Callable[[], T]) -> T:
        """Run ``fn`` (the operation ``tool(args)``) under the session lock, save the instrument state (so a
        reopened folder continues from here) and return the result."""
        with self.lock:
            try:
                return fn()
            finally:
                self._refresh_peak()
                self._save()

    def _save(self) -> None:
        saved: dict[str, Any] = {"instrument": self.instrument_kind, "specimen": self.specimen, "seed": self.seed}
        saved["thickness_nm"] = self.thickness_nm
        if self.instrument_kind == "STEM":
            stem = self.require_stem()
            saved["state"] = stem_state(stem.state)
            saved["drift_nm_per_s"] = stem.ground_truth_drift_nm_per_s()  # a fault may have changed it
        else:
            snap = self.require_afm().snapshot()
            saved["feedback"], saved["scan"] = snap["feedback"], snap["scan"]
        write_state(self.data_dir, saved)

    def _started(self) -> None:
        """A specimen was loaded afresh: the ledger starts for it and the state is saved."""
        self.ledger.specimen(self.instrument_kind, self.specimen, self.seed)
        self._save()

    def _restore(self, saved: dict[str, Any]) -> None:
        """Continue the folder's last instrument: specimen, seed, settings, clock and (STEM) every exposure."""
        self._instantiate(str(saved["specimen"]), int(saved["seed"]), saved.get("thickness_nm"))
        history = self.ledger.history
        interrupted = dict(history.interrupted)
        if self.instrument_kind == "STEM":
            stem = self.require_stem()
            records = [*history.exposures, *interrupted.values()]
            stem.resume(stem_state_from(saved["state"]), [exposure_from(r) for r in records])
            stem.set_drift(float(saved.get("drift_nm_per_s", stem.ground_truth_drift_nm_per_s())))
            self.ledger.settle(interrupted)
        else:
            inst = self.require_afm()
            fb, scan = saved.get("feedback", {}), saved.get("scan", {})
            inst.set_feedback(setpoint=fb.get("setpoint_nm"), p_gain=fb.get("p_gain"), i_gain=fb.get("i_gain_per_ms"))
            inst.set_afm_scan(**{k: scan[k] for k in ("size_nm", "pixels", "rate_hz", "angle_deg", "x_um", "y_um")})
        self.restored = {
            "from": f"{STATE_NAME} and {LEDGER_NAME} of this data folder",
            "exposures": len(history.exposures) + len(interrupted),
            "interrupted_acquisitions_counted": len(interrupted),
            "instrument_time_s": self.instrument_time_s(),
        }
        self._refresh_peak()
        self._save()

    def record(
        self,
        tool: str,
        args: dict[str, Any],
        *,
        result: dict[str, Any] | None = None,
        error: BaseException | None = None,
    ) -> dict[str, Any]:
        """Append one journal line for ``tool(args)`` at the current instrument time (ok unless ``error``)."""
        return self.journal.record(tool, args, instrument_time_s=self.instrument_time_s(), result=result, error=error)

    def instrument_time_s(self) -> float:
        """The simulated instrument clock in s."""
        return float(self.instrument.state.clock_s)

    @overload
    def require(self, kind: Literal["STEM"]) -> Microscope: ...
    @overload
    def require(self, kind: Literal["AFM"]) -> AFM: ...
    def require(self, kind: InstrumentKind) -> Microscope | AFM:
        """The instrument, if it is of ``kind``; otherwise a SpecimenError saying what to load."""
        if self.instrument_kind != kind:
            raise SpecimenError(
                f"This operation needs the {kind} instrument, but a {self.instrument_kind} specimen "
                f"({self.specimen}) is loaded.",
                hint=f"Load a {kind} specimen with load_specimen (see list_specimens).",
            )
        return self.instrument

    def require_stem(self) -> Microscope:
        """The STEM, or a SpecimenError when an AFM surface is loaded."""
        return self.require("STEM")

    def require_afm(self) -> AFM:
        """The AFM, or a SpecimenError when a STEM specimen is loaded."""
        return self.require("AFM")

    def spawn(self, name: str) -> Session:
        """A fresh session with the same specimen, seed, budget and policy in ``clients/<name>`` of this folder."""
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:64] or "client"
        return Session(
            self.data_dir / "clients" / safe,
            self.specimen,
            self.seed,
            self.dose_budget_e_per_A2,
        )

    def close(self) -> None:
        """Close the journal and the dose ledger."""
        self.journal.close()
        self.ledger.close()

    # -- specimens and status ----------------------------------------------------------------------------------

    def list_specimens(self) -> list[dict[str, str]]:
        """Every loadable specimen: name, instrument (STEM or AFM) and a one-line description; structure files of
        the data folder's structures/ folder come last."""
        listed = [{"name": n, "instrument": k, "description": _describe(e)} for n, (k, e) in _catalogue().items()]
        return listed + structure_files(self.data_dir)

    def _instantiate(self, name: str, seed: int, thickness_nm: float | None = None) -> None:
        catalogue = _catalogue()
        if name not in catalogue and is_structure_name(name):  # a structure file of the data folder
            from copilot.store.structures import structure_microscope

            self.instrument = structure_microscope(self.data_dir, name, seed, thickness_nm)
            self.instrument_kind, self.specimen, self.seed, self.thickness_nm = "STEM", name, seed, thickness_nm
            self._peak = (0, 0.0, (0.0, 0.0))
            return
        if name not in catalogue:
            raise SpecimenError(f"Unknown specimen {name!r}; known: {', '.join(sorted(catalogue))}.")
        kind = catalogue[name][0]
        instrument: Microscope | AFM
        if kind == "STEM":
            from copilot.twin import Microscope

            instrument = Microscope(name, seed=seed)
        else:
            from copilot.twin.afm import AFM

            instrument = AFM(name, seed=seed)
        self.instrument, self.instrument_kind, self.specimen, self.seed = instrument, kind, name, seed
        self.thickness_nm = None
        self._peak = (0, 0.0, (0.0, 0.0))  # a fresh instrument has no exposures

    def load_specimen(self, name: str, seed: int = 0, thickness_nm: float | None = None) -> dict[str, Any]:
        """Load a specimen (switching between STEM and AFM as needed); the instrument starts from defaults.

        ``name`` is a catalogue name or a structure file inside the data folder (``structures/si.cif``), imaged
        as a slab ``thickness_nm`` thick (default 10 nm) viewed down its c axis."""

        def run() -> dict[str, Any]:
            self._instantiate(name, seed, thickness_nm)
            self._started()
            return self.status()

        args = {"name": name, "seed": seed, **({} if thickness_nm is None else {"thickness_nm": thickness_nm})}
        return self.call("load_specimen", args, run)

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
        """Critical dose of the loaded specimen, or None when it is not beam-sensitive (or on the AFM)."""
        specimen = getattr(self.instrument, "specimen", None)
        value = getattr(specimen, "critical_dose_e_per_A2", None)
        return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None

    def status(self) -> dict[str, Any]:
        """Instrument kind, specimen, every setting, the dose ledger and the latest acquisition id."""
        with self.lock:
            return {
                "instrument": self.instrument_kind,
                "specimen": self.specimen,
                "seed": self.seed,
                "instrument_time_s": self.instrument_time_s(),
                "settings": self.instrument.snapshot(),
                "dose": self.dose_ledger(),
                "acquisitions": len(self.store.ids()),
                "latest_acquisition_id": self.latest_acquisition_id,
                "restored": self.restored,
            }

    # -- dose policy ------------------------------------------------------------------------------------------

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
        """Check the dose, write the planned exposure to the ledger file before the beam moves, run ``fn`` and
        write the exposures it delivered (a crash in between counts the planned dose, see copilot.store.ledger)."""
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
            self.ledger.exposed(plan_id, [exposure_record(e) for e in inst.ledger.exposures[before:]])
            self.ledger.done(plan_id)

    def _check_dose(self, operation: str, args: dict[str, Any], approved: bool) -> None:
        """Raise the dose refusal of ``operation(**args)``, unless a person approved it."""
        refusal = self.dose_refusal(operation, args)
        if refusal is not None and not approved:
            raise refusal

    # -- STEM operations --------------------------------------------------------------------------------------

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

    def store_acquisition(self, kind: Any, metadata: dict[str, Any], arrays: dict[str, np.ndarray]) -> Acquisition:
        base = {"instrument": self.instrument_kind, "specimen": self.specimen, "seed": self.seed}
        return self.store.add(kind, {**base, **metadata}, arrays)

    def acquire_image(
        self, detector: str = "HAADF", *, approved: bool = False, progress: Progress | None = None
    ) -> Acquisition:
        """Scan one frame with the current settings, store it and return it (id, metadata, ``image`` array)."""

        def run() -> Acquisition:
            frame = self.require_stem().acquire_image(detector=detector, progress=progress)
            meta = {**result_fields(frame, skip=("data",)), "statistics": image_statistics(frame.data)}
            return self.store_acquisition("image", meta, {"image": np.asarray(frame.data, dtype=np.float32)})

        return self.call(
            "acquire_image", {"detector": detector}, lambda: self._exposing("acquire_image", {}, approved, run)
        )

    def acquire_spectrum(
        self, kind: str, x_nm: float, y_nm: float, dwell_ms: float, *, approved: bool = False
    ) -> Acquisition:
        """Acquire an EELS or EDS spectrum at a point of the current FOV; stored with its energy axis."""
        args = {"kind": kind, "x_nm": x_nm, "y_nm": y_nm, "dwell_ms": dwell_ms}

        def run() -> Acquisition:
            spec = self.require_stem().acquire_spectrum(kind=kind, x_nm=x_nm, y_nm=y_nm, dwell_ms=dwell_ms)
            meta = {**result_fields(spec), "spectrum_kind": spec.kind, "channels": int(np.asarray(spec.counts).size)}
            arrays = {"energy_eV": np.asarray(spec.energy_eV), "counts": np.asarray(spec.counts)}
            return self.store_acquisition("spectrum", meta, arrays)

        return self.call("acquire_spectrum", args, lambda: self._exposing("acquire_spectrum", args, approved, run))

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
    ) -> Acquisition:
        """Acquire a spectrum image over a region of the current FOV (``pixels`` along its width)."""
        region = {"x_nm": x_nm, "y_nm": y_nm, "width_nm": width_nm, "height_nm": height_nm}
        args = {"kind": kind, **region, "pixels": pixels, "dwell_ms": dwell_ms}

        def run() -> Acquisition:
            inst = self.require_stem()
            step_nm = width_nm / pixels
            si = inst.acquire_spectrum_image(kind=kind, pixels=pixels, dwell_ms=dwell_ms, **region)
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
            "acquire_spectrum_image", args, lambda: self._exposing("acquire_spectrum_image", args, approved, run)
        )

    def autofocus(self, range_nm: float = 100.0, steps: int = 11, *, approved: bool = False) -> AutofocusResult:
        """Run the twin's through-focus autofocus; its dose counts against the budget."""

        args = {"range_nm": range_nm, "steps": steps}

        def run() -> AutofocusResult:
            return self.require_stem().autofocus(range_nm=range_nm, steps=steps)

        return self.call("autofocus", args, lambda: self._exposing("autofocus", args, approved, run))

    def dose_map(self) -> DoseMap:
        """The accumulated dose map of the specimen (read-only)."""
        return self.call("get_dose_map", {}, lambda: self.require_stem().dose_map())

    # -- data -----------------------------------------------------------------------------------------------------

    @property
    def latest_acquisition_id(self) -> str | None:
        """Id of the most recent acquisition in this data folder."""
        return self.store.latest_id

    def get_acquisition(self, acq_id: str) -> Acquisition:
        """The acquisition with its arrays (from the cache or the HDF5 file)."""
        return self.store.get(acq_id)

    def list_acquisitions(self) -> list[dict[str, Any]]:
        """A short summary of every acquisition, oldest first."""
        return [self.store.metadata(i).summary() for i in self.store.ids()]

    def export_acquisition(self, acq_id: str, name: str, fmt: ExportFormat) -> Path:
        """Export an acquisition into ``exports/`` of the data folder (plain names only)."""
        return self.call(
            "export_acquisition",
            {"id": acq_id, "name": name, "format": fmt},
            lambda: self.store.export(acq_id, name, fmt),
        )
