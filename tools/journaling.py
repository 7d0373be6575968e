"""The one journal writer: one line per MCP tool call, whatever the tool (instrument, acquisition, analysis).

:class:`JournalToolCalls` is a fastmcp middleware. It journals each ``tools/call`` request once, on the session
that served it: the tool name, the arguments as sent, ``ok`` and a short copy of the structured result, or the
error (the instrument's own error type when a :class:`~copilot.twin.errors.CopilotError` caused it, so a refusal
reads ``DoseBudgetError`` rather than ``ToolError``). Calls refused by the argument schema are journaled too.
"""

from __future__ import annotations

from typing import Any

from fastmcp.server.middleware import Middleware, MiddlewareContext
from fastmcp.tools import InputRequiredToolResult, ToolResult

from copilot.errors import CopilotError
from copilot.session import Session
from copilot.store.records import short_result

from .common import current_session


def _cause(exc: BaseException) -> BaseException:
    """The instrument error behind a translated ToolError, else ``exc`` itself."""
    cause = exc.__cause__
    return cause if isinstance(cause, CopilotError) else exc


class JournalToolCalls(Middleware):
    """Journal every tool call on the calling client's session (``base`` unless a per-client session is set).

    Add it after :class:`copilot.tools.server.ClientSessions` so the per-client session is known when it runs.
    """

    def __init__(self, base: Session) -> None:
        self.base = base

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: Any) -> Any:
        session = current_session.get(self.base)
        tool = str(context.message.name)
        args = dict(context.message.arguments or {})
        try:
            result = await call_next(context)
        except Exception as exc:
            session.record(tool, args, error=_cause(exc))
            raise
        if isinstance(result, InputRequiredToolResult):  # the server asked the person; the call comes again
            asked = sorted(result.input_required.input_requests or {})
            session.record(tool, args, result={"input_required": asked})
            return result
        structured = result.structured_content if isinstance(result, ToolResult) else None
        session.record(tool, args, result=short_result(structured) if isinstance(structured, dict) else {})
        return result
