"""What a microscopist does next when a step worked but its result says it is not good enough yet.

A step's result can ask for more than a retry of the same call: an autofocus whose sharpest frame is at the edge
of its series (``focus_passes``), or an analysis that could not see single columns in a read-noise-limited frame
(``signal_retry``). ``follow_up`` asks each rule the planner passes in turn; a rule gives the calls to run next,
whether the step is then run again (on the new data) and the sentence the answer says about it. A call's
arguments may be worked out when it is reached, from the outcomes then (``LazyArgs``), or come out as the reason
it is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from copilot.agent.offline.clauses import Constraint
from copilot.agent.offline.outcomes import Outcome

LazyArgs = Callable[[Sequence[Outcome]], dict[str, Any] | str]
"""Arguments worked out from the outcomes when the call is reached, or the reason to skip it."""
Call = tuple[str, dict[str, Any] | LazyArgs]

MAX_FOLLOW_UPS = 3
"""Follow-ups per planned step (two widenings of a focus series and one fine pass at most)."""


@dataclass(frozen=True)
class Context:
    """What a rule may not do or exceed: the forbidden tools and arguments, the request's limits, the status read
    first (None when none was), and the server's tool schemas (ranges)."""

    forbidden: dict[str, tuple[str, ...]] = field(default_factory=dict)  # tool -> forbidden args (empty: all)
    limits: tuple[Constraint, ...] = ()
    status: dict[str, Any] | None = None
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)

    def allows(self, tool: str, argument: str | None = None) -> bool:
        """Whether the request lets ``tool`` run (with ``argument``)."""
        if tool not in self.forbidden:
            return True
        banned = self.forbidden[tool]
        return bool(banned) and argument is not None and argument not in banned

    def maximum(self, tool: str, argument: str) -> float | None:
        """The largest value the tool's schema takes for ``argument``, if it says."""
        schema = (self.schemas.get(tool, {}).get("properties") or {}).get(argument) or {}
        for option in [schema, *schema.get("anyOf", [])]:
            if isinstance(option.get("maximum"), int | float):
                return float(option["maximum"])
        return None


def context_of(
    constraints: Sequence[Constraint], status: dict[str, Any] | None, schemas: dict[str, dict[str, Any]]
) -> Context:
    """The follow-up context of a request's constraints."""
    forbidden: dict[str, tuple[str, ...]] = {}
    for c in (c for c in constraints if c.kind == "forbid"):
        for tool in c.tools:
            before = forbidden.get(tool)
            if not c.arguments or before == ():
                forbidden[tool] = ()
            else:
                forbidden[tool] = tuple(dict.fromkeys([*(before or ()), *c.arguments]))
    limits = tuple(c for c in constraints if c.kind == "limit")
    return Context(forbidden, limits, status, schemas)


@dataclass(frozen=True)
class FollowUp:
    """The calls to run after a result, whether the step then runs again, and what the answer says about it."""

    calls: list[Call]
    retry: bool
    reason: str


Rule = Callable[[Outcome, Sequence[Outcome], Context], FollowUp | None]


def follow_up(outcome: Outcome, seen: Sequence[Outcome], context: Context, rules: Sequence[Rule]) -> FollowUp | None:
    """The first rule's follow-up of ``outcome`` (the newest of ``seen``), or None when it is good enough."""
    for rule in rules:
        found = rule(outcome, seen, context)
        if found is not None:
            return found
    return None
