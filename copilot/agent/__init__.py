"""The agent: a language model (or the offline planner) running the microscope through the MCP tools.

Public API (used by the chat UI, the terminal chat and the evaluation)::

    from copilot.agent import CopilotAgent, model_label

    agent = await CopilotAgent.create(
        session,                      # copilot.session.Session; the in-memory MCP server runs over it
        model="offline",              # or "openai:<model>" / any init_chat_model string
        thread_id="t1",               # one conversation; checkpointed in SQLite
        checkpoint_path=None,         # default <session.data_dir>/checkpoints.sqlite
        mcp_url=None,                 # use a running `copilot serve --transport http` instead
        approval="ask",               # or "auto_approve" / "auto_reject" (policies for the evaluation)
        max_tool_calls=25,            # per turn; stops runaway loops
        chat_model=None,              # inject any BaseChatModel (e.g. ScriptedChatModel) instead of `model`
        vision=None,                  # force image re-posting on/off (default: by model name)
    )
    async for event in agent.run("survey then zoom into the most interesting region"):
        ...                           # copilot.agent.events: TextDelta, ToolCall, ToolResult, ApprovalNeeded, ...
    async for event in agent.resume(approve=True):   # after an ApprovalNeeded with approval="ask"
        ...
    agent.model_label                 # e.g. "offline planner (no LLM)"
    await agent.aclose()

Events: see ``copilot.agent.events``. A finished turn ends with exactly one ``Final``; a paused turn ends with
``ApprovalNeeded`` and finishes in ``resume``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from copilot.agent.core import CopilotAgent
    from copilot.agent.models import OFFLINE_LABEL, has_vision, model_label
    from copilot.agent.scripted import ScriptedChatModel

__all__ = ["OFFLINE_LABEL", "CopilotAgent", "ScriptedChatModel", "has_vision", "model_label"]

# The public names load on first use: LangChain takes over a second to import, and the `copilot` command (serve,
# --help) or a reader of copilot.agent.events should not pay for it.
_HOMES = {
    "CopilotAgent": "copilot.agent.core",
    "OFFLINE_LABEL": "copilot.agent.models",
    "has_vision": "copilot.agent.models",
    "model_label": "copilot.agent.models",
    "ScriptedChatModel": "copilot.agent.scripted",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'copilot.agent' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
