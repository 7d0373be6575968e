"""The one event stream of an agent turn, consumed by the chat UI, the terminal chat and the evaluation.

A turn yields events in order: any number of ``TextDelta`` (tokens as they arrive), ``ToolCall`` /
``ToolResult`` pairs, at most one ``ApprovalNeeded`` (the turn then pauses until it is answered), ``ErrorEvent``
for problems the user should read, and exactly one ``Final`` last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class ImageRef:
    """A picture that came back from a tool: PNG bytes plus where the full data lives."""

    png: bytes
    caption: str = ""
    uri: str | None = None  # e.g. "acq://a0003" for the full-resolution data


@dataclass(frozen=True)
class TextDelta:
    text: str
    kind: Literal["text"] = "text"


@dataclass(frozen=True)
class ToolCall:
    call_id: str
    name: str
    args: dict[str, Any]
    kind: Literal["tool_call"] = "tool_call"


@dataclass(frozen=True)
class ToolResult:
    call_id: str
    name: str
    ok: bool
    data: dict[str, Any]  # the tool's structured result (or {"error": message} when ok is False)
    text: str = ""  # the short text summary the model saw
    images: tuple[ImageRef, ...] = field(default_factory=tuple)
    kind: Literal["tool_result"] = "tool_result"


@dataclass(frozen=True)
class ApprovalNeeded:
    """The agent wants to run actions that need a person's yes (destructive, or over the dose budget or a critical
    dose: then the server asked, with the figures). Answer with ``CopilotAgent.resume(approve, use_safe)``."""

    # each {"call_id", "name", "args", "reason", "message" (one sentence), "figures" (numbers, units in the keys),
    # "safe_alternative" (tool arguments of the safe setting, or None)}
    requests: tuple[dict[str, Any], ...]
    kind: Literal["approval_needed"] = "approval_needed"


@dataclass(frozen=True)
class ErrorEvent:
    message: str
    recoverable: bool = True
    kind: Literal["error"] = "error"


@dataclass(frozen=True)
class Final:
    text: str
    model: str  # the label of the model that ran, e.g. "offline planner (no LLM)" or "openai:gpt-4o-mini"
    usage: dict[str, int] = field(default_factory=dict)  # input_tokens / output_tokens where the model reports them
    kind: Literal["final"] = "final"


AgentEvent = TextDelta | ToolCall | ToolResult | ApprovalNeeded | ErrorEvent | Final
