"""The background event loop that drives the async agent from Streamlit's script thread."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Generator
from typing import cast

import pytest

from copilot.ui.loop import BackgroundLoop


async def _count(n: int, closed: list[bool]) -> AsyncIterator[int]:
    try:
        for i in range(n):
            await asyncio.sleep(0)
            yield i
    finally:
        closed.append(True)


def test_coroutines_and_async_iterators_run_on_the_loop_thread() -> None:
    loop = BackgroundLoop()
    try:
        assert loop.run(asyncio.sleep(0, result=42)) == 42
        closed: list[bool] = []
        assert list(loop.iterate(_count(3, closed))) == [0, 1, 2]
        assert closed == [True]
    finally:
        loop.close()
    assert loop.closed


def test_stopping_early_closes_the_async_iterator() -> None:
    loop = BackgroundLoop()
    try:
        closed: list[bool] = []
        items = cast(Generator[int, None, None], loop.iterate(_count(10, closed)))
        assert next(items) == 0
        items.close()
        assert closed == [True]
    finally:
        loop.close()


def test_exceptions_reach_the_caller_and_a_closed_loop_refuses_work() -> None:
    loop = BackgroundLoop()

    async def fail() -> None:
        raise ConnectionError("endpoint down")

    with pytest.raises(ConnectionError, match="endpoint down"):
        loop.run(fail())
    loop.close()
    loop.close()  # idempotent
    with pytest.raises(RuntimeError, match="start a new session"):
        loop.run(asyncio.sleep(0))
