"""The dose ledger on disk: ``dose_ledger.jsonl``, one JSON line per event, flushed and fsynced before the
acquisition that caused it is acknowledged.

Lines (``kind``):

- ``specimen``: a specimen was loaded (``instrument``, ``specimen``, ``seed``); later lines belong to it;
- ``planned``: an acquisition is about to expose the specimen (``id``, ``operation``, ``footprint``: the rectangle
  it will dose, with its planned dose), written before the beam moves;
- ``exposure``: one exposure the twin recorded (``id`` of the planned line, ``exposure``: its fields);
- ``done``: the acquisition ``id`` finished (its exposures are all written, or it delivered nothing).

A ``planned`` line with no ``done`` after it means the process died mid-acquisition: reopening counts its planned
footprint as delivered (the beam may have hit the specimen), so no dose is ever lost by a crash.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copilot.store.journal import read_json_lines

LEDGER_NAME = "dose_ledger.jsonl"


@dataclass
class LedgerHistory:
    """What a ledger file says about the specimen loaded last."""

    instrument: str | None = None
    specimen: str | None = None
    seed: int | None = None
    exposures: list[dict[str, Any]] = field(default_factory=list)
    interrupted: dict[int, dict[str, Any]] = field(default_factory=dict)  # planned footprints never finished


class LedgerFile:
    """Append-only ``dose_ledger.jsonl`` of a data folder (see the module docstring)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LEDGER_NAME
        self._lock = threading.Lock()
        self.history = self.read()
        self._next_id = 1 + sum(1 for line in self._lines() if line.get("kind") == "planned")
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held open for the session
        if self.path.stat().st_size and not self.path.read_bytes().endswith(b"\n"):
            self._fh.write("\n")  # end a line torn by a crash

    def _lines(self) -> list[dict[str, Any]]:
        return read_json_lines(self.path)

    def read(self) -> LedgerHistory:
        """The exposures since the last ``specimen`` line, and the planned footprints never finished."""
        history = LedgerHistory()
        open_plans: dict[int, dict[str, Any]] = {}
        for line in self._lines():
            kind = line.get("kind")
            if kind == "specimen":
                history = LedgerHistory(line.get("instrument"), line.get("specimen"), line.get("seed"))
                open_plans = {}
            elif kind == "planned":
                open_plans[int(line["id"])] = line
            elif kind == "exposure":
                history.exposures.append(line["exposure"])
            elif kind == "done":
                open_plans.pop(int(line["id"]), None)
        history.interrupted = {plan_id: p["footprint"] for plan_id, p in open_plans.items()}
        return history

    def settle(self, delivered: dict[int, dict[str, Any]]) -> None:
        """Close interrupted acquisitions: their planned footprints become exposures (counted as delivered)."""
        for plan_id, exposure in delivered.items():
            self.exposed(plan_id, [exposure])
            self.done(plan_id)

    def _write(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._fh.write(json.dumps(entry, allow_nan=False) + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def specimen(self, instrument: str, specimen: str, seed: int) -> None:
        """Record that a specimen was loaded: the ledger starts afresh for it."""
        self._write({"kind": "specimen", "instrument": instrument, "specimen": specimen, "seed": seed})

    def planned(self, operation: str, footprint: dict[str, float]) -> int:
        """Record an acquisition about to dose ``footprint``; returns its id for :meth:`exposed` and :meth:`done`."""
        with self._lock:
            plan_id, self._next_id = self._next_id, self._next_id + 1
        self._write({"kind": "planned", "id": plan_id, "operation": operation, "footprint": footprint})
        return plan_id

    def exposed(self, plan_id: int, exposures: list[dict[str, Any]]) -> None:
        """Record the exposures an acquisition delivered."""
        for exposure in exposures:
            self._write({"kind": "exposure", "id": plan_id, "exposure": exposure})

    def done(self, plan_id: int) -> None:
        """Record that the acquisition finished (after :meth:`exposed`, or having delivered nothing)."""
        self._write({"kind": "done", "id": plan_id})

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._fh.close()
