"""`copilot eval compare A.json B.json`: what changed between two runs, overall, per category and per task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copilot.eval.results import key_of


@dataclass(frozen=True)
class Change:
    section: str  # overall | category | task
    name: str
    pass_a: float | None  # None when the row is missing from that run
    pass_b: float | None
    partial_a: float | None
    partial_b: float | None

    @property
    def delta(self) -> float:
        return (self.pass_b or 0.0) - (self.pass_a or 0.0)


def _rows(report: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    if section == "overall":
        return {"overall": report["overall"]}
    return {s["name"]: s for s in report["categories" if section == "category" else "tasks"]}


def compare_reports(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Rows of both reports side by side: overall, every category, every task (in either run)."""
    changes = []
    for section in ("overall", "category", "task"):
        ra, rb = _rows(a, section), _rows(b, section)
        for name in sorted(set(ra) | set(rb)):
            sa, sb = ra.get(name), rb.get(name)
            changes.append(
                Change(
                    section,
                    name,
                    sa["pass_at_1"] if sa else None,
                    sb["pass_at_1"] if sb else None,
                    sa["partial_credit"] if sa else None,
                    sb["partial_credit"] if sb else None,
                )
            )
    return changes


def flipped_episodes(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Episode keys that went from fail to pass (fixed) and from pass to fail (broken)."""

    def outcome(report: dict[str, Any]) -> dict[str, bool]:
        return {key_of(e): e["success"] for e in report["episodes"]}

    oa, ob = outcome(a), outcome(b)
    common = sorted(set(oa) & set(ob))
    fixed = [k for k in common if not oa[k] and ob[k]]
    broken = [k for k in common if oa[k] and not ob[k]]
    return fixed, broken
