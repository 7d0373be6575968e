"""A client cancels a long spectrum image (about 9 s of computing) over a real transport, or goes away in the
middle of it: an mcp 1.x client with ``notifications/cancelled`` over stdio and over HTTP on 127.0.0.1, an mcp 1.x
client over stdio that exits, a 2026-07-28 client over HTTP that closes the request. The work stops within a
second (before, it ran to the end, 8 s after the cancellation, and was stored) and nothing of it is stored,
delivered or clocked."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from copilot.session import Session
from copilot.store.ledger import LEDGER_NAME
from tests.server.conftest import REPO, serve_command
from tests.server.servers import http_server
from tests.server.test_legacy_client import mcp1_python

pytestmark = pytest.mark.slow
CLIENT = Path(__file__).with_name("cancel_client.py")
PROMPT_S = 1.0  # from the cancellation to the session being free again, over the wire
__all__ = ["mcp1_python"]  # the fixture that builds the mcp 1.x virtualenv


def run_client(python: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run([str(python), str(CLIENT), *args], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def ledger_kinds(data_dir: Path) -> list[str]:
    lines = [json.loads(line) for line in (data_dir / LEDGER_NAME).read_text().splitlines() if line.strip()]
    return [line["kind"] for line in lines]


def check_cancelled(result: dict[str, Any], data_dir: Path) -> None:
    assert result["progress_seen"], "the server reported no progress: the acquisition never started"
    assert result["stopped_after_s"] < PROMPT_S, result
    assert result["acquisitions_after"] == result["acquisitions_before"] == 0
    assert result["clock_after_s"] == result["clock_before_s"] and result["dose_after"] == result["dose_before"]
    assert ledger_kinds(data_dir) == ["specimen", "planned", "done"]  # planned before the beam, nothing delivered


def test_an_mcp1_client_cancels_a_long_spectrum_image_over_stdio(mcp1_python: Path, tmp_path: Path) -> None:
    command = serve_command("--data-dir", str(tmp_path))
    check_cancelled(run_client(mcp1_python, "cancel", "stdio", *command), tmp_path)


def test_an_mcp1_client_cancels_a_long_spectrum_image_over_http(mcp1_python: Path, tmp_path: Path) -> None:
    with http_server(tmp_path) as url:
        result = run_client(mcp1_python, "cancel", "http", url)
    check_cancelled(result, tmp_path)


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie nobody has reaped yet has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def forked_from(pid: int) -> list[int]:
    """Running processes whose parent is ``pid`` (an acquisition child of the server)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return [child for child in found if alive(child)]


def test_a_stdio_server_whose_client_vanishes_mid_acquisition_stops_at_once_and_keeps_a_consistent_folder(
    mcp1_python: Path, tmp_path: Path
) -> None:
    command = serve_command("--data-dir", str(tmp_path))
    client = subprocess.Popen(
        [str(mcp1_python), str(CLIENT), "vanish", "stdio", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    assert client.stdout is not None
    line = client.stdout.readline()  # printed just before the client leaves
    gone = time.monotonic()
    (server,) = json.loads(line)["server_pids"]
    while ledger_kinds(tmp_path)[-1] != "done" and time.monotonic() - gone < 30:
        time.sleep(0.01)  # polling the ledger file the server writes
    stopped_after_s = time.monotonic() - gone
    assert stopped_after_s < PROMPT_S, stopped_after_s
    assert forked_from(server) == []  # no acquisition child left computing
    while alive(server) and time.monotonic() - gone < 60:
        time.sleep(0.05)  # the server then exits (its stdout is gone)
    assert not alive(server)
    client.wait(timeout=30)
    client.stdout.close()
    assert ledger_kinds(tmp_path) == ["specimen", "planned", "done"]
    again = Session(tmp_path)
    assert again.status()["acquisitions"] == 0 and again.instrument_time_s() == 0.0
    assert again.restored is not None and again.restored["interrupted_acquisitions_counted"] == 0
    again.close()


def test_the_process_checks_see_a_running_child() -> None:
    proc = subprocess.Popen(["sleep", "30"])
    try:
        assert alive(proc.pid) and forked_from(os.getpid()) == [proc.pid]
    finally:
        proc.kill()
        proc.wait()
    assert not alive(proc.pid)


LONG_MAP = {"kind": "EELS", "x_nm": 1.0, "y_nm": 1.0, "width_nm": 16.0, "height_nm": 16.0, "pixels": 64}


async def test_a_2026_client_that_abandons_a_long_acquisition_over_http_stops_it(tmp_path: Path) -> None:
    """At 2026-07-28 a client cancels by closing the request's response stream (no notification)."""
    with http_server(tmp_path) as url:
        async with Client(url) as client:
            call = asyncio.create_task(client.call_tool("acquire_spectrum_image", {**LONG_MAP, "dwell_ms": 1.0}))
            while "planned" not in ledger_kinds(tmp_path):
                await asyncio.sleep(0.01)  # polling the ledger file the server writes
            await asyncio.sleep(0.5)  # well inside the several seconds the map takes
            abandoned = time.monotonic()
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            while ledger_kinds(tmp_path)[-1] != "done" and time.monotonic() - abandoned < 30:
                await asyncio.sleep(0.01)
            stopped_after_s = time.monotonic() - abandoned
            status = (await client.call_tool("get_status", {})).structured_content
    assert stopped_after_s < PROMPT_S, stopped_after_s
    assert ledger_kinds(tmp_path) == ["specimen", "planned", "done"]
    assert status is not None and status["acquisitions"] == 0 and status["instrument_time_s"] == 0.0
