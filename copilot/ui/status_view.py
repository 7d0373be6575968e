"""Reading a session's ``status()`` dict for the instrument panel: setting groups, dose used of budget, clock.

The status is a nested, JSON-friendly dict with units in its keys (see docs/contracts.md); this module finds what
the panel shows without depending on the exact nesting, so a new setting shows up without a UI change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from copilot.ui.summaries import format_value

SETTING_GROUPS = ("beam", "optics", "scan", "stage", "detector", "detectors", "afm", "feedback", "tip")


@dataclass(frozen=True)
class DoseUsage:
    used_e_per_A2: float
    budget_e_per_A2: float

    @property
    def fraction(self) -> float:
        """Used over budget, clipped to 0..1 for a progress bar (0 when the budget is not positive)."""
        if self.budget_e_per_A2 <= 0:
            return 0.0
        return min(1.0, max(0.0, self.used_e_per_A2 / self.budget_e_per_A2))

    @property
    def label(self) -> str:
        percent = 100.0 * self.used_e_per_A2 / self.budget_e_per_A2 if self.budget_e_per_A2 > 0 else 0.0
        return f"dose {format_value(self.used_e_per_A2)} of {format_value(self.budget_e_per_A2)} e⁻/Å² ({percent:.1f}%)"


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dict → ``{"a.b.c": value}`` with lists kept as values."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _find_number(flat: Mapping[str, Any], *words: str) -> float | None:
    for key, value in flat.items():
        lowered = key.lower()
        if all(word in lowered for word in words) and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def dose_usage(status: Mapping[str, Any]) -> DoseUsage | None:
    """The session dose used and its budget, or None when the status carries no budget."""
    flat = flatten(status)
    used = _find_number(flat, "dose", "used")
    budget = _find_number(flat, "dose", "budget")
    if used is None or budget is None:
        return None
    return DoseUsage(used, budget)


def clock_s(status: Mapping[str, Any]) -> float | None:
    """The simulated instrument clock in s."""
    flat = flatten(status)
    return _find_number(flat, "instrument_time_s") or _find_number(flat, "clock_s")


def setting_groups(status: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """The nested setting groups present in the status, each as ``(setting, formatted value)`` rows."""
    groups: dict[str, list[tuple[str, str]]] = {}
    sources = [status, *(v for v in status.values() if isinstance(v, Mapping))]
    for source in sources:
        for name in SETTING_GROUPS:
            value = source.get(name)
            if isinstance(value, Mapping) and name not in groups:
                groups[name] = [(key, _format_setting(v)) for key, v in flatten(value).items()]
    return groups


def _format_setting(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return "—" if value is None else format_value(value)


def specimen_line(status: Mapping[str, Any]) -> str:
    """``graphene · seed 0 · STEM``: the loaded specimen, its seed and the instrument."""
    parts = [str(status.get("specimen") or "no specimen")]
    if status.get("seed") is not None:
        parts.append(f"seed {status['seed']}")
    if status.get("instrument"):
        parts.append(str(status["instrument"]))
    return " · ".join(parts)
