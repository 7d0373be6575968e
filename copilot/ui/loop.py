"""An asyncio event loop on a background thread, so a Streamlit script (which reruns top to bottom on every
click) can drive the async agent and keep its connections alive between reruns.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_STEP_TIMEOUT_S = 600.0  # the longest wait for one event of an agent turn


class BackgroundLoop:
    """Owns one event loop running forever on a daemon thread until ``close``."""

    def __init__(self, name: str = "copilot-ui-loop") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    @property
    def closed(self) -> bool:
        return self._loop.is_closed()

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float | None = DEFAULT_STEP_TIMEOUT_S) -> T:
        """Run a coroutine on the loop and wait for its result (or its exception) from this thread."""
        if self.closed:
            coro.close()
            raise RuntimeError("the background event loop is closed; start a new session")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout_s)

    def iterate(self, stream: AsyncIterator[T], timeout_s: float | None = DEFAULT_STEP_TIMEOUT_S) -> Iterator[T]:
        """Items of an async iterator, one at a time, as a plain iterator (each waits at most ``timeout_s``)."""

        async def next_item() -> tuple[bool, T | None]:
            try:
                return True, await anext(stream)
            except StopAsyncIteration:
                return False, None

        finished = False
        try:
            while True:
                more, item = self.run(next_item(), timeout_s)
                if not more:
                    finished = True
                    return
                yield item  # type: ignore[misc]
        finally:
            close = getattr(stream, "aclose", None)
            if not finished and close is not None and not self.closed:
                self.run(close(), timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the loop, join the thread and close the loop (idempotent)."""
        if self.closed:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout_s)
        if not self._thread.is_alive():
            self._loop.close()
