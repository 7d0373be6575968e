"""A blocking front for the in-memory MCP client, so hypothesis can drive tools from a plain (sync) test.

The client lives in its own event loop on a background thread for the whole ``with`` block; every call waits for
its result with a time limit, so a hanging tool fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from fastmcp import Client


class SyncClient:
    """``with SyncClient(server) as c: c.call("get_status", {})`` (results as ``fastmcp.Client`` returns them)."""

    def __init__(self, server: Any, start_timeout_s: float = 60.0) -> None:
        self._server = server
        self._start_timeout_s = start_timeout_s
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._client: Client[Any] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sync-mcp-client", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # reported to the caller of __enter__
            self._error = error
            self._ready.set()

    async def _main(self) -> None:
        async with Client(self._server) as client:
            self._loop, self._stop, self._client = asyncio.get_running_loop(), asyncio.Event(), client
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> SyncClient:
        self._thread.start()
        if not self._ready.wait(self._start_timeout_s) or self._error is not None:
            raise RuntimeError(f"the in-memory MCP client did not start: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def _wait(self, coro: Any, timeout_s: float) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=timeout_s)

    def call(self, tool: str, args: dict[str, Any], timeout_s: float = 30.0) -> Any:
        """Call ``tool`` and return its result (errors as error results); ``TimeoutError`` past ``timeout_s``."""
        assert self._client is not None
        return self._wait(self._client.call_tool(tool, args, raise_on_error=False), timeout_s)

    def list_tools(self, timeout_s: float = 30.0) -> list[Any]:
        assert self._client is not None
        return list(self._wait(self._client.list_tools(), timeout_s))
