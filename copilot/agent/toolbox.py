"""The agent's tools: the MCP server's tools through LangChain's MCP adapter, and which calls need approval.

There is no second, private tool list: the tools come from ``tools.create_server(session)`` in memory, or from a
running ``copilot serve --transport http`` by URL.

Approval rule (enforced by LangChain's human-in-the-loop middleware, not by the prompt):
- a call with ``approved=true`` (acquisition tools take it for over-budget or critical-dose actions): the model may
  ask for it, only a person (or the evaluation's policy) may grant it;
- a call of a tool the server marks ``destructiveHint`` that has no ``approved`` argument (e.g. changing a tip).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain.agents.middleware import InterruptOnConfig
from langchain.agents.middleware.types import ToolCallRequest
from langchain_core.messages import ToolCall
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

APPROVAL_ARG = "approved"


def tool_arguments(tool: BaseTool) -> set[str]:
    """The argument names a tool declares."""
    return set(convert_to_openai_tool(tool)["function"].get("parameters", {}).get("properties", {}))


def is_destructive(tool: BaseTool) -> bool:
    """Whether the server marks the tool destructive (an explicit ``destructiveHint: true``, not read-only)."""
    annotations = ((tool.metadata or {}).get("mcp", {}).get("tool", {})).get("annotations", {})
    return bool(annotations.get("destructive_hint")) and not annotations.get("read_only_hint")


def approval_reason(call: ToolCall) -> str:
    """The sentence shown to the person asked to approve a call."""
    args = json.dumps({k: v for k, v in call["args"].items() if k != APPROVAL_ARG}, sort_keys=True)
    if call["args"].get(APPROVAL_ARG):
        why = "it exceeds the session dose budget or an area's critical dose (the specimen may be damaged)"
    else:
        why = "the tool is destructive (it changes the instrument or specimen irreversibly)"
    return f"{call['name']}({args}) needs your approval because {why}."


def _describe(tool_call: ToolCall, state: Any, runtime: Any) -> str:
    return approval_reason(tool_call)


def _asks_approval(request: ToolCallRequest) -> bool:
    return bool(request.tool_call["args"].get(APPROVAL_ARG))


def approval_rules(tools: Sequence[BaseTool]) -> dict[str, InterruptOnConfig]:
    """The ``interrupt_on`` table of the human-in-the-loop middleware for these tools (see the module docstring)."""
    rules: dict[str, InterruptOnConfig] = {}
    for tool in tools:
        if APPROVAL_ARG in tool_arguments(tool):
            rules[tool.name] = InterruptOnConfig(
                allowed_decisions=["approve", "reject"], description=_describe, when=_asks_approval
            )
        elif is_destructive(tool):
            rules[tool.name] = InterruptOnConfig(allowed_decisions=["approve", "reject"], description=_describe)
    return rules


def needs_approval(call: ToolCall, rules: dict[str, InterruptOnConfig]) -> bool:
    """Whether the middleware will pause on this call (mirrors the rules' ``when`` predicates)."""
    rule = rules.get(call["name"])
    if rule is None:
        return False
    return "when" not in rule or bool(call["args"].get(APPROVAL_ARG))
