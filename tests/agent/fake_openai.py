"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, for driving ``ChatOpenAI`` in tests.

It answers ``POST /v1/chat/completions`` from a queue of scripted replies (plain JSON or SSE when the request asks
to stream), can fail with any HTTP status first, and records every request body for assertions.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Scripted:
    """One reply: an HTTP error ``status``, or an assistant message with ``content`` and/or ``tool_calls``."""

    content: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200


@dataclass
class FakeOpenAI:
    replies: list[Scripted] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        reply = self.replies.pop(0) if self.replies else Scripted(status=500)
        if reply.status != 200:
            error = {"error": {"message": f"scripted {reply.status}", "type": "scripted", "code": str(reply.status)}}
            return JSONResponse(error, status_code=reply.status, headers={"retry-after-ms": "1"})
        calls = [
            {
                "id": f"call_{len(self.requests)}_{i}",
                "type": "function",
                "function": {"name": n, "arguments": json.dumps(a)},
            }
            for i, (n, a) in enumerate(reply.tool_calls)
        ]
        finish = "tool_calls" if calls else "stop"
        usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        if body.get("stream"):
            return StreamingResponse(
                self._sse(body["model"], reply.content, calls, finish, usage), media_type="text/event-stream"
            )
        message = {"role": "assistant", "content": reply.content or None, **({"tool_calls": calls} if calls else {})}
        return JSONResponse(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": usage,
            }
        )

    @staticmethod
    def _sse(
        model: str, content: str, calls: list[dict[str, Any]], finish: str, usage: dict[str, int]
    ) -> Iterator[str]:
        def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> str:
            payload = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
                **extra,
            }
            return f"data: {json.dumps(payload)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        for word in content.split(" ") if content else []:
            yield chunk({"content": word + " "})
        for index, call in enumerate(calls):
            yield chunk({"tool_calls": [{"index": index, **call}]})
        yield chunk({}, finish)
        usage_chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model}
        yield f"data: {json.dumps({**usage_chunk, 'choices': [], 'usage': usage})}\n\n"
        yield "data: [DONE]\n\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_fake_openai(replies: list[Scripted]) -> Iterator[FakeOpenAI]:
    """Run the fake on 127.0.0.1:<free port> in a thread; ``base_url`` ends in ``/v1``."""
    fake = FakeOpenAI(replies=list(replies))
    app = Starlette(routes=[Route("/v1/chat/completions", fake.completions, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(500):
        if server.started:
            started.set()
            break
        started.wait(0.01)
    if not started.is_set():
        raise RuntimeError("the fake OpenAI server did not start within 5 s")
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=5)
