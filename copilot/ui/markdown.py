"""The chat of a session as a Markdown transcript a person can read outside the page (in the download).

Each prompt is a heading, each answer its text, each tool step one line (what ran and the numbers it returned)
with its images linked from ``chat-images/``, each approval what was asked and what the person answered.
"""

from __future__ import annotations

from typing import Any

from copilot.agent.events import ToolCall, ToolResult
from copilot.ui.chatlog import ChatLog
from copilot.ui.summaries import describe_step

TRANSCRIPT_FILE = "transcript.md"
_ANSWERS = {"approve": "approved", "reject": "rejected", "safe": "chose the safe setting"}


def _approval_lines(requests: list[dict[str, Any]]) -> list[str]:
    lines = []
    for request in requests:
        said = request.get("message") or request.get("reason") or request.get("name", "an action")
        lines.append(f"> **Approval needed:** {said}")
    return lines


def transcript_markdown(log: ChatLog, title: str) -> str:
    """The whole chat of ``log`` as Markdown, images referenced by their path in the session folder."""
    out = [f"# Microscope Copilot session {title}", ""]
    calls: dict[str, ToolCall] = {}
    answered = False  # whether the current reply already has streamed text (Final then adds nothing)
    for record in log.records():
        if "user" in record:
            out += [f"## {record['user']}", ""]
            answered = False
        elif "decision" in record:
            out += [f"> You {_ANSWERS.get(str(record['decision']), record['decision'])}.", ""]
        elif isinstance(record.get("event"), dict):
            event = record["event"]
            kind = event.get("kind")
            if kind == "text" and event.get("text"):
                out += [str(event["text"]), ""]
                answered = True
            elif kind == "tool_call":
                call_id = str(event.get("call_id"))
                calls[call_id] = ToolCall(call_id, str(event.get("name")), dict(event.get("args") or {}))
            elif kind == "tool_result":
                out += _step_lines(event, calls)
            elif kind == "approval_needed":
                out += [*_approval_lines(list(event.get("requests") or [])), ""]
            elif kind == "error":
                out += [f"**Error:** {event.get('message', '')}", ""]
            elif kind == "final":
                if event.get("text") and not answered:
                    out += [str(event["text"]), ""]
                out += [f"*model: {event.get('model', '')}*", ""]
    return "\n".join(out).rstrip() + "\n"


def _step_lines(event: dict[str, Any], calls: dict[str, ToolCall]) -> list[str]:
    call_id = str(event.get("call_id"))
    call = calls.get(call_id) or ToolCall(call_id, str(event.get("name")), {})
    result = ToolResult(call_id, call.name, bool(event.get("ok")), dict(event.get("data") or {}))
    lines = [f"- `{describe_step(call, result)}`"]
    for image in event.get("images") or []:
        caption = image.get("caption") or call.name
        lines.append(f"\n  ![{caption}]({image.get('path')})")
    return [*lines, ""]
