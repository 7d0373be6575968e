"""Start the real server as a subprocess (stdio or HTTP on 127.0.0.1) for transport tests."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.server.conftest import REPO, serve_command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    """Return when 127.0.0.1:``port`` accepts connections; fail if the process exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)  # polling a socket, not waiting for an outcome
    raise TimeoutError(f"server did not listen on port {port} within {timeout_s} s")


@contextmanager
def http_server(data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``copilot.tools.cli`` over HTTP on a free loopback port; yields the MCP endpoint URL."""
    port = free_port()
    args = serve_command("--transport", "http", "--port", str(port), "--data-dir", str(data_dir), *extra)
    proc = subprocess.Popen(
        args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        if proc.stderr:
            proc.stderr.close()
