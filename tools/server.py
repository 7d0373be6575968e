"""The server factory: one FastMCP server over a caller-owned Session (no module-level state).

Tool areas plug in through ``register_<area>_tools(mcp, session)`` functions, one module per area.
"""

from __future__ import annotations

import threading
from typing import Any

from fastmcp import FastMCP
from fastmcp.server.auth import AuthProvider
from fastmcp.server.middleware import Middleware, MiddlewareContext

from copilot.session import Session

from .afm import register_afm_tools
from .analysis import register_analysis_tools
from .approval import ApprovalMode, DoseGate
from .common import SessionProxy, current_session
from .data import register_data_tools
from .instrument import register_instrument_tools
from .journaling import JournalToolCalls
from .prompts import register_prompts
from .resources import register_resources

INSTRUCTIONS = """\
Tools of a (simulated) scanning transmission electron microscope and atomic force microscope.
Start with get_status. Survey at a large field of view, then zoom in. Every acquisition doses the specimen:
keep the peak dose within the session budget shown by get_status; an acquisition over the budget or over a
beam-sensitive specimen's critical dose runs only if the person approves it when the server asks them.
Acquisitions return numbers with units, a preview image and an acq://{id} resource with the full data."""


class ClientSessions(Middleware):
    """Gives each MCP client its own Session (created on first use) for the duration of each request.

    A client is identified by fastmcp's session scope: the MCP session id on handshake-era connections, the
    authenticated user on stateless HTTP, the process on stdio and in memory. Unauthenticated stateless HTTP
    requests carry nothing that identifies a client, so they share the base session.
    """

    def __init__(self, base: Session) -> None:
        self.base = base
        self.sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def session_for(self, key: str | None) -> Session:
        if key is None:
            return self.base
        with self._lock:
            if key not in self.sessions:
                self.sessions[key] = self.base.spawn(f"client-{len(self.sessions) + 1:03d}")
            return self.sessions[key]

    async def on_message(self, context: MiddlewareContext[Any], call_next: Any) -> Any:
        ctx = context.fastmcp_context
        key = None
        if ctx is not None and ctx.request_context is not None:
            # fastmcp's own notion of "the same client across requests" (private, no public equivalent yet)
            key = ctx._session_scope_key()
        token = current_session.set(self.session_for(key))
        try:
            return await call_next(context)
        finally:
            current_session.reset(token)


def create_server(
    session: Session,
    *,
    session_per_client: bool = False,
    auth: AuthProvider | None = None,
    approval: ApprovalMode = "elicit",
) -> FastMCP:
    """Build the MCP server over ``session`` (the caller owns and closes it).

    With ``session_per_client`` every client gets its own session (and data sub-folder ``clients/client-NNN``)
    cloned from ``session``'s specimen, seed and dose budget; otherwise all clients share one instrument, like a
    real microscope, and their calls are serialised by the session lock. Every tool call is journaled once on
    the session that served it (:class:`copilot.tools.journaling.JournalToolCalls`). ``auth`` guards the HTTP transport
    (for example a bearer-token verifier, see :func:`copilot.tools.cli.serve`). ``approval`` is the policy for
    acquisitions over the dose budget or a critical dose (:mod:`copilot.tools.approval`): ask the person through
    the client (``elicit``, refusing when the client cannot ask), ``deny`` or ``allow``.
    """

    mcp = FastMCP(name="microscope-copilot", instructions=INSTRUCTIONS, auth=auth)
    target = session
    if session_per_client:
        mcp.add_middleware(ClientSessions(session))
        target = SessionProxy(session)
    mcp.add_middleware(JournalToolCalls(session))  # after ClientSessions: journals on the caller's session
    register_instrument_tools(mcp, target, DoseGate(target, approval))
    register_data_tools(mcp, target)
    register_resources(mcp, target)
    register_analysis_tools(mcp, target)
    register_afm_tools(mcp, target)
    register_prompts(mcp)
    return mcp
