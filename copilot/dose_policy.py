"""The session's dose rule as pure functions: the planned dose of a spectrum map, and whether a planned dose
stays within the session budget and the critical dose.

:meth:`copilot.session.Session.check_dose` applies the rule (and the approval policy) before every acquisition.
"""

from __future__ import annotations

from dataclasses import dataclass

from copilot.errors import CopilotError
from copilot.twin.dose import dose_e_per_A2, electrons
from copilot.twin.errors import InvalidSettingError


class DoseBudgetError(CopilotError, ValueError):
    """The acquisition would exceed the session dose budget or an area's critical dose."""

    hint = "Lower the dose (shorter dwell, lower current, fewer pixels or a larger field of view) or ask for approval."


@dataclass(frozen=True)
class DoseState:
    """What the rule looks at: the session ledger, the area's prior dose and the specimen's critical dose."""

    used_e_per_A2: float
    budget_e_per_A2: float
    area_prior_e_per_A2: float
    critical_e_per_A2: float | None
    specimen: str


def dose_refusal(
    operation: str, planned_e_per_A2: float, state: DoseState, scales_with: tuple[str, float] | None = None
) -> DoseBudgetError | None:
    """The error that refuses ``operation``, or None when its planned dose breaks neither limit.

    ``scales_with`` names the setting the dose is proportional to (``("dwell_ms", 100.0)``): the error's hint then
    gives the largest value of it that fits, or says that the area has no dose left.
    """
    problems, room = [], state.budget_e_per_A2 - state.used_e_per_A2
    if planned_e_per_A2 > room:
        problems.append(
            f"it would bring the session dose to {state.used_e_per_A2 + planned_e_per_A2:.3g} e-/A^2, "
            f"over the budget of {state.budget_e_per_A2:.3g} e-/A^2"
        )
    critical = state.critical_e_per_A2
    if critical is not None and state.area_prior_e_per_A2 + planned_e_per_A2 > critical:
        room = min(room, critical - state.area_prior_e_per_A2)
        problems.append(
            f"this area has had {state.area_prior_e_per_A2:.3g} e-/A^2 and would reach "
            f"{state.area_prior_e_per_A2 + planned_e_per_A2:.3g}, over the critical dose of {critical:.3g} e-/A^2 "
            f"of {state.specimen}"
        )
    if not problems:
        return None
    hint = None
    if scales_with is not None and room > 0:
        name, value = scales_with
        hint = f"At most {name}={value * room / planned_e_per_A2:.3g} fits; or lower the current, or ask for approval."
    elif scales_with is not None:
        hint = "This area has no dose left: move to a fresh area (see get_dose_map) or ask for approval."
    return DoseBudgetError(f"{operation} needs {planned_e_per_A2:.3g} e-/A^2, but {'; and '.join(problems)}.", hint)


def map_dose_e_per_A2(current_pa: float, dwell_ms: float, step_nm: float) -> float:
    """Dose of a spectrum image: ``dwell_ms`` of a ``current_pa`` beam per square pixel of side ``step_nm``.

    A step too small to represent is an InvalidSettingError, not a division by zero.
    """
    if not step_nm * step_nm > 0:
        raise InvalidSettingError(f"a map step of {step_nm:g} nm is too small.", hint="Map a region >= 0.001 nm.")
    return dose_e_per_A2(electrons(current_pa, dwell_ms * 1e-3), step_nm * step_nm)
