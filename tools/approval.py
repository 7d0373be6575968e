"""A person, not the model, approves an acquisition over the dose budget or an area's critical dose.

No tool takes an approval argument. Before an acquisition runs, :class:`DoseGate` asks the session whether the
dose rule refuses it (:meth:`copilot.session.Session.dose_refusal`). If it does, the server's policy decides:

- ``allow``: run it (a person running the server accepted every over-dose in advance);
- ``deny``: refuse it (the model reads the refusal and the largest setting that fits);
- ``elicit`` (default): ask the person through the MCP client with an elicitation: the question states the dose
  the area would reach, the limit and the safe alternative; the answer is ``approve``, ``use_safe_setting``
  (run with the safe alternative instead) or a decline/cancel (nothing runs). A client that cannot elicit gets
  the refusal, with the reason. The model sees only the outcome, never the question.

Both protocol eras are served: on 2026-07-28 connections the tool returns an ``InputRequiredResult`` and reads the
answer when the client retries (the sealed ``request_state`` names the one question it answers, so an answer cannot
be forged or replayed); on handshake-era connections (mcp 1.x clients) the server sends ``elicitation/create``.
The question's ``decision`` property carries the figures and the safe alternative under :data:`FIGURES_KEY` and
:data:`SAFE_KEY`, for clients (the in-process agent, the chat UI) that show them as numbers.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Literal

from fastmcp import Context
from mcp.types import (
    ClientCapabilities,
    ElicitationCapability,
    ElicitRequest,
    ElicitRequestFormParams,
    ElicitResult,
    InputRequiredResult,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from copilot.dose_policy import DoseBudgetError
from copilot.session import Session

from .common import quick

ApprovalMode = Literal["elicit", "deny", "allow"]
APPROVAL_MODES: tuple[ApprovalMode, ...] = ("elicit", "deny", "allow")
QUESTION_KEY = "dose_approval"
APPROVE, USE_SAFE = "approve", "use_safe_setting"
FIGURES_KEY = "x-copilot-figures"
SAFE_KEY = "x-copilot-safe-alternative"


@dataclass(frozen=True)
class Go:
    """May run: ``approved`` when a person (or the ``allow`` policy) approved the dose; ``arguments`` replace the
    call's arguments when the person chose the safe alternative."""

    approved: bool = False
    arguments: dict[str, Any] | None = None


def question_schema(refusal: DoseBudgetError) -> dict[str, Any]:
    """The elicitation form: one ``decision`` (approve, or use the safe setting when there is one)."""
    choices = [APPROVE, *([USE_SAFE] if refusal.safe_alternative else [])]
    safe = ", ".join(f"{k}={v:g}" for k, v in (refusal.safe_alternative or {}).items())
    decision = {
        "type": "string",
        "title": "Decision",
        "enum": choices,
        "description": "approve: run as asked" + (f"; use_safe_setting: run with {safe} instead" if safe else ""),
        FIGURES_KEY: refusal.figures,
        SAFE_KEY: refusal.safe_alternative,
    }
    return {"type": "object", "properties": {"decision": decision}, "required": ["decision"]}


def _refused(refusal: DoseBudgetError, why: str) -> DoseBudgetError:
    """The refusal the model reads: the dose rule's message, why nobody approved it, and what fits."""
    return DoseBudgetError(f"{refusal.args[0]} {why} Nothing was acquired.", refusal.hint or None)


def can_elicit(ctx: Context) -> bool:
    """Whether the calling client declared the elicitation capability."""
    try:
        session = ctx.session
    except RuntimeError:
        return False
    return bool(session.check_client_capability(ClientCapabilities(elicitation=ElicitationCapability())))


class DoseGate:
    """Decides, per acquisition, whether it may run (see the module docstring)."""

    def __init__(self, session: Session, mode: ApprovalMode = "elicit") -> None:
        if mode not in APPROVAL_MODES:
            raise ValueError(f"approval must be one of {APPROVAL_MODES}, not {mode!r}")
        self.session = session
        self.mode = mode
        self._asked: dict[str, float] = {}  # open questions: nonce -> dose the person was shown
        self._lock = threading.Lock()

    async def check(self, ctx: Context | None, operation: str, args: dict[str, Any]) -> Go | InputRequiredResult:
        """``Go`` to run ``operation(**args)``, an ``InputRequiredResult`` to return (the question, 2026-07-28), or
        a raised :class:`DoseBudgetError` when it must not run."""
        refusal = await quick(lambda: self.session.dose_refusal(operation, args), self.session.lock)
        if refusal is None:
            return Go()
        if self.mode == "allow":
            return Go(approved=True)
        if self.mode == "deny":
            raise _refused(refusal, "This server refuses over-dose acquisitions (copilot serve --approval deny).")
        if ctx is None or not can_elicit(ctx):
            raise _refused(refusal, "It needs a person's approval, but this MCP client cannot ask (no elicitation).")
        rc = ctx.request_context
        if rc is not None and rc.protocol_version in MODERN_PROTOCOL_VERSIONS:
            answer = self._answer_to_open_question(ctx, refusal)
            if answer is None:
                return self._ask(refusal, operation)
        else:
            answer = await ctx.session.elicit(
                message=refusal.question, requested_schema=question_schema(refusal), related_request_id=ctx.request_id
            )
        return self._decide(refusal, answer, args)

    def _ask(self, refusal: DoseBudgetError, operation: str) -> InputRequiredResult:
        nonce = secrets.token_urlsafe(16)
        with self._lock:
            self._asked[nonce] = float(refusal.figures.get("dose_would_reach_e_per_A2", 0.0))
        params = ElicitRequestFormParams(message=refusal.question, requested_schema=question_schema(refusal))
        return InputRequiredResult(
            input_requests={QUESTION_KEY: ElicitRequest(params=params)},
            request_state=json.dumps({"question": nonce, "operation": operation}),
        )

    def _answer_to_open_question(self, ctx: Context, refusal: DoseBudgetError) -> ElicitResult | None:
        """The answer to a question this gate asked (and has not had answered), when it still shows the dose the
        acquisition would now reach; otherwise None (ask again)."""
        responses, state = ctx.input_responses, ctx.request_state
        if not responses or not state or QUESTION_KEY not in responses:
            return None
        try:
            nonce = str(json.loads(state)["question"])
        except (ValueError, KeyError, TypeError):
            return None
        with self._lock:
            shown = self._asked.pop(nonce, None)
        answer = responses[QUESTION_KEY]
        reach = float(refusal.figures.get("dose_would_reach_e_per_A2", 0.0))
        if shown is None or not isinstance(answer, ElicitResult) or reach > shown * (1 + 1e-9):
            return None
        return answer

    @staticmethod
    def _decide(refusal: DoseBudgetError, answer: ElicitResult, args: dict[str, Any]) -> Go:
        if answer.action != "accept":
            word = "declined" if answer.action == "decline" else "cancelled"
            raise _refused(refusal, f"The person {word} it.")
        decision = (answer.content or {}).get("decision")
        if decision == USE_SAFE and refusal.safe_alternative:
            return Go(arguments={**args, **refusal.safe_alternative})
        if decision == APPROVE:
            return Go(approved=True)
        raise _refused(refusal, f"The answer {decision!r} is neither {APPROVE} nor {USE_SAFE}.")
