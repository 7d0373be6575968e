"""Global guard: no test may send a request to a model endpoint or any other non-loopback host.

Every HTTP request made through httpx (which the ``openai`` package and ``langchain-openai`` use) is checked before
it is sent; a request to a host other than 127.0.0.1/localhost/::1 fails the test with a clear message. Fake
OpenAI-compatible servers in tests bind to 127.0.0.1 and are therefore allowed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class RealNetworkRequestError(RuntimeError):
    """A test tried to reach a real (non-loopback) host, for example a model endpoint."""


def _check(request: httpx.Request) -> None:
    if request.url.host not in LOOPBACK_HOSTS:
        raise RealNetworkRequestError(
            f"tests must not call real endpoints: {request.method} {request.url} was blocked. "
            "Use a scripted model or a fake server on 127.0.0.1."
        )


@pytest.fixture(autouse=True)
def forbid_real_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Patch httpx's sync and async transports so only loopback requests go out."""
    sync_send = httpx.HTTPTransport.handle_request
    async_send = httpx.AsyncHTTPTransport.handle_async_request

    def guarded_sync(self: httpx.HTTPTransport, request: httpx.Request) -> Any:
        _check(request)
        return sync_send(self, request)

    async def guarded_async(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> Any:
        _check(request)
        return await async_send(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", guarded_sync)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", guarded_async)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    yield
