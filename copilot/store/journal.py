"""The operation journal: one JSON line per operation, flushed and fsynced before the call returns."""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np


def _jsonable(value: Any) -> Any:
    """Turn numpy scalars/arrays, paths and non-finite floats into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return f"<array shape={list(value.shape)} dtype={value.dtype}>"
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """Every complete JSON line of an append-only file (none when it does not exist; torn lines are skipped)."""
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def _ends_torn(path: Path) -> bool:
    """True when the file's last byte is not a newline (a line cut short by a crash mid-write)."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell() == 0:
            return False
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) != b"\n"


class Journal:
    """Append-only ``journal.jsonl``. Each line is complete on disk before :meth:`record` returns.

    A line holds ``seq``, ``wall_time`` (UTC ISO 8601), ``instrument_time_s``, ``tool``, ``args``, ``ok`` and
    either ``result`` (a short summary) or ``error`` (``type`` and ``message``).
    """

    def __init__(self, path: Path, wall_clock: Callable[[], datetime] | None = None) -> None:
        self.path = path
        self._wall_clock = wall_clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._seq = max((int(e.get("seq", 0)) for e in self.entries()), default=0) if path.exists() else 0
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - held open for the session
        if _ends_torn(path):  # a line cut short by a crash: end it, so the next entry starts a line of its own
            self._fh.write("\n")
            self._fh.flush()

    def record(
        self,
        tool: str,
        args: dict[str, Any],
        *,
        instrument_time_s: float,
        result: dict[str, Any] | None = None,
        error: BaseException | None = None,
    ) -> dict[str, Any]:
        """Append one operation (success when ``error`` is None) and return the line as a dict."""
        with self._lock:
            self._seq += 1
            entry: dict[str, Any] = {
                "seq": self._seq,
                "wall_time": self._wall_clock().isoformat(),
                "instrument_time_s": instrument_time_s,
                "tool": tool,
                "args": args,
                "ok": error is None,
            }
            if error is None:
                entry["result"] = result or {}
            else:
                entry["error"] = {"type": type(error).__name__, "message": str(error)}
            entry = _jsonable(entry)
            self._fh.write(json.dumps(entry, allow_nan=False) + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())
            return entry

    def entries(self) -> list[dict[str, Any]]:
        """Every complete line on disk (a torn last line, left by a crash mid-write, is skipped)."""
        return read_json_lines(self.path)

    def close(self) -> None:
        """Close the file; later records raise ``ValueError``."""
        with self._lock:
            self._fh.close()
