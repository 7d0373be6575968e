"""Trajectory checks: actions that must happen (in order, near a true feature) and actions that must not."""

from __future__ import annotations

import math
from typing import Any

from copilot.eval.check_base import Check, CheckResult, values_equal
from copilot.eval.episode import CallRecord, Episode


def args_match(call: CallRecord, wanted: dict[str, Any]) -> bool:
    """Every wanted argument is present with an equal value (numbers within 1e-6 relative)."""
    for key, value in wanted.items():
        if key not in call.args:
            return False
        actual = call.args[key]
        if isinstance(value, int | float) and isinstance(actual, int | float) and not isinstance(value, bool):
            if not math.isclose(float(actual), float(value), rel_tol=1e-6, abs_tol=1e-9):
                return False
        elif not values_equal(actual, value):
            return False
    return True


def near(call: CallRecord, positions: list[tuple[float, float]], within_nm: float) -> bool:
    """The call was made at a specimen position within ``within_nm`` of one of ``positions``."""
    if call.specimen_xy_nm is None:
        return False
    x, y = call.specimen_xy_nm
    return any(math.hypot(x - px, y - py) <= within_nm for px, py in positions)


def matching_calls(ep: Episode, pattern: dict[str, Any], default_ok: bool | None) -> list[CallRecord]:
    """Calls of the episode that fit ``pattern`` (tool, args, ok, after_failure, near_truth)."""
    ok = pattern.get("ok", default_ok)
    positions = [(float(p[0]), float(p[1])) for p in ep.truth.get(pattern.get("near_truth", ""), [])]
    out = []
    failed_before = False
    within_nm = float(pattern.get("within_nm", 0.2))
    for call in ep.calls:
        fits = (
            call.name == pattern["tool"]
            and (ok is None or call.ok == ok)
            and args_match(call, pattern.get("args") or {})
        )
        after_ok = not pattern.get("after_failure") or failed_before
        near_ok = "near_truth" not in pattern or near(call, positions, within_nm)
        if fits and after_ok and near_ok:
            out.append(call)
        if call.name == pattern["tool"] and not call.ok:
            failed_before = True
    return out


def describe(pattern: dict[str, Any]) -> str:
    parts = [pattern["tool"]]
    if pattern.get("args"):
        parts.append(f"with {pattern['args']}")
    if pattern.get("near_truth"):
        parts.append(f"within {pattern.get('within_nm', 0.2):g} nm of a true {pattern['near_truth']}")
    if pattern.get("after_failure"):
        parts.append("succeeding after a failure")
    return " ".join(parts)


def is_subsequence(needed: list[str], seen: list[str]) -> bool:
    it = iter(seen)
    return all(name in it for name in needed)


class TrajectoryCheck(Check):
    """Required calls happened (``require``), forbidden ones did not (``forbid``), ``order`` was kept."""

    kind = "trajectory"

    def evaluate(self, ep: Episode) -> CheckResult:
        problems: list[str] = []
        parts = 0
        good = 0
        for pattern in self.spec.get("require", []):
            parts += 1
            found = len(matching_calls(ep, pattern, default_ok=True))
            need = int(pattern.get("min_count", 1))
            if found >= need:
                good += 1
            else:
                problems.append(f"missing {describe(pattern)} ({found} of {need})")
        for pattern in self.spec.get("forbid", []):
            parts += 1
            hits = matching_calls(ep, pattern, default_ok=None)
            if hits:
                problems.append(f"forbidden {describe(pattern)} happened {len(hits)} time(s)")
            else:
                good += 1
        if "order" in self.spec:
            parts += 1
            seen = [c.name for c in ep.calls if c.ok]
            if is_subsequence(list(self.spec["order"]), seen):
                good += 1
            else:
                problems.append(f"calls {self.spec['order']} not in that order (saw {seen})")
        score = good / parts if parts else 1.0
        if problems:
            return self.result(False, "; ".join(problems), score)
        return self.result(True, f"all {parts} trajectory requirement(s) met")

    def truth_names(self) -> list[tuple[str, dict[str, Any]]]:
        return [(p["near_truth"], {}) for p in self.spec.get("require", []) if "near_truth" in p]
