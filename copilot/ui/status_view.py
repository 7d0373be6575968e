"""Reading a session's ``status()`` dict for the instrument panel: setting groups, dose used of budget, clock.

The status is a nested, JSON-friendly dict with units in its keys (see docs/contracts.md); this module finds what
the panel shows without depending on the exact nesting, so a new setting shows up without a UI change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from copilot.ui.summaries import format_value

NEAR_LIMIT_FRACTION = 0.8
DOSE_COLOURS = {"ok": "#1f77b4", "near": "#f0a30a", "over": "#d62728"}
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
    def percent(self) -> float:
        return 100.0 * self.used_e_per_A2 / self.budget_e_per_A2 if self.budget_e_per_A2 > 0 else 0.0

    @property
    def label(self) -> str:
        used, budget = format_value(self.used_e_per_A2), format_value(self.budget_e_per_A2)
        return f"dose {used} of {budget} e⁻/Å² ({self.percent:.1f}%)"

    @property
    def level(self) -> str:
        """``ok``, ``near`` (from ``NEAR_LIMIT_FRACTION`` of the budget) or ``over`` (past the budget)."""
        if self.percent > 100.0:
            return "over"
        return "near" if self.percent >= 100.0 * NEAR_LIMIT_FRACTION else "ok"

    def bar_html(self) -> str:
        """The dose bar: blue while well within the budget, amber near it, red past it."""
        colour = DOSE_COLOURS[self.level]
        return (
            f'<div class="copilot-dose" data-level="{self.level}" style="font-size:14px">'
            f'<div style="margin-bottom:4px">{self.label}</div>'
            '<div style="height:8px;border-radius:4px;background:rgba(128,128,128,0.25)">'
            f'<div style="height:8px;border-radius:4px;width:{100 * self.fraction:.1f}%;background:{colour}"></div>'
            "</div></div>"
        )


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


def afm_line(status: Mapping[str, Any]) -> str | None:
    """For an AFM session, what matters instead of an electron dose: engaged or not, the setpoint, the tip's
    radius, scanned distance and crashes (None for a STEM session)."""
    if str(status.get("instrument", "")).upper() != "AFM":
        return None
    flat = flatten(status.get("settings") or {})
    parts = ["engaged" if flat.get("engaged") else "withdrawn"]
    for key, words in (
        ("feedback.setpoint_nm", "setpoint"),
        ("tip.radius_nm", "tip radius"),
        ("tip.scanned_distance_um", "scanned"),
    ):
        value = flat.get(key)
        if isinstance(value, int | float):
            unit = "nm" if key.endswith("_nm") else "µm"
            parts.append(f"{words} {format_value(float(value))} {unit}")
    if flat.get("tip.damaged"):
        parts.append("tip damaged")
    crashes = flat.get("tip.crashes", flat.get("crashes"))
    if isinstance(crashes, int):
        parts.append(f"{crashes} crash{'es' if crashes != 1 else ''}")
    return " · ".join(parts)
