"""What the agent is waiting for a person to approve, and the answer that resumes it.

A turn can pause on two kinds of interrupt: LangChain's human-in-the-loop middleware before a destructive call,
and an MCP elicitation the server sends when an acquisition would exceed the dose budget or a critical dose
(LangChain's MCP adapter raises it from inside the tool call). Both become the same request items for
``ApprovalNeeded``: ``call_id``, ``name``, ``args``, ``reason``, ``message`` (one sentence: what and why),
``figures`` (numbers, units in the keys, e.g. ``dose_would_reach_e_per_A2``, ``limit_e_per_A2``,
``longest_safe_dwell_us``) and ``safe_alternative`` (tool arguments of the safe setting, or None).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain.agents.middleware import InterruptOnConfig
from langchain_core._api import suppress_langchain_beta_warning
from langchain_core.messages import AIMessage, AnyMessage, ToolMessage
from langgraph.types import Command, Interrupt

from copilot.agent.toolbox import approval_reason, needs_approval
from copilot.tools.approval import APPROVE, FIGURES_KEY, SAFE_KEY, USE_SAFE

with suppress_langchain_beta_warning():
    from langchain.mcp.elicitation import ELICITATION_INTERRUPT_TYPE

REJECT_MESSAGE = "The user did not approve this action, so it was not run. Do not retry it; suggest a safer option."


def _is_elicitation(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == ELICITATION_INTERRUPT_TYPE


def pending_items(
    interrupts: Sequence[Interrupt], messages: Sequence[AnyMessage], rules: dict[str, InterruptOnConfig]
) -> list[tuple[Interrupt, list[dict[str, Any]]]]:
    """Each open interrupt with the request items it stands for (see the module docstring)."""
    last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
    calls = list(last.tool_calls) if last is not None else []
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    taken: set[str] = set()
    out: list[tuple[Interrupt, list[dict[str, Any]]]] = []
    for interrupt in interrupts:
        if _is_elicitation(interrupt.value):
            name = interrupt.value["tool_name"]
            call = next(
                (c for c in calls if c["name"] == name and c["id"] not in answered and c["id"] not in taken), None
            )
            if call is None:
                continue
            taken.add(str(call["id"]))
            out.append((interrupt, [_elicitation_item(call, r) for r in interrupt.value["requests"]]))
        else:
            items = [_destructive_item(c) for c in calls if needs_approval(c, rules) and c["id"] not in answered]
            out.append((interrupt, items))
    return out


def _destructive_item(call: Any) -> dict[str, Any]:
    reason = approval_reason(call)
    return {
        "call_id": call["id"],
        "name": call["name"],
        "args": dict(call["args"]),
        "reason": reason,
        "message": reason,
        "figures": {},
        "safe_alternative": None,
    }


def _elicitation_item(call: Any, request: dict[str, Any]) -> dict[str, Any]:
    decision = request.get("requested_schema", {}).get("properties", {}).get("decision", {})
    return {
        "call_id": call["id"],
        "name": call["name"],
        "args": dict(call["args"]),
        "reason": request["message"],
        "message": request["message"],
        "figures": dict(decision.get(FIGURES_KEY) or {}),
        "safe_alternative": decision.get(SAFE_KEY),
        "key": request["key"],
    }


def _answer(interrupt: Interrupt, items: list[dict[str, Any]], approve: bool, use_safe: bool) -> Any:
    if not _is_elicitation(interrupt.value):
        decision = {"type": "approve"} if approve else {"type": "reject", "message": REJECT_MESSAGE}
        return {"decisions": [decision] * len(items)}
    responses = {}
    for item in items:
        choice = USE_SAFE if use_safe and item["safe_alternative"] else APPROVE
        responses[item["key"]] = (
            {"action": "accept", "content": {"decision": choice}} if approve else {"action": "decline"}
        )
    return {"responses": responses}


def resume_command(
    pending: list[tuple[Interrupt, list[dict[str, Any]]]], approve: bool, use_safe: bool
) -> Command[Any]:
    """The command that answers every open interrupt at once: approve (with the safe setting when ``use_safe`` and
    there is one) or reject/decline."""
    answers = {i.id: _answer(i, items, approve, use_safe) for i, items in pending}
    if len(answers) == 1:
        return Command(resume=next(iter(answers.values())))
    return Command(resume=answers)


def public(items: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The request items as ``ApprovalNeeded`` shows them (without the elicitation key)."""
    return tuple({k: v for k, v in item.items() if k != "key"} for item in items)
