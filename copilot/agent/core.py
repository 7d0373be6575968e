"""``CopilotAgent``: one conversation with the microscope, over the MCP tools, as a stream of typed events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import aiosqlite
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware, InterruptOnConfig, ToolCallLimitMiddleware
from langchain_core._api import suppress_langchain_beta_warning
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from copilot.agent.approvals import pending_items, public, resume_command
from copilot.agent.errors import explain_model_error
from copilot.agent.events import AgentEvent, ApprovalNeeded, ErrorEvent, Final
from copilot.agent.middleware import ImageRepostMiddleware
from copilot.agent.models import OFFLINE, build_chat_model, has_vision, model_label
from copilot.agent.stream import EventTranslator
from copilot.agent.toolbox import approval_rules
from copilot.prompts import PROMPTS_DIR

with suppress_langchain_beta_warning():
    from langchain.mcp import MCPAdapter

ApprovalPolicy = Literal["ask", "auto_approve", "auto_reject"]
PROMPT_PATH = PROMPTS_DIR / "system.md"
DEFAULT_MAX_TOOL_CALLS = 25


def system_prompt() -> str:
    """The system prompt, read at run time from ``prompts/system.md``."""
    return PROMPT_PATH.read_text(encoding="utf-8")


class CopilotAgent:
    """An agent over the microscope tools; build it with ``await CopilotAgent.create(...)``.

    ``run(text)`` streams one user turn. A turn pauses with an ``ApprovalNeeded`` event before a destructive call
    and when the server asks for a person's approval of an over-dose acquisition (an MCP elicitation; its items
    carry the figures and the safe alternative, see :mod:`copilot.agent.approvals`). With ``approval="ask"`` the
    turn then waits for ``resume(approve=..., use_safe=...)``; with ``"auto_approve"``/``"auto_reject"`` the event
    is still emitted and the policy answers at once. Every finished turn ends with exactly one ``Final``.
    """

    def __init__(
        self,
        graph: Any,
        adapter: MCPAdapter,
        rules: dict[str, InterruptOnConfig],
        *,
        label: str,
        thread_id: str,
        approval: ApprovalPolicy,
        connection: aiosqlite.Connection | None,
    ) -> None:
        self._graph = graph
        self._adapter = adapter
        self._rules = rules
        self._config: Any = {"configurable": {"thread_id": thread_id}, "recursion_limit": 200}
        self._connection = connection
        self.model_label = label
        self.thread_id = thread_id
        self.approval = approval

    @classmethod
    async def create(
        cls,
        session: Any,
        model: str = OFFLINE,
        thread_id: str = "main",
        checkpoint_path: Path | str | None = None,
        mcp_url: str | None = None,
        approval: ApprovalPolicy = "ask",
        max_tool_calls: int = DEFAULT_MAX_TOOL_CALLS,
        chat_model: BaseChatModel | None = None,
        vision: bool | None = None,
        server: Any = None,
    ) -> CopilotAgent:
        """Connect to the tools, open the checkpoint store and build the agent.

        ``session``: the microscope session the in-memory server runs over (ignored with ``mcp_url`` or
        ``server``). ``checkpoint_path``: SQLite file of the conversation (default ``<session.data_dir>/
        checkpoints.sqlite``; in memory when there is neither). ``chat_model``: any chat model to use instead of
        the one named by ``model`` (``model`` then only labels it). ``vision``: force image re-posting on or off.
        """
        if approval not in ("ask", "auto_approve", "auto_reject"):
            raise ValueError(f"approval must be 'ask', 'auto_approve' or 'auto_reject', not {approval!r}")
        if max_tool_calls < 1:
            raise ValueError(f"max_tool_calls must be at least 1, not {max_tool_calls}")
        llm = chat_model if chat_model is not None else build_chat_model(model)
        target = mcp_url or server
        if target is None:
            from copilot.tools import create_server  # type: ignore[attr-defined]

            target = create_server(session)
        adapter = MCPAdapter(target)
        await adapter.__aenter__()
        try:
            tools = await adapter.list_tools()
            rules = approval_rules(tools)
            checkpointer, connection = await _open_checkpointer(session, checkpoint_path)
        except BaseException:
            await adapter.__aexit__(None, None, None)
            raise
        middleware: list[Any] = [
            HumanInTheLoopMiddleware(dict(rules), description_prefix="Needs approval"),
            ToolCallLimitMiddleware(run_limit=max_tool_calls, exit_behavior="end"),
            ImageRepostMiddleware(vision=has_vision(model, vision)),
        ]
        graph = create_agent(
            llm,
            tools,
            system_prompt=system_prompt(),
            middleware=middleware,
            checkpointer=checkpointer,
        )
        return cls(
            graph,
            adapter,
            rules,
            label=_label(model, chat_model),
            thread_id=thread_id,
            approval=approval,
            connection=connection,
        )

    async def run(self, user_text: str) -> AsyncIterator[AgentEvent]:
        """Stream one user turn (see the class docstring)."""
        if await self.pending_approval():
            message = "An action is still waiting for approval; answer it before sending a new request."
            yield ErrorEvent(message)
            yield Final(text=message, model=self.model_label)
            return
        async for event in self._drive({"messages": [HumanMessage(user_text)]}):
            yield event

    async def resume(self, approve: bool, use_safe: bool = False) -> AsyncIterator[AgentEvent]:
        """Answer the pending approval (all its calls at once) and stream the rest of the turn. ``use_safe``
        approves the safe alternative the server offered instead of the dose asked for (where there is one)."""
        pending = await self._pending()
        if not pending:
            message = "Nothing is waiting for approval."
            yield ErrorEvent(message)
            yield Final(text=message, model=self.model_label)
            return
        async for event in self._drive(resume_command(pending, approve, use_safe)):
            yield event

    async def pending_approval(self) -> tuple[dict[str, Any], ...]:
        """The calls waiting for a decision (also after a restart, read from the checkpoint), else empty."""
        return public([item for _, items in await self._pending() for item in items])

    async def _pending(self) -> list[Any]:
        state = await self._graph.aget_state(self._config)
        if not state.interrupts:
            return []
        return pending_items(state.interrupts, state.values.get("messages", []), self._rules)

    async def _drive(self, graph_input: Any) -> AsyncIterator[AgentEvent]:
        translator = EventTranslator()
        while True:
            try:
                async for mode, chunk in self._graph.astream(
                    graph_input, self._config, stream_mode=["messages", "updates"]
                ):
                    for event in translator.feed(mode, chunk):
                        yield event
            except Exception as error:  # the endpoint or a tool transport failed: say so, keep the thread
                message = explain_model_error(error)
                yield ErrorEvent(message, recoverable=True)
                yield Final(text=message, model=self.model_label, usage=translator.usage)
                return
            pending = await self._pending()
            if not pending:
                break
            yield ApprovalNeeded(requests=public([item for _, items in pending for item in items]))
            if self.approval == "ask":
                return
            graph_input = resume_command(pending, self.approval == "auto_approve", use_safe=False)
        last = await self._last_ai_message()
        if last is not None and last.invalid_tool_calls and not last.tool_calls:
            message = _malformed_calls_message(last)
            yield ErrorEvent(message, recoverable=True)
            yield Final(text=message, model=self.model_label, usage=translator.usage)
            return
        yield Final(text=last.text if last is not None else "", model=self.model_label, usage=translator.usage)

    async def _last_ai_message(self) -> AIMessage | None:
        state = await self._graph.aget_state(self._config)
        return next((m for m in reversed(state.values.get("messages", [])) if isinstance(m, AIMessage)), None)

    async def history(self) -> list[Any]:
        """The conversation's messages so far (from the checkpoint)."""
        state = await self._graph.aget_state(self._config)
        return list(state.values.get("messages", []))

    async def aclose(self) -> None:
        """Disconnect from the tools and close the checkpoint store."""
        await self._adapter.__aexit__(None, None, None)
        if self._connection is not None:
            await self._connection.close()


def _label(model: str, chat_model: BaseChatModel | None) -> str:
    if chat_model is None:
        return model_label(model)
    return type(chat_model).__name__ if model == OFFLINE else model


def _malformed_calls_message(message: AIMessage) -> str:
    """What to tell the user when the model's tool calls could not be parsed (nothing was run)."""
    names = ", ".join(sorted({str(c.get("name") or "a tool") for c in message.invalid_tool_calls}))
    said = f" It also said: {message.text}" if message.text else ""
    return (
        f"The model sent a call to {names} whose arguments are not valid JSON, so nothing was run. "
        f"Ask again, or try another model.{said}"
    )


async def _open_checkpointer(
    session: Any, checkpoint_path: Path | str | None
) -> tuple[BaseCheckpointSaver[Any], aiosqlite.Connection | None]:
    data_dir = getattr(session, "data_dir", None)
    if checkpoint_path is None and data_dir is not None:
        checkpoint_path = Path(data_dir) / "checkpoints.sqlite"
    if checkpoint_path is None:
        return InMemorySaver(), None
    Path(checkpoint_path).parent.mkdir(parents=True, exist_ok=True)
    connection = await aiosqlite.connect(str(checkpoint_path))
    return AsyncSqliteSaver(connection), connection
