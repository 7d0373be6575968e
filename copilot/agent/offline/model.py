"""``OfflinePlanner``: the deterministic planner as a LangChain chat model (no network, no key).

Each call re-reads the conversation: the last user message gives the plan (``parse`` + ``plan``), the tool results
since then say how far it got. The next step's call is emitted, one call per reply; when the plan is done (or a
step failed, or a person declined) the answer is written from the tool results (``answer``). Over-budget errors
from a tool that takes ``approved`` are retried once with ``approved=true``, which pauses for a person's decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from copilot.agent.middleware import REPOST_MARK
from copilot.agent.offline.answer import cannot_do, compose
from copilot.agent.offline.outcomes import Outcome
from copilot.agent.offline.parse import parse_request
from copilot.agent.offline.plan import Step, build_plan
from copilot.agent.replymodel import ReplyChatModel
from copilot.agent.stream import tool_data, tool_text

APPROVAL_WORDS = ("approv", "budget", "critical dose")
DECLINED_WORDS = ("did not approve", "not approved", "rejected", "was not executed", "not executed")
ID_KEYS = ("acquisition_id", "acq_id", "image_id", "id")


@dataclass
class Progress:
    """Where the plan stands after replaying the outcomes of this turn."""

    next_call: tuple[str, dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)
    failure: Outcome | None = None


class OfflinePlanner(ReplyChatModel):
    """See the module docstring."""

    def reply(self, messages: Sequence[BaseMessage]) -> AIMessage:
        """The next tool call of the plan, or the final answer."""
        request = parse_request(_last_user_text(messages))
        if not request.intents:
            return AIMessage(content=cannot_do(request.unsupported))
        outcomes = turn_outcomes(messages)
        progress = self.replay(build_plan(request), outcomes)
        if progress.next_call is not None:
            name, args = progress.next_call
            call_id = f"offline-{sum(isinstance(m, AIMessage) for m in messages)}"
            return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])
        return AIMessage(content=compose(outcomes, progress.notes, progress.failure, request.unsupported))

    def replay(self, steps: Sequence[Step], outcomes: Sequence[Outcome]) -> Progress:
        """Match the outcomes so far against the plan; see the module docstring."""
        progress = Progress()
        seen: list[Outcome] = []
        pending = list(outcomes)
        for step in steps:
            if self.tool_schemas and step.tool not in self.tool_schemas:
                progress.notes.append(f"{step.tool} is not available on this server")
                continue
            args = step.args(seen) if callable(step.args) else dict(step.args)
            if isinstance(args, str):
                progress.notes.append(args)
                continue
            args, dropped = self.fit_args(step.tool, args)
            progress.notes += dropped
            for attempt_args in (args, {**args, "approved": True}):
                if not pending:
                    progress.next_call = (step.tool, attempt_args)
                    return progress
                outcome = pending.pop(0)
                seen.append(outcome)
                if outcome.ok:
                    break
                if self._may_ask_approval(step.tool, outcome, attempt_args):
                    continue
                if step.optional:
                    progress.notes.append(f"{step.tool} failed ({outcome.text.strip()}), so the plan went on")
                    break
                progress.failure = outcome
                return progress
        return progress

    def _may_ask_approval(self, tool: str, outcome: Outcome, args: dict[str, Any]) -> bool:
        text = outcome.text.lower()
        if args.get("approved") or any(word in text for word in DECLINED_WORDS):
            return False
        takes_approval = "approved" in self.tool_schemas.get(tool, {}).get("properties", {})
        return takes_approval and any(word in text for word in APPROVAL_WORDS)

    def fit_args(self, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Fit planned arguments to the tool's schema: rename the acquisition id argument, drop names the tool
        does not take, match choices case-insensitively and drop values it does not offer (with a note)."""
        properties = self.tool_schemas.get(tool, {}).get("properties")
        if not properties:
            return args, []
        named = dict(args)
        if "acquisition_id" in named and "acquisition_id" not in properties:
            target = next((key for key in ID_KEYS if key in properties), None)
            named[target or "acquisition_id"] = named.pop("acquisition_id")
        fitted: dict[str, Any] = {}
        notes: list[str] = []
        for key, value in named.items():
            if key not in properties:
                continue
            choices = _choices(properties[key])
            if choices and isinstance(value, str):
                match = next((c for c in choices if c.lower() == value.lower()), None)
                if match is None:
                    notes.append(f"{tool} offers {key} {' / '.join(choices)}, not {value}; the default was used")
                    continue
                value = match
            fitted[key] = value
        return fitted, notes


def _choices(schema: dict[str, Any]) -> list[str]:
    options = [schema, *schema.get("anyOf", [])]
    return [str(c) for option in options for c in option.get("enum", [])]


def _last_user_text(messages: Sequence[BaseMessage]) -> str:
    return next((m.text for m in reversed(messages) if _is_user(m)), "")


def turn_outcomes(messages: Sequence[BaseMessage]) -> list[Outcome]:
    """The tool calls and results since the last user message, in order."""
    start = max((i for i, m in enumerate(messages) if _is_user(m)), default=-1)
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    outcomes: list[Outcome] = []
    for message in messages[start + 1 :]:
        if isinstance(message, AIMessage):
            calls.update({str(c["id"]): (c["name"], dict(c["args"])) for c in message.tool_calls})
        elif isinstance(message, ToolMessage):
            name, args = calls.get(message.tool_call_id, (message.name or "", {}))
            ok = message.status != "error"
            outcomes.append(Outcome(name, args, ok, tool_data(message), tool_text(message)))
    return outcomes


def _is_user(message: BaseMessage) -> bool:
    return isinstance(message, HumanMessage) and not message.additional_kwargs.get(REPOST_MARK)
