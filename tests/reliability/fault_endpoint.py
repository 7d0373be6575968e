"""An OpenAI-compatible chat-completions endpoint on 127.0.0.1 that fails on purpose, one scripted step per request.

Steps: an HTTP status (500, 429, ...), ``HANG`` (never answers until the server stops), ``MALFORMED`` (a tool call
whose arguments are not JSON), or a reply (text, optional tool calls). Answers as JSON, or as server-sent events when
the request asks to stream. Records the body and the headers of every request.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from copilot.bench.load import free_port

HANG = "hang"
MALFORMED = "malformed"


@dataclass
class Reply:
    content: str = ""
    tool_calls: list[tuple[str, str]] = field(default_factory=list)  # (name, arguments as raw text)


Step = int | str | Reply


@dataclass
class FaultEndpoint:
    steps: list[Step]
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""
    _release: asyncio.Event | None = None

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        step = self.steps.pop(0) if self.steps else 500
        if step == HANG:
            self._release = self._release or asyncio.Event()
            await self._release.wait()
            return JSONResponse({"error": {"message": "shutting down"}}, status_code=503)
        if isinstance(step, int):
            error = {"error": {"message": f"scripted {step}", "type": "scripted", "code": str(step)}}
            return JSONResponse(error, status_code=step, headers={"retry-after-ms": "1"})
        reply = Reply(tool_calls=[("set_scan", '{"fov_nm": 20, "pixels": ')]) if step == MALFORMED else step
        assert isinstance(reply, Reply)
        calls = [
            {"id": f"call_{len(self.requests)}_{i}", "type": "function", "function": {"name": n, "arguments": a}}
            for i, (n, a) in enumerate(reply.tool_calls)
        ]
        message = {"role": "assistant", "content": reply.content or None, **({"tool_calls": calls} if calls else {})}
        finish = "tool_calls" if calls else "stop"
        usage = {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
        head = {"id": "x", "created": 0, "model": body["model"]}
        if body.get("stream"):
            delta = {**message, "tool_calls": [{"index": i, **c} for i, c in enumerate(calls)]} if calls else message
            chunks = [
                {**head, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]},
                {
                    **head,
                    "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": finish}],
                },
                {**head, "object": "chat.completion.chunk", "choices": [], "usage": usage},
            ]
            sse = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
            return Response(sse, media_type="text/event-stream")
        choice = {"index": 0, "message": message, "finish_reason": finish}
        return JSONResponse({**head, "object": "chat.completion", "choices": [choice], "usage": usage})

    def release(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._release is not None:
            loop.call_soon_threadsafe(self._release.set)


def reply_json(content: str = "", **calls: dict[str, Any]) -> Reply:
    """A reply whose tool calls carry well-formed JSON arguments."""
    return Reply(content, [(name, json.dumps(args)) for name, args in calls.items()])


@contextmanager
def fault_endpoint(steps: list[Step]) -> Iterator[FaultEndpoint]:
    """Serve the steps on 127.0.0.1:<free port> in a thread; ``base_url`` ends in ``/v1``."""
    fake = FaultEndpoint(list(steps))
    app = Starlette(routes=[Route("/v1/chat/completions", fake.completions, methods=["POST"])])
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    loops: list[asyncio.AbstractEventLoop] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        loops.append(loop)
        loop.run_until_complete(server.serve())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the fault endpoint did not start within 10 s")
        time.sleep(0.01)  # polling the server's own started flag
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    try:
        yield fake
    finally:
        if loops:
            fake.release(loops[0])
        server.should_exit = True
        thread.join(timeout=10)
