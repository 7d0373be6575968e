"""Fixtures of the reliability tests: a session on a temporary folder and an in-memory MCP client over it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from copilot.session import Session
from tools import create_server


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    s = Session(tmp_path / "data", specimen="graphene", seed=0)
    yield s
    s.close()


@pytest.fixture
async def client(session: Session) -> AsyncIterator[Client[Any]]:
    async with Client(create_server(session)) as c:
        yield c
