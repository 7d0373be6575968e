"""Fixtures of the reliability tests: a session on a temporary folder, an in-memory client, the server module.

While the real STEM twin has not landed, the server tests' stand-in twin is installed (importing
``tests.server.conftest`` does it) and subprocess servers run ``tests.server.fake_serve`` instead of ``tools.cli``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from copilot.session import Session
from tests.server.conftest import REAL_TWIN
from tools import create_server

SERVE_MODULE = "tools.cli" if REAL_TWIN else "tests.server.fake_serve"
"""The module that runs ``copilot serve`` in a subprocess (``python -m SERVE_MODULE``)."""


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    s = Session(tmp_path / "data", specimen="graphene", seed=0)
    yield s
    s.close()


@pytest.fixture
async def client(session: Session) -> AsyncIterator[Client[Any]]:
    async with Client(create_server(session)) as c:
        yield c
