"""The chat of a session on disk, so it survives a reload of the page and a restart of the server.

``chat.jsonl`` in the session folder holds one JSON line per thing that happened, in order: a prompt the person
sent (``{"user": text}``), an agent event (``{"event": {...}}``, with ``kind`` saying which) and an answer to an
approval (``{"decision": "approve" | "reject" | "safe"}``). Tool images are written next to it under
``chat-images/`` and referred to by relative path. ``replay`` folds the lines back into a ``Transcript``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, get_args

from copilot.agent.events import (
    AgentEvent,
    ApprovalNeeded,
    ErrorEvent,
    Final,
    ImageRef,
    TextDelta,
    ToolCall,
    ToolResult,
)
from copilot.ui.transcript import Decision, Transcript

CHAT_LOG_FILE = "chat.jsonl"
IMAGE_DIR = "chat-images"
_EVENT_TYPES: dict[str, type] = {
    "text": TextDelta,
    "tool_call": ToolCall,
    "tool_result": ToolResult,
    "approval_needed": ApprovalNeeded,
    "error": ErrorEvent,
    "final": Final,
}
_DECISIONS = get_args(Decision)


class ChatLog:
    """Appends the chat of one session folder to ``chat.jsonl`` (each line flushed) and reads it back."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / CHAT_LOG_FILE
        self._images = sum(1 for _ in (data_dir / IMAGE_DIR).glob("*.png")) if (data_dir / IMAGE_DIR).is_dir() else 0

    def _append(self, record: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")

    def user(self, text: str) -> None:
        self._append({"user": text})

    def decision(self, decision: Decision) -> None:
        self._append({"decision": decision})

    def event(self, event: AgentEvent) -> None:
        if isinstance(event, TextDelta):
            return  # the answer text is kept once, from Final or as merged text below
        self._append({"event": self._encode(event)})

    def text(self, text: str) -> None:
        """Streamed answer text, merged (one line per run of deltas instead of one per token)."""
        if text:
            self._append({"event": {"kind": "text", "text": text}})

    def _encode(self, event: AgentEvent) -> dict[str, Any]:
        record = asdict(event)
        if isinstance(event, ToolResult):
            record["images"] = [self._save_image(image) for image in event.images]
        return record

    def _save_image(self, image: ImageRef) -> dict[str, Any]:
        folder = self.data_dir / IMAGE_DIR
        folder.mkdir(exist_ok=True)
        name = f"{IMAGE_DIR}/{self._images:04d}.png"
        self._images += 1
        (self.data_dir / name).write_bytes(image.png)
        return {"path": name, "caption": image.caption, "uri": image.uri}

    def records(self) -> Iterator[dict[str, Any]]:
        """Every line written so far (a line cut short by a crash is skipped)."""
        if not self.path.is_file():
            return
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record

    def decode(self, record: dict[str, Any]) -> AgentEvent | None:
        """The event of an ``{"event": ...}`` line, or None when it is of an unknown kind."""
        data = dict(record)
        cls = _EVENT_TYPES.get(str(data.get("kind")))
        if cls is None:
            return None
        if cls is ToolResult:
            data["images"] = tuple(self._load_image(image) for image in data.get("images", []))
        if cls is ApprovalNeeded:
            data["requests"] = tuple(data.get("requests", []))
        try:
            event: AgentEvent = cls(**data)
        except TypeError:  # a line of an older or newer layout: leave it out rather than fail the page
            return None
        return event

    def _load_image(self, image: dict[str, Any]) -> ImageRef:
        path = self.data_dir / str(image.get("path", ""))
        png = path.read_bytes() if path.is_file() else b""
        return ImageRef(png, str(image.get("caption") or ""), image.get("uri"))

    def replay(self) -> Transcript:
        """The transcript as the page showed it when the last line was written."""
        transcript = Transcript()
        for record in self.records():
            if "user" in record:
                transcript.add_user(str(record["user"]))
            elif record.get("decision") in _DECISIONS:
                pending = transcript.pending_approval
                if pending is not None:
                    pending.decision = record["decision"]
            elif isinstance(record.get("event"), dict):
                event = self.decode(record["event"])
                if event is not None:
                    reply = transcript.last_reply or transcript.start_reply()
                    reply.apply(event)
        return transcript

    def first_prompt(self) -> str:
        """What the person asked first (the session's title in the list of past sessions)."""
        return next((str(r["user"]) for r in self.records() if "user" in r), "")
