"""The session's dose rule as pure functions: the planned dose of a spectrum map, and whether a planned dose
stays within the session budget and the critical dose.

:meth:`copilot.session.Session.dose_refusal` applies the rule before every acquisition. A refusal carries the
figures a person needs to decide (``figures``: the dose it would reach, the limit it breaks, the largest setting
that fits) and the arguments of the safe alternative (``safe_alternative``), so that an approval request can show
them; see :mod:`copilot.tools.approval`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from copilot.errors import CopilotError
from copilot.twin.dose import dose_e_per_A2, electrons
from copilot.twin.errors import InvalidSettingError


class DoseBudgetError(CopilotError, ValueError):
    """The acquisition would exceed the session dose budget or an area's critical dose."""

    hint = "Lower the dose (shorter dwell, lower current, fewer pixels or a larger field of view)."

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        figures: dict[str, float] | None = None,
        safe_alternative: dict[str, Any] | None = None,
        question: str = "",
    ) -> None:
        super().__init__(message, hint)
        self.figures = dict(figures or {})
        self.safe_alternative = safe_alternative
        self.question = question or message


@dataclass(frozen=True)
class DoseState:
    """What the rule looks at: the session ledger, the area's prior dose and the specimen's critical dose."""

    used_e_per_A2: float
    budget_e_per_A2: float
    area_prior_e_per_A2: float
    critical_e_per_A2: float | None
    specimen: str


Scaling = tuple[str, float, float]
"""The setting a planned dose is proportional to: (name, current value, smallest allowed value)."""


def dose_refusal(
    operation: str, planned_e_per_A2: float, state: DoseState, scales_with: Scaling | None = None
) -> DoseBudgetError | None:
    """The error that refuses ``operation``, or None when its planned dose breaks neither limit.

    The budget limits the peak areal dose anywhere on the specimen (``used_e_per_A2`` is that peak), the critical
    dose the peak in the area about to be exposed (``area_prior_e_per_A2`` is what it has had). ``scales_with``
    names the setting the dose is proportional to (``("dwell_ms", 100.0, 0.001)``: name, value, smallest allowed
    value; an integer setting such as ``("steps", 11, 3)`` is rounded down): the error then names the largest
    value of it that fits, or says that the area has no dose left.
    """
    area_reach = state.area_prior_e_per_A2 + planned_e_per_A2
    problems: list[str] = []
    limits: list[tuple[float, str]] = []  # (limit, its name)
    if area_reach > state.budget_e_per_A2:
        problems.append(
            f"the peak dose would reach {area_reach:.3g} e-/A^2, over the session budget of "
            f"{state.budget_e_per_A2:.3g} e-/A^2"
        )
        limits.append((state.budget_e_per_A2, "the session budget"))
    critical = state.critical_e_per_A2
    if critical is not None and area_reach > critical:
        problems.append(
            f"this area has had {state.area_prior_e_per_A2:.3g} e-/A^2 and would reach {area_reach:.3g}, over the "
            f"critical dose of {critical:.3g} e-/A^2 of {state.specimen}"
        )
        limits.append((critical, f"the critical dose of {state.specimen}"))
    if not problems:
        return None
    limit, limit_name = min(limits)
    room = limit - state.area_prior_e_per_A2
    figures = {
        "planned_dose_e_per_A2": planned_e_per_A2,
        "area_dose_so_far_e_per_A2": state.area_prior_e_per_A2,
        "dose_would_reach_e_per_A2": area_reach,
        "limit_e_per_A2": limit,
    }
    safe = _largest_fitting(scales_with, room, planned_e_per_A2)
    if safe is not None:
        name, value = safe
        figures[f"longest_safe_{name}" if name.startswith("dwell") else f"largest_safe_{name}"] = value
        hint = f"At most {name}={value:.3g} fits; or lower the current, or move to a fresh area."
    elif scales_with is not None:
        hint = f"Not even the smallest {scales_with[0]} fits in this area: move to a fresh area (see get_dose_map)."
    else:
        hint = None
    question = (
        f"{operation} would bring this area to {area_reach:.3g} e-/A^2, over {limit_name} ({limit:.3g} e-/A^2)"
        + (f"; the most that fits is {safe[0]}={safe[1]:.3g}." if safe is not None else "; no setting of it fits.")
    )
    return DoseBudgetError(
        f"{operation} needs {planned_e_per_A2:.3g} e-/A^2, but {'; and '.join(problems)}.",
        hint,
        figures=figures,
        safe_alternative=None if safe is None else {safe[0]: safe[1]},
        question=question,
    )


def _largest_fitting(
    scales_with: Scaling | None, room_e_per_A2: float, planned_e_per_A2: float
) -> tuple[str, float] | None:
    """The largest allowed value of the setting the dose scales with that keeps the dose within ``room`` (3
    significant digits, rounded down so it really fits), or None when not even the smallest allowed value fits."""
    if scales_with is None or room_e_per_A2 <= 0 or planned_e_per_A2 <= 0:
        return None
    name, value, smallest = scales_with
    exact = value * room_e_per_A2 / planned_e_per_A2
    if isinstance(value, int) and not isinstance(value, bool):
        fitting: float = math.floor(exact)
        return (name, int(fitting)) if fitting >= smallest else None
    scale = 10 ** (math.floor(math.log10(exact)) - 2)
    fitting = float(f"{math.floor(exact / scale * (1 - 1e-9)) * scale:.3g}")
    return (name, fitting) if fitting >= smallest else None


def map_dose_e_per_A2(current_pa: float, dwell_ms: float, step_nm: float) -> float:
    """Dose of a spectrum image: ``dwell_ms`` of a ``current_pa`` beam per square pixel of side ``step_nm``.

    A step too small to represent is an InvalidSettingError, not a division by zero.
    """
    if not step_nm * step_nm > 0:
        raise InvalidSettingError(f"a map step of {step_nm:g} nm is too small.", hint="Map a region >= 0.001 nm.")
    return dose_e_per_A2(electrons(current_pa, dwell_ms * 1e-3), step_nm * step_nm)
