"""Speed of the MCP server: get_status round trips (in memory, over HTTP on loopback) and a 1024 x 1024
acquire_image end to end (twin, HDF5 file, preview PNG, MCP result) in memory."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastmcp import Client

from copilot.bench.core import BenchReport, median_seconds

GROUP = "server"
SCAN_1024 = {"pixels": 1024, "dwell_us": 1.0, "fov_nm": 20.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the HTTP server exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"the HTTP server did not listen on port {port} within {timeout_s} s")


def _twin_frame_seconds() -> float:
    """Median time of the same 1024 x 1024 frame from the twin alone (no store, preview or MCP)."""
    from copilot.twin import Microscope

    microscope = Microscope("graphene", seed=0)
    microscope.set_scan(**SCAN_1024)
    return median_seconds(microscope.acquire_image, repeat=7, warmup=2)


def _timed(runner: asyncio.Runner, call: Callable[[], Coroutine[Any, Any, Any]], repeat: int) -> float:
    return median_seconds(lambda: runner.run(call()), repeat=repeat, warmup=2)


def run(report: BenchReport) -> None:
    """Add the server figures to ``report``."""
    from copilot.session import Session
    from copilot.tools import create_server

    with tempfile.TemporaryDirectory(prefix="copilot-bench-") as tmp, asyncio.Runner() as runner:
        session = Session(Path(tmp) / "memory", dose_budget_e_per_A2=1e15)
        client: Client[Any] = Client(create_server(session))
        runner.run(client.__aenter__())
        try:
            status_s = _timed(runner, lambda: client.call_tool("get_status"), repeat=51)
            report.timing(GROUP, "get_status round trip, in memory", status_s, limit_s=0.003)
            runner.run(client.call_tool("set_scan", SCAN_1024))
            acquire_s = _timed(runner, lambda: client.call_tool("acquire_image", {"detector": "HAADF"}), repeat=7)
            report.timing(GROUP, "acquire_image 1024x1024 + preview, in memory", acquire_s, limit_s=0.150)
            twin_s = _twin_frame_seconds()
            report.timing(GROUP, "  of which the twin's frame alone (reference)", twin_s)
        finally:
            runner.run(client.__aexit__(None, None, None))
            session.close()

        port = _free_port()
        command = [sys.executable, "-m", "copilot.tools.cli", "--transport", "http", "--port", str(port)]
        proc = subprocess.Popen([*command, "--data-dir", str(Path(tmp) / "http")], stderr=subprocess.DEVNULL)
        try:
            _wait_listening(port, proc)
            http: Client[Any] = Client(f"http://127.0.0.1:{port}/mcp")
            runner.run(http.__aenter__())
            try:
                http_s = _timed(runner, lambda: http.call_tool("get_status"), repeat=31)
                report.timing(GROUP, "get_status round trip, HTTP loopback", http_s, limit_s=0.015)
            finally:
                runner.run(http.__aexit__(None, None, None))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
