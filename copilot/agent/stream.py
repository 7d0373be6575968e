"""Turn LangGraph's stream of an agent run into our typed events (``copilot.agent.events``).

The run is streamed with ``stream_mode=["messages", "updates"]``: "messages" carries the model's tokens as they
arrive (``TextDelta``); "updates" carries each node's new messages, from which tool calls, tool results (also the
ones the approval middleware writes for rejected calls) and interrupts are read.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage

from copilot.agent.events import AgentEvent, ImageRef, TextDelta, ToolCall, ToolResult


def image_refs(message: ToolMessage, data: dict[str, Any]) -> tuple[ImageRef, ...]:
    """The PNG images of a tool message, with the resource URI of the full data where the result names one."""
    blocks = message.content if isinstance(message.content, list) else []
    uri = next((str(v) for k, v in data.items() if k.endswith("uri") and isinstance(v, str)), None)
    caption = str(data.get("id") or data.get("acquisition_id") or message.name or "")
    refs = []
    for block in blocks:
        if isinstance(block, dict) and block.get("type") == "image" and block.get("base64"):
            refs.append(ImageRef(png=base64.b64decode(block["base64"]), caption=caption, uri=uri))
    return tuple(refs)


def tool_text(message: ToolMessage) -> str:
    """The text part of a tool message (what a text-only model reads)."""
    if isinstance(message.content, str):
        return message.content
    texts = [b if isinstance(b, str) else b.get("text", "") for b in message.content]
    return "\n".join(t for t in texts if t)


def tool_data(message: ToolMessage) -> dict[str, Any]:
    """The structured result of a tool message: the MCP structured content, else its text parsed as JSON."""
    if message.status == "error":
        return {"error": tool_text(message)}
    artifact = message.artifact if isinstance(message.artifact, dict) else {}
    structured = artifact.get("structured_content")
    if isinstance(structured, dict):
        return structured
    try:
        parsed = json.loads(tool_text(message))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {"result": parsed}


def tool_result_event(message: ToolMessage) -> ToolResult:
    """A ``ToolResult`` event for one tool message."""
    data = tool_data(message)
    return ToolResult(
        call_id=message.tool_call_id,
        name=message.name or "",
        ok=message.status != "error",
        data=data,
        text=tool_text(message),
        images=image_refs(message, data),
    )


class EventTranslator:
    """Stateful translation of stream chunks into events; each tool call and result is emitted once."""

    def __init__(self) -> None:
        self.seen_calls: set[str] = set()
        self.seen_results: set[str] = set()
        self.usage: dict[str, int] = {}
        self.interrupts: list[Any] = []

    def feed(self, mode: str, chunk: Any) -> list[AgentEvent]:
        """Events for one ``(mode, chunk)`` item of ``astream``."""
        if mode == "messages":
            message, metadata = chunk
            if metadata.get("langgraph_node") == "model" and isinstance(message, AIMessage | AIMessageChunk):
                return [TextDelta(message.text)] if message.text else []
            return []
        events: list[AgentEvent] = []
        for node, update in chunk.items():
            if node == "__interrupt__":
                self.interrupts.extend(update)
                continue
            messages = update.get("messages", []) if isinstance(update, dict) else []
            for message in messages:
                events.extend(self._message_events(message))
        return events

    def _message_events(self, message: BaseMessage) -> list[AgentEvent]:
        events: list[AgentEvent] = []
        if isinstance(message, AIMessage):
            if message.usage_metadata and message.id not in self.seen_calls:
                self.seen_calls.add(str(message.id))
                reported: dict[str, Any] = dict(message.usage_metadata)
                for key in ("input_tokens", "output_tokens", "total_tokens"):
                    self.usage[key] = self.usage.get(key, 0) + int(reported.get(key, 0))
            for call in message.tool_calls:
                call_id = str(call["id"])
                if call_id not in self.seen_calls:
                    self.seen_calls.add(call_id)
                    events.append(ToolCall(call_id=call_id, name=call["name"], args=dict(call["args"])))
        elif isinstance(message, ToolMessage) and message.tool_call_id not in self.seen_results:
            self.seen_results.add(message.tool_call_id)
            events.append(tool_result_event(message))
        return events
