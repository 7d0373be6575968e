"""The registry of check kinds, and scoring an episode with a task's checks.

Every kind a task file may name under ``checks: - type:`` is listed in :data:`CHECK_KINDS`, explicitly: a new check
class is added here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from copilot.eval import checks, facts, leaks, trajectory
from copilot.eval.check_base import Check, CheckResult
from copilot.eval.episode import Episode

CHECK_KINDS: dict[str, type[Check]] = {
    cls.kind: cls
    for cls in (
        checks.StateCheck,
        checks.MeasureCheck,
        checks.NoSleepwalkingCheck,
        checks.DoseCheck,
        checks.NoGuardViolationCheck,
        checks.RefusalCheck,
        checks.FeasibilityCheck,
        checks.BudgetCheck,
        facts.FactCheck,
        trajectory.TrajectoryCheck,
        leaks.NoLeakCheck,
    )
}

TruthRequest = tuple[str, dict[str, Any]]


def build_check(spec: dict[str, Any]) -> Check:
    """The scorer for one ``checks:`` entry."""
    try:
        return CHECK_KINDS[spec["type"]](spec)
    except KeyError:
        raise ValueError(f"unknown check type {spec.get('type')!r}; known: {sorted(CHECK_KINDS)}") from None


def always_on(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checks every task gets besides its own: the budget, and no leak when it has facts to state."""
    extra = [] if any(s["type"] == "budget" for s in specs) else [{"type": "budget"}]
    if any(s["type"] == facts.FactCheck.kind for s in specs):
        extra.append(leaks.leak_check_spec(specs))
    return extra


def score_episode(specs: list[dict[str, Any]], ep: Episode) -> list[CheckResult]:
    """Every check of a task plus the always-on ones, in task order."""
    return [build_check(s).evaluate(ep) for s in [*specs, *always_on(specs)]]


def truth_requests(specs: list[dict[str, Any]]) -> list[TruthRequest]:
    """The ground-truth quantities all checks of a task need, without duplicates."""
    seen: list[TruthRequest] = []
    for spec in specs:
        for req in build_check(spec).truth_names():
            if req not in seen:
                seen.append(req)
    return seen
