"""The agent's tools: the MCP server's tools through LangChain's MCP adapter, and which calls need approval.

There is no second, private tool list: the tools come from ``tools.create_server(session)`` in memory, or from a
running ``copilot serve --transport http`` by URL.

Two kinds of approval, neither of which the model can give:
- a call of a tool the server marks ``destructiveHint`` (e.g. changing a tip) pauses before it runs (LangChain's
  human-in-the-loop middleware, rules from :func:`approval_rules`);
- an acquisition over the dose budget or an area's critical dose is asked by the server itself, as an MCP
  elicitation (:mod:`copilot.tools.approval`) that the agent turns into the same pause
  (:mod:`copilot.agent.core`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain.agents.middleware import InterruptOnConfig
from langchain_core.messages import ToolCall
from langchain_core.tools import BaseTool


def is_destructive(tool: BaseTool) -> bool:
    """Whether the server marks the tool destructive (an explicit ``destructiveHint: true``, not read-only)."""
    annotations = ((tool.metadata or {}).get("mcp", {}).get("tool", {})).get("annotations", {})
    return bool(annotations.get("destructive_hint")) and not annotations.get("read_only_hint")


def approval_reason(call: ToolCall) -> str:
    """The sentence shown to the person asked to approve a destructive call."""
    args = json.dumps(call["args"], sort_keys=True)
    why = "the tool is destructive (it changes the instrument or specimen irreversibly)"
    return f"{call['name']}({args}) needs your approval because {why}."


def _describe(tool_call: ToolCall, state: Any, runtime: Any) -> str:
    return approval_reason(tool_call)


def approval_rules(tools: Sequence[BaseTool]) -> dict[str, InterruptOnConfig]:
    """The ``interrupt_on`` table of the human-in-the-loop middleware for these tools (see the module docstring)."""
    rules: dict[str, InterruptOnConfig] = {}
    for tool in tools:
        if is_destructive(tool):
            rules[tool.name] = InterruptOnConfig(allowed_decisions=["approve", "reject"], description=_describe)
    return rules


def needs_approval(call: ToolCall, rules: dict[str, InterruptOnConfig]) -> bool:
    """Whether the middleware will pause on this call."""
    return call["name"] in rules
