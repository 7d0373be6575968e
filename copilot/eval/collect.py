"""Turn an agent's event stream into the episode record: calls, answer, usage, images, steps, transcript."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from copilot.agent.events import AgentEvent, ApprovalNeeded, ErrorEvent, Final, ToolCall, ToolResult
from copilot.eval.episode import CallRecord

THUMBNAIL_PX = 192
MAX_IMAGES = 4

# Where on the specimen a call was made, computed while the instrument is still in the state of that call.
Locator = Callable[[ToolCall], tuple[float, float] | None]


def thumbnail_b64(png: bytes, size_px: int = THUMBNAIL_PX) -> str:
    """A base64 PNG no larger than ``size_px`` on its longest side."""
    with Image.open(io.BytesIO(png)) as im:
        im.thumbnail((size_px, size_px))
        buf = io.BytesIO()
        im.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _event_dict(event: AgentEvent) -> dict[str, Any]:
    if isinstance(event, ToolResult):
        d = {k: v for k, v in asdict(event).items() if k != "images"}
        d["images"] = [{"caption": im.caption, "uri": im.uri, "png_bytes": len(im.png)} for im in event.images]
        return d
    return asdict(event)


@dataclass
class Collector:
    """Feed it every event of an episode in order (``feed``); read the record from its fields."""

    locate: Locator | None = None
    calls: list[CallRecord] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    answer: str = ""
    usage: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    approvals_requested: int = 0
    steps: int = 0  # model turns: each batch of tool calls, and each final answer
    images: list[bytes] = field(default_factory=list)
    _pending: dict[str, ToolCall] = field(default_factory=dict)
    _in_batch: bool = False

    def note(self, role: str, text: str) -> None:
        """Record a message of the harness (the instruction, a follow-up) in the transcript."""
        self.transcript.append({"kind": role, "text": text})

    def feed(self, event: AgentEvent) -> None:
        self.transcript.append(_event_dict(event))
        if isinstance(event, ToolCall):
            if not self._in_batch:
                self.steps += 1
                self._in_batch = True
            self._pending[event.call_id] = event
        elif isinstance(event, ToolResult):
            self._in_batch = False
            call = self._pending.pop(event.call_id, ToolCall(event.call_id, event.name, {}))
            where = self.locate(call) if self.locate and event.ok else None
            self.calls.append(CallRecord(event.name, dict(call.args), event.ok, dict(event.data), event.text, where))
            self.images.extend(im.png for im in event.images)
        elif isinstance(event, ApprovalNeeded):
            self.approvals_requested += len(event.requests)
        elif isinstance(event, ErrorEvent):
            self.errors.append(event.message)
        elif isinstance(event, Final):
            self._in_batch = False
            self.steps += 1
            self.answer = event.text
            for key, value in event.usage.items():
                self.usage[key] = self.usage.get(key, 0) + value

    def thumbnails(self) -> list[str]:
        """Base64 thumbnails of the last images of the episode (at most ``MAX_IMAGES``)."""
        return [thumbnail_b64(png) for png in self.images[-MAX_IMAGES:]]

    def write(self, run_dir: Path) -> None:
        """Save the transcript (JSON lines) and the full-size images of the episode into ``run_dir``."""
        run_dir.mkdir(parents=True, exist_ok=True)
        with (run_dir / "transcript.jsonl").open("w", encoding="utf-8") as fh:
            for entry in self.transcript:
                fh.write(json.dumps(entry, default=str) + "\n")
        for i, png in enumerate(self.images):
            (run_dir / f"image_{i:02d}.png").write_bytes(png)
