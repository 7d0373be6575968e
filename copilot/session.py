"""One microscope session: the instrument (STEM or AFM), the acquisition store, the journal and the dose ledger.

Every operation goes through :meth:`Session.call`: it takes the session lock (concurrent callers are serialised,
so state is never torn), runs the operation, saves the instrument state and returns the result. The journal has
one writer: the MCP server journals every tool call once (:class:`copilot.tools.journaling.JournalToolCalls`,
through :meth:`Session.record`); the Python API itself writes no journal lines. A rejected operation raises a
:class:`~copilot.twin.errors.TwinError` and changes no state.

The operations live in one module each: the dose readouts, rule and ledger lines in :mod:`copilot.session_dose`,
the STEM settings and acquisitions in :mod:`copilot.session_stem`, the AFM in :mod:`copilot.session_afm`
(``session.afm``), what is saved and restored in :mod:`copilot.session_state`, and the cancellable child process
of long acquisitions in :mod:`copilot.session_worker`. An acquisition given a ``stop`` event that is set before
it finishes raises :class:`AcquisitionCancelled` and leaves the instrument, the store and the ledger as they were.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import numpy as np

from copilot.dose_policy import DoseBudgetError
from copilot.session_afm import AFMOperations
from copilot.session_dose import AUTOFOCUS_PIXELS, MIN_AUTOFOCUS_STEPS, MIN_DWELL_MS, DoseAccounting
from copilot.session_state import STATE_NAME, afm_saved, read_state, restore_afm, restore_stem, stem_saved, write_state
from copilot.session_stem import STEMOperations
from copilot.session_worker import POLL_S, AcquisitionCancelled, Progress
from copilot.store import Acquisition, AcquisitionStore, ExportFormat, Journal
from copilot.store.ledger import LEDGER_NAME, LedgerFile
from copilot.store.structures import is_structure_name, structure_files
from copilot.twin.errors import SpecimenError

if TYPE_CHECKING:
    from copilot.twin import Microscope
    from copilot.twin.afm import AFM

__all__ = [
    "AUTOFOCUS_PIXELS",
    "DEFAULT_DOSE_BUDGET_E_PER_A2",
    "DEFAULT_SPECIMEN",
    "MIN_AUTOFOCUS_STEPS",
    "MIN_DWELL_MS",
    "AcquisitionCancelled",
    "DoseBudgetError",
    "InstrumentKind",
    "Progress",
    "Session",
]

T = TypeVar("T")
DEFAULT_DOSE_BUDGET_E_PER_A2 = 1e8
DEFAULT_SPECIMEN = "graphene"
InstrumentKind = Literal["STEM", "AFM"]


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


class Session(STEMOperations, DoseAccounting):
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

    def call(self, tool: str, args: dict[str, Any], fn: Callable[[], T], stop: threading.Event | None = None) -> T:
        """Run ``fn`` (the operation ``tool(args)``) under the session lock, save the instrument state (so a
        reopened folder continues from here) and return the result. With ``stop``, a call still waiting for the
        lock when ``stop`` is set gives up (:class:`AcquisitionCancelled`) instead of waiting its turn."""
        self._acquire_lock(tool, stop)
        try:
            return fn()
        finally:
            try:
                self._refresh_peak()
                self._save()
            finally:
                self.lock.release()

    def _acquire_lock(self, tool: str, stop: threading.Event | None) -> None:
        if stop is None:
            self.lock.acquire()
            return
        while not self.lock.acquire(timeout=POLL_S):
            if stop.is_set():
                raise AcquisitionCancelled(f"{tool} was cancelled while it waited for the instrument; nothing ran.")
        if stop.is_set():
            self.lock.release()
            raise AcquisitionCancelled(f"{tool} was cancelled before it started; nothing ran.")

    def _save(self) -> None:
        saved: dict[str, Any] = {"instrument": self.instrument_kind, "specimen": self.specimen, "seed": self.seed}
        saved["thickness_nm"] = self.thickness_nm
        saved |= stem_saved(self.require_stem()) if self.instrument_kind == "STEM" else afm_saved(self.require_afm())
        write_state(self.data_dir, saved)

    def _started(self) -> None:
        """A specimen was loaded afresh: the ledger starts for it and the state is saved."""
        self.ledger.specimen(self.instrument_kind, self.specimen, self.seed)
        self._save()

    def _restore(self, saved: dict[str, Any]) -> None:
        """Continue the folder's last instrument exactly (see :mod:`copilot.session_state`)."""
        self._instantiate(str(saved["specimen"]), int(saved["seed"]), saved.get("thickness_nm"))
        history = self.ledger.history
        interrupted = dict(history.interrupted)
        if self.instrument_kind == "STEM":
            restore_stem(self.require_stem(), saved, [*history.exposures, *interrupted.values()])
            self.ledger.settle(interrupted)
        else:
            restore_afm(self.require_afm(), saved)
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

    # -- data -----------------------------------------------------------------------------------------------------

    def store_acquisition(self, kind: Any, metadata: dict[str, Any], arrays: dict[str, np.ndarray]) -> Acquisition:
        """Store an acquisition of the loaded instrument (its kind, specimen and seed join ``metadata``)."""
        base = {"instrument": self.instrument_kind, "specimen": self.specimen, "seed": self.seed}
        return self.store.add(kind, {**base, **metadata}, arrays)

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
