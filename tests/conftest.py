"""Global guard: no test may send a request to a model endpoint or any other non-loopback host.

Every HTTP request made through httpx, or through httpx2 (which the ``openai`` package, and so
``langchain-openai``, uses), is checked just before it is sent; a request to a host other than
127.0.0.1/localhost/::1 fails the test with a clear message. Fake OpenAI-compatible servers in tests bind to
127.0.0.1 and are therefore allowed. Model keys and endpoints from the environment are hidden from tests.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from copilot.session import Session
from copilot.tools import create_server

# Run by a separate mcp 1.x interpreter, never imported here (pytest imports every module for its doctests).
collect_ignore = ["server/legacy_client.py"]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
HTTP_LIBRARIES = ("httpx", "httpx2")


class RealNetworkRequestError(RuntimeError):
    """A test tried to reach a real (non-loopback) host, for example a model endpoint."""


def _check(request: Any) -> None:
    if request.url.host not in LOOPBACK_HOSTS:
        raise RealNetworkRequestError(
            f"tests must not call real endpoints: {request.method} {request.url} was blocked. "
            "Use a scripted model or a fake server on 127.0.0.1."
        )


def _guard(monkeypatch: pytest.MonkeyPatch, library: Any) -> None:
    sync_send = library.HTTPTransport.handle_request
    async_send = library.AsyncHTTPTransport.handle_async_request

    def guarded_sync(self: Any, request: Any) -> Any:
        _check(request)
        return sync_send(self, request)

    async def guarded_async(self: Any, request: Any) -> Any:
        _check(request)
        return await async_send(self, request)

    monkeypatch.setattr(library.HTTPTransport, "handle_request", guarded_sync)
    monkeypatch.setattr(library.AsyncHTTPTransport, "handle_async_request", guarded_async)


@pytest.fixture(autouse=True)
def forbid_real_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Patch the transports of every installed httpx flavour so only loopback requests go out."""
    for name in HTTP_LIBRARIES:
        try:
            library = importlib.import_module(name)
        except ImportError:
            continue
        _guard(monkeypatch, library)
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    yield


@pytest.fixture
def specimen() -> str:
    """The specimen a test's session starts with; a folder's conftest overrides it."""
    return "graphene"


@pytest.fixture
def session(tmp_path: Path, specimen: str) -> Iterator[Session]:
    """A microscope session (seed 0) on a temporary data folder."""
    s = Session(tmp_path / "data", specimen=specimen, seed=0)
    yield s
    s.close()


@pytest.fixture
async def client(session: Session) -> AsyncIterator[Client[Any]]:
    """An in-memory MCP client of the real server over ``session``."""
    async with Client(create_server(session)) as c:
        yield c
