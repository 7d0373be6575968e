"""Shared conventions of the MCP tools: errors, images, result models, annotations, the session of a request.

Tool modules register their tools with a ``register_<area>_tools(mcp, session)`` function that
:func:`copilot.tools.server.create_server` calls. Inside a tool:

- use ``session`` as the :class:`copilot.session.Session` it is (with ``session_per_client``, a
  :class:`SessionProxy` that resolves to the calling client's own session);
- raise :class:`copilot.twin.errors.CopilotError` subclasses freely: the server turns them into ``ToolError`` with
  the message and the hint (what to do next), see :func:`to_tool_error`;
- return a :class:`Result` model (numbers with units in their names) and, for pictures, :func:`with_images`;
- pass one of :data:`READ_ONLY`, :data:`SETTING`, :data:`ACQUIRE`, :data:`DESTRUCTIVE` as ``annotations=``.
"""

from __future__ import annotations

import base64
import contextvars
import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

import anyio
import anyio.from_thread
import anyio.to_thread
import numpy as np
from fastmcp import Context, FastMCP
from fastmcp.exceptions import FastMCPError, ToolError
from fastmcp.tools import ToolResult
from fastmcp.utilities.types import NotSet
from mcp.types import ImageContent, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict

from copilot.errors import CopilotError
from copilot.session import Session
from copilot.store.preview import image_preview

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
Progress = Callable[..., None]

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
"""Reads state or data; calling it twice changes nothing."""
SETTING = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
"""Changes an instrument setting; repeating the same call leaves the same state."""
ACQUIRE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
"""Acquires (doses the specimen, advances the clock, stores a new acquisition)."""
DESTRUCTIVE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)
"""Loses something that cannot be had back (a tip is replaced; an overwrite)."""


def to_tool_error(exc: CopilotError) -> ToolError:
    """A ToolError whose text says what was wrong (the message) and what to do next (the hint)."""
    message = str(exc.args[0]) if exc.args else type(exc).__doc__ or ""
    hint = f" Next: {exc.hint}" if exc.hint else ""
    return ToolError(f"{type(exc).__name__}: {message}{hint}")


def png_content(png: bytes) -> ImageContent:
    """MCP image content of PNG bytes."""
    return ImageContent(type="image", data=base64.b64encode(png).decode("ascii"), mime_type="image/png")


def image_content(array: np.ndarray, pixel_size_nm: float | None = None) -> ImageContent:
    """MCP image content (PNG, longest side <= 1024 px) of a 2-D float image or an (H, W, 3) uint8 RGB array.

    Float images are percentile-scaled; ``pixel_size_nm`` adds a scale bar.
    """
    return png_content(image_preview(array, pixel_size_nm))


class Result(BaseModel):
    """Base of tool results: plain numbers with units in the field names, never raw arrays."""

    model_config = ConfigDict(extra="forbid")


def with_images(result: Result, *images: ImageContent) -> ToolResult:
    """A tool result with the structured model and its images (plus a JSON text copy for text-only clients)."""
    text = TextContent(type="text", text=result.model_dump_json())
    return ToolResult(content=[text, *images], structured_content=result.model_dump(mode="json"))


def output_schema(model: type[Result]) -> dict[str, Any]:
    """The output schema to declare for a tool that returns ``with_images(model(...), ...)``."""
    return model.model_json_schema()


current_session: contextvars.ContextVar[Session] = contextvars.ContextVar("copilot_session")
"""The session of the request being served (set by the server for session-per-client servers)."""


class SessionProxy(Session):
    """Stands in for a Session on session-per-client servers: every attribute (methods, the lock, the store) is
    the calling client's session's, or ``default``'s outside a client request. It is never initialised itself."""

    def __init__(self, default: Session) -> None:
        object.__setattr__(self, "_proxy_default", default)

    def __getattribute__(self, name: str) -> Any:
        return getattr(current_session.get(object.__getattribute__(self, "_proxy_default")), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(current_session.get(object.__getattribute__(self, "_proxy_default")), name, value)


def translating_errors(fn: F, error: type[FastMCPError] = ToolError) -> F:
    """Wrap a tool (or, with ``error=ResourceError``, a resource) function, sync or async, so CopilotErrors leave it
    as ``error`` with their message and hint."""

    def convert(exc: CopilotError) -> FastMCPError:
        return error(str(to_tool_error(exc)))

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except CopilotError as exc:
                raise convert(exc) from exc

        return cast(F, async_wrapper)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CopilotError as exc:
            raise convert(exc) from exc

    return cast(F, wrapper)


def add_tool(
    mcp: FastMCP, fn: Callable[..., Any], annotations: ToolAnnotations, output_model: type[Result] | None = None
) -> None:
    """Register ``fn`` as a tool (name = function name, description = docstring) with error translation.

    Give ``output_model`` when ``fn`` returns :func:`with_images`, so clients still see the output schema.
    """
    schema: Any = output_schema(output_model) if output_model is not None else NotSet
    mcp.tool(translating_errors(fn), annotations=annotations, output_schema=schema)


async def quick(fn: Callable[[], T], lock: Any) -> T:
    """Run a fast, lock-guarded read inline when ``lock`` is free, else in a worker thread.

    Saves the thread hop of ordinary sync tools on the common idle path, without ever blocking the event loop
    while an acquisition holds the session lock.
    """
    if lock.acquire(blocking=False):
        try:
            return fn()
        finally:
            lock.release()
    return await anyio.to_thread.run_sync(fn)


async def in_thread(ctx: Context | None, fn: Callable[[Progress | None, threading.Event], T]) -> T:
    """Run ``fn(progress, stop)`` in a worker thread and return its result.

    ``progress(fraction)`` or ``progress(done, total)`` calls from the worker become MCP progress notifications
    when the client asked for them. When the request is cancelled (an MCP ``notifications/cancelled``, the client
    closing the request's stream, the server shutting down), ``stop`` is set: the session ends a long acquisition
    at once (:mod:`copilot.session_worker`) and this waits, shielded, until the worker has left the session in a
    consistent state before the cancellation goes on.
    """
    stop = threading.Event()
    started, finished = threading.Event(), threading.Event()
    progress: Progress | None = None
    if ctx is not None:

        def progress(*values: float) -> None:
            done, total = (values[0], 1.0) if len(values) == 1 else (values[0], values[1])
            if not stop.is_set():
                anyio.from_thread.run(ctx.report_progress, float(done), float(total))

    def run() -> T:
        started.set()
        try:
            return fn(progress, stop)
        finally:
            finished.set()

    try:
        return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        stop.set()
        if started.is_set():  # a worker that starts later sees ``stop`` and does nothing
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(finished.wait)
        raise
