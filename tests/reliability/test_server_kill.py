"""The HTTP server killed with SIGKILL in the middle of an acquisition loses nothing it acknowledged.

Every acquisition a client was told about is on disk and readable, the journal is intact up to its last line, and
a new session opens the old data folder, continues its ids, its dose ledger and its journal.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from copilot.bench.load import serving
from copilot.session import Session
from copilot.store.acquisition import read_hdf5
from copilot.store.journal import Journal

pytestmark = pytest.mark.slow

ACKNOWLEDGED = 6


def journal_entries(path: Path) -> list[dict[str, Any]]:
    """The complete lines of a journal file (a torn last line is skipped), read without opening it for writing."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


async def acquire_then_kill(url: str, pid: int) -> tuple[list[dict[str, Any]], bool]:
    """Acquire small frames until ACKNOWLEDGED are confirmed, start a large one, SIGKILL the server as soon as it
    reports that the scan has begun. Returns what the client was told and whether the kill hit mid-scan."""
    scan_started = asyncio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if acked_all.is_set():
            scan_started.set()

    acked_all = asyncio.Event()
    told: list[dict[str, Any]] = []
    async with Client(url, progress_handler=on_progress, timeout=60) as client:
        await client.call_tool("set_scan", {"fov_nm": 200.0, "pixels": 64, "dwell_us": 1.0})
        await client.call_tool("acquire_spectrum", {"kind": "EELS", "x_nm": 100.0, "y_nm": 100.0, "dwell_ms": 10.0})
        for _ in range(ACKNOWLEDGED):
            told.append((await client.call_tool("acquire_image", {})).structured_content or {})
        await client.call_tool("set_scan", {"pixels": 2048})
        acked_all.set()
        in_flight = asyncio.create_task(client.call_tool("acquire_image", {}, raise_on_error=False))
        try:
            async with asyncio.timeout(60):
                await asyncio.wait([in_flight, asyncio.create_task(scan_started.wait())], return_when="FIRST_COMPLETED")
            mid_scan = scan_started.is_set() and not in_flight.done()
            os.kill(pid, signal.SIGKILL)
        finally:
            in_flight.cancel()
            await asyncio.gather(in_flight, return_exceptions=True)
    return told, mid_scan


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    data_dir = tmp_path_factory.mktemp("kill") / "data"
    with serving(data_dir) as (url, proc):
        try:
            told, mid_scan = asyncio.run(acquire_then_kill(url, proc.pid))
        except BaseExceptionGroup as group:  # the client's transport fails as its server dies
            pytest.fail(f"the client failed before the kill: {group!r}")
        assert proc.wait(timeout=30) == -signal.SIGKILL
    assert mid_scan, "the server finished the large frame before the kill: the test did not kill mid-acquisition"
    return data_dir, told


def test_every_acknowledged_acquisition_is_on_disk_and_readable(killed: tuple[Path, list[dict[str, Any]]]) -> None:
    data_dir, told = killed
    assert len(told) == ACKNOWLEDGED
    for summary in told:
        acq = read_hdf5(data_dir / "acquisitions" / f"{summary['id']}.hspy")
        assert acq.kind == "image" and acq.arrays["image"].shape == (64, 64)
        assert acq.metadata["dose_e_per_A2"] == pytest.approx(summary["dose_e_per_A2"])
    assert not list((data_dir / "acquisitions").glob("*.tmp"))  # no half-written file under a real name


def test_the_journal_is_intact_up_to_its_last_line(killed: tuple[Path, list[dict[str, Any]]]) -> None:
    data_dir, told = killed
    lines = (data_dir / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines[:-1]]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    journal_ids = {
        e["result"]["id"] for e in journal_entries(data_dir / "journal.jsonl") if e["tool"] == "acquire_image"
    }
    assert {s["id"] for s in told} <= journal_ids


def test_a_new_session_opens_the_old_folder_and_carries_on(killed: tuple[Path, list[dict[str, Any]]]) -> None:
    data_dir, told = killed
    before = len(journal_entries(data_dir / "journal.jsonl"))
    session = Session(data_dir, specimen="graphene", seed=0)
    try:
        ids = session.store.ids()
        assert {s["id"] for s in told} <= set(ids)
        assert session.dose_used_e_per_A2 >= sum(s["dose_e_per_A2"] for s in told)
        for acq_id in ids:
            assert session.get_acquisition(acq_id).kind in ("image", "spectrum")
        spectrum = next(i for i in ids if session.get_acquisition(i).kind == "spectrum")
        assert session.get_acquisition(spectrum).arrays["counts"].size > 0
        session.set_scan(pixels=32)
        new = session.acquire_image()
        assert int(new.id[1:]) == int(ids[-1][1:]) + 1
    finally:
        session.close()
    # The journal records MCP tool calls (its one writer is the server middleware); direct Python calls on the
    # session add none, and the reopened journal keeps every line written before the kill.
    entries = journal_entries(data_dir / "journal.jsonl")
    assert len(entries) == before and [e["seq"] for e in entries] == list(range(1, before + 1))
    assert (data_dir / "acquisitions" / f"{new.id}.hspy").exists()


def test_a_journal_torn_by_a_crash_keeps_the_entries_written_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.record("set_scan", {"pixels": 64}, instrument_time_s=0.0, result={})
    journal.close()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"seq": 2, "wall_time": "2026-')  # a line cut short by SIGKILL
    reopened = Journal(path)
    reopened.record("acquire_image", {}, instrument_time_s=1.0, result={"id": "a0001"})
    reopened.close()
    entries = journal_entries(path)
    assert [e["tool"] for e in entries] == ["set_scan", "acquire_image"]
    assert [e["seq"] for e in entries] == [1, 2]
