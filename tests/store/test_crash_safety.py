"""Kill a writer mid-session with SIGKILL: every acquisition before the kill is readable, the journal is intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py

WRITER = """
import sys
from pathlib import Path
import numpy as np
from copilot.store import AcquisitionStore, Journal
data = Path(sys.argv[1])
store, journal = AcquisitionStore(data), Journal(data / "journal.jsonl")
rng = np.random.default_rng(0)
for i in range(100000):
    acq = store.add("image", {"pixel_size_nm": 0.1, "i": i}, {"image": rng.random((256, 256), dtype=np.float32)})
    journal.record("acquire_image", {"i": i}, instrument_time_s=float(i), result={"id": acq.id})
    print(acq.id, flush=True)
"""


def test_everything_stored_before_a_sigkill_is_readable(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2]
    )
    assert proc.stdout is not None
    reported: list[str] = []
    deadline = time.monotonic() + 60
    while len(reported) < 8 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        reported.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert len(reported) >= 8, "the writer did not report acquisitions in time"
    files = sorted((tmp_path / "acquisitions").glob("a*.hspy"))
    assert {f.stem for f in files} >= set(reported)
    for f in files:
        with h5py.File(f) as h5:
            assert h5["data/image"].shape == (256, 256)
    lines = (tmp_path / "journal.jsonl").read_text().splitlines()
    complete = [json.loads(line) for line in lines[:-1]]
    assert [e["seq"] for e in complete] == list(range(1, len(complete) + 1))
    assert {e["result"]["id"] for e in complete} >= set(reported[:-1])
    from copilot.store import AcquisitionStore

    reopened = AcquisitionStore(tmp_path)
    assert reopened.ids() == [f.stem for f in files]
