"""Running the page for a browser: a free loopback port, waiting for the server's health check, and the headless
Chromium the browser tests and ``copilot bench`` drive (Debian's package at /usr/bin/chromium)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Poll Streamlit's health endpoint until it answers ok (fail fast if the server exits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)  # the server is still starting; poll again
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout_s} s")
