"""Fixtures of the server tests: a session on a temporary folder and an in-memory MCP client over it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from copilot.session import Session
from tests.server import fake_twin
from tools import create_server

REAL_TWIN = fake_twin.real_twin_available()
needs_real_twin = pytest.mark.skipif(not REAL_TWIN, reason="golden numbers need the real STEM twin")
if not REAL_TWIN:
    fake_twin.install()

REPO = Path(__file__).resolve().parents[2]


def serve_command(*args: str) -> list[str]:
    """The command that starts the server as a subprocess (the real twin when present, else the stand-in)."""
    entry = ["-m", "tools.cli"] if REAL_TWIN else ["-m", "tests.server.fake_serve"]
    return [sys.executable, *entry, *args]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    s = Session(tmp_path / "data", specimen="graphene", seed=0)
    yield s
    s.close()


@pytest.fixture
async def client(session: Session) -> AsyncIterator[Client[Any]]:
    async with Client(create_server(session)) as c:
        yield c
