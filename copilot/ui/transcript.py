"""The chat history as plain data: agent events folded into turns and items that the page renders.

Nothing here imports Streamlit, so the folding rules are tested on event objects alone. A turn is either what the
user typed or what the assistant did in reply: streamed text, tool steps (a call and its result), approval
requests, errors and, last, the final answer with the label of the model that ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from copilot.agent.events import (
    AgentEvent,
    ApprovalNeeded,
    ErrorEvent,
    Final,
    TextDelta,
    ToolCall,
    ToolResult,
)


@dataclass
class TextItem:
    """Answer text, grown by ``TextDelta`` events."""

    text: str = ""


@dataclass
class StepItem:
    """One tool call and, once it arrives, its result."""

    call: ToolCall
    result: ToolResult | None = None

    @property
    def running(self) -> bool:
        return self.result is None


Decision = Literal["approve", "reject", "safe"]  # "safe": run the safe alternative the server named instead


@dataclass
class ApprovalItem:
    """Actions waiting for a person's answer; ``decision`` is None while undecided."""

    requests: tuple[dict, ...]
    decision: Decision | None = None

    @property
    def call_ids(self) -> set[str]:
        return {str(request.get("call_id")) for request in self.requests if request.get("call_id")}

    @property
    def safe_alternative(self) -> dict | None:
        """The tool arguments of the safe setting the server named for these actions, if any."""
        for request in self.requests:
            alternative = request.get("safe_alternative")
            if isinstance(alternative, dict) and alternative:
                return alternative
        return None


@dataclass
class ErrorItem:
    message: str
    recoverable: bool = True


TurnItem = TextItem | StepItem | ApprovalItem | ErrorItem


@dataclass
class UserTurn:
    text: str
    role: str = "user"


@dataclass
class AssistantTurn:
    items: list[TurnItem] = field(default_factory=list)
    final: Final | None = None
    role: str = "assistant"

    @property
    def steps(self) -> list[StepItem]:
        return [item for item in self.items if isinstance(item, StepItem)]

    @property
    def pending_approval(self) -> ApprovalItem | None:
        """The approval request still waiting for a decision, if any."""
        for item in reversed(self.items):
            if isinstance(item, ApprovalItem) and item.decision is None:
                return item
        return None

    @property
    def text(self) -> str:
        return "".join(item.text for item in self.items if isinstance(item, TextItem))

    def apply(self, event: AgentEvent) -> None:
        """Fold one event into this turn."""
        if isinstance(event, TextDelta):
            last = self.items[-1] if self.items else None
            if isinstance(last, TextItem):
                last.text += event.text
            else:
                self.items.append(TextItem(event.text))
        elif isinstance(event, ToolCall):
            # A call that waited for approval is announced again when the turn resumes: keep one step.
            if not any(step.call.call_id == event.call_id and step.running for step in self.steps):
                self.items.append(StepItem(event))
        elif isinstance(event, ToolResult):
            self._attach_result(event)
        elif isinstance(event, ApprovalNeeded):
            self.items.append(ApprovalItem(event.requests))
        elif isinstance(event, ErrorEvent):
            self.items.append(ErrorItem(event.message, event.recoverable))
        elif isinstance(event, Final):
            self.final = event
            # A model that does not stream still gives its answer in Final: show it once (and not again when
            # it only repeats the error just shown).
            errors = {item.message for item in self.items if isinstance(item, ErrorItem)}
            if event.text and not self.text.strip() and event.text not in errors:
                self.items.append(TextItem(event.text))

    def _attach_result(self, result: ToolResult) -> None:
        for step in reversed(self.steps):
            if step.call.call_id == result.call_id and step.result is None:
                step.result = result
                return
        # A result without a call we saw (e.g. after a resume): show it as a finished step.
        self.items.append(StepItem(ToolCall(result.call_id, result.name, {}), result))


Turn = UserTurn | AssistantTurn


@dataclass
class Transcript:
    """Every turn of one chat, oldest first."""

    turns: list[Turn] = field(default_factory=list)

    def add_user(self, text: str) -> UserTurn:
        turn = UserTurn(text)
        self.turns.append(turn)
        return turn

    def start_reply(self) -> AssistantTurn:
        turn = AssistantTurn()
        self.turns.append(turn)
        return turn

    @property
    def last_reply(self) -> AssistantTurn | None:
        last = self.turns[-1] if self.turns else None
        return last if isinstance(last, AssistantTurn) else None

    @property
    def pending_approval(self) -> ApprovalItem | None:
        reply = self.last_reply
        return reply.pending_approval if reply is not None else None

    def __len__(self) -> int:
        return len(self.turns)

    def identified_elements(self, acq_id: str) -> set[str]:
        """Elements a tool found present in acquisition ``acq_id`` (e.g. ``identify_elements``' ``present``)."""
        found: set[str] = set()
        for turn in self.turns:
            for step in turn.steps if isinstance(turn, AssistantTurn) else []:
                data = step.result.data if step.result is not None and step.result.ok else {}
                if data.get("acquisition_id") == acq_id and isinstance(data.get("present"), list):
                    found.update(str(element) for element in data["present"])
        return found

    @property
    def prompts(self) -> list[str]:
        return [turn.text for turn in self.turns if isinstance(turn, UserTurn)]

    def overlays(self, acq_id: str) -> dict[str, bytes]:
        """Analysis pictures drawn over acquisition ``acq_id`` (tool name -> PNG), latest of each tool; pictures
        of another geometry (a Fourier transform) are left out."""
        found: dict[str, bytes] = {}
        for turn in self.turns:
            for step in turn.steps if isinstance(turn, AssistantTurn) else []:
                result = step.result
                if result is None or not result.ok or not result.images or step.call.name.startswith("acquire"):
                    continue
                if result.data.get("acquisition_id") == acq_id and "fft" not in step.call.name:
                    found[step.call.name.replace("_", " ")] = result.images[0].png
        return found
