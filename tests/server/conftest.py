"""Helpers of the server tests: the command that starts the real server as a subprocess."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def serve_command(*args: str) -> list[str]:
    """The command that starts the server as a subprocess (``python -m copilot.tools.cli``, i.e. ``copilot serve``)."""
    return [sys.executable, "-m", "copilot.tools.cli", *args]
