"""The instrument state of a data folder: ``instrument.json`` (rewritten atomically after every operation that
changes the instrument) and the exposures of the dose ledger (:mod:`copilot.store.ledger`).

Reopening a folder restores the specimen, seed, every setting, the stage position, the instrument clock (so the
drift has moved the specimen as far as before) and, on the STEM, every exposure delivered, so damage and dose
are where they were. On the AFM the surface, seed, feedback and raster are restored; the tip and clock start
fresh (a new tip is mounted).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from copilot.twin.dose import Exposure
from copilot.twin.state import BeamState, DetectorState, InstrumentState, OpticsState, ScanState, StageState

STATE_NAME = "instrument.json"


def write_state(data_dir: Path, saved: dict[str, Any]) -> None:
    """Write ``instrument.json`` atomically (temporary file in the folder, fsync, rename)."""
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".instrument-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(saved, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, data_dir / STATE_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_state(data_dir: Path) -> dict[str, Any] | None:
    """The saved state, or None when the folder has none (or it cannot be read)."""
    try:
        saved = json.loads((data_dir / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved if isinstance(saved, dict) and "specimen" in saved else None


def stem_state(state: InstrumentState) -> dict[str, Any]:
    """JSON form of a STEM instrument state."""
    return asdict(state)


def stem_state_from(saved: dict[str, Any]) -> InstrumentState:
    """The STEM instrument state saved by :func:`stem_state`."""
    return InstrumentState(
        beam=BeamState(**saved["beam"]),
        optics=OpticsState(**saved["optics"]),
        scan=ScanState(**saved["scan"]),
        stage=StageState(**saved["stage"]),
        detectors=DetectorState(**saved["detectors"]),
        clock_s=float(saved["clock_s"]),
    )


def exposure_record(exposure: Exposure) -> dict[str, Any]:
    """JSON form of a ledger exposure."""
    record = asdict(exposure)
    record["center_nm"] = list(exposure.center_nm)
    return record


def exposure_from(record: dict[str, Any]) -> Exposure:
    """The exposure saved by :func:`exposure_record`."""
    return Exposure(**{**record, "center_nm": (float(record["center_nm"][0]), float(record["center_nm"][1]))})
