"""What every check shares: the :class:`Check` base class, its :class:`CheckResult`, and snapshot helpers.

The check kinds live in :mod:`copilot.eval.checks` (state, dose, refusal, ...), :mod:`copilot.eval.facts` and
:mod:`copilot.eval.trajectory`; :mod:`copilot.eval.scoring` names them in one explicit registry. Those modules
import this one and nothing imports them back, so the check modules form no cycle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from copilot.eval.episode import Episode


@dataclass(frozen=True)
class CheckResult:
    kind: str
    passed: bool
    score: float  # partial credit in 0..1
    detail: str


class Check:
    """A scorer: ``evaluate(episode) -> CheckResult``. Subclasses set ``kind`` and read their ``spec``."""

    kind: ClassVar[str] = ""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def evaluate(self, ep: Episode) -> CheckResult:
        raise NotImplementedError

    def truth_names(self) -> list[tuple[str, dict[str, Any]]]:
        """The ground-truth quantities (name, params) this check needs the runner to compute."""
        name = self.spec.get("truth")
        return [(name, dict(self.spec.get("params") or {}))] if name else []

    def result(self, passed: bool, detail: str, score: float | None = None) -> CheckResult:
        return CheckResult(self.kind, passed, float(passed) if score is None else score, detail)


def flatten(state: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dict to dotted paths: ``{"beam": {"energy_kv": 80}} -> {"beam.energy_kv": 80}``."""
    out: dict[str, Any] = {}
    for key, value in state.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def lookup(state: dict[str, Any], path: str) -> Any:
    """The value at a dotted path; ``KeyError`` naming the missing part when it does not exist."""
    node: Any = state
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"{path!r} is not in the instrument snapshot (missing {part!r})")
        node = node[part]
    return node


def values_equal(a: Any, b: Any, tol: float = 0.0) -> bool:
    """Equality for snapshot values: numbers within ``tol`` (and 1e-9 relative), lists element-wise."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=max(tol, 1e-12))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(values_equal(x, y, tol) for x, y in zip(a, b, strict=True))
    return bool(a == b)
