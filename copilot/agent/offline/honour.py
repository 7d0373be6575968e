"""Hold a plan to the request's constraints: forbidden actions never run, limits are checked or the plan declines.

A forbidden step is dropped and the answer says so. A limit on a setting is checked against every value the plan
sets and against the instrument's present value (from the status read first): a plan that would break it runs
nothing and says why. A dose limit is checked against the dose the plan's frames would deliver. A limit these
checks cannot cover (an ambiguous length, a drift rate) is said to be beyond the planner, and nothing runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.clauses import Constraint
from copilot.agent.offline.safety import frame_dose_e_per_A2
from copilot.agent.offline.steps import Step
from copilot.agent.summary import format_number

TARGETS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("current", "", "set_beam", "current_pa", ("beam", "current_pa")),
    ("energy", "", "set_beam", "energy_kv", ("beam", "energy_kv")),
    ("mrad", "", "set_optics", "convergence_mrad", ("optics", "convergence_mrad")),
    ("time", r"dwell|per pixel|pixel time|\bscan", "set_scan", "dwell_us", ("scan", "dwell_us")),
    ("length", r"field|fov|view|scan size", "set_scan", "fov_nm", ("scan", "fov_nm")),
    ("length", r"defocus|focus", "set_optics", "defocus_nm", ("optics", "defocus_nm")),
    ("length", r"setpoint", "set_feedback", "setpoint_nm", ("feedback", "setpoint_nm")),
    ("pixels", "", "set_scan", "pixels", ("scan", "pixels")),
    ("frequency", "", "set_afm_scan", "rate_hz", ("scan", "rate_hz")),
    ("angle", r"tilt|alpha", "move_stage", "alpha_deg", ("stage", "alpha_deg")),
)
"""(dimension, words that must name it, tool, argument, status path under settings) for each bounded setting."""
UNIT = {"current": "pA", "energy": "kV", "mrad": "mrad", "time": "µs", "length": "nm", "pixels": "px"}
UNIT |= {"frequency": "Hz", "angle": "°", "dose": "e⁻/Å²"}
ACQUIRING = ("acquire_image", "acquire_afm_image", "acquire_spectrum", "acquire_spectrum_image", "autofocus")


def target(constraint: Constraint, schemas: dict[str, dict[str, Any]]) -> tuple[str, str, tuple[str, ...]] | None:
    """(tool, argument, status path) the limit bounds, when the words and the server's schemas say which."""
    for dimension, words, tool, argument, path in TARGETS:
        if constraint.dimension != dimension or (words and not re.search(words, constraint.said)):
            continue
        properties = schemas.get(tool, {}).get("properties")
        if properties is None or argument in properties:
            return tool, argument, path
    return None


def breaks(constraint: Constraint, value: float) -> bool:
    """Whether ``value`` is outside the limit."""
    limit = float(constraint.value or 0.0)
    return value > limit if constraint.bound == "max" else value < limit


def apply_forbidden(steps: Sequence[Step], constraints: Sequence[Constraint]) -> tuple[list[Step], list[str]]:
    """The steps without what a constraint forbids (a whole call, or only the forbidden arguments of it), and what
    was left out (for the answer)."""
    forbids = [c for c in constraints if c.kind == "forbid"]
    kept: list[Step] = []
    notes: list[str] = []
    for step in steps:
        hits = [c for c in forbids if step.tool in c.tools]
        whole = [c for c in hits if not c.arguments or not isinstance(step.args, dict)]
        banned = {arg for c in hits for arg in c.arguments}
        args = {k: v for k, v in step.args.items() if k not in banned} if isinstance(step.args, dict) else step.args
        if whole or (isinstance(step.args, dict) and step.args and not args):
            notes += [f"as you asked ({c.said}), I did not run {step.tool}" for c in (whole or hits)]
            continue
        if isinstance(step.args, dict) and args != step.args:
            notes += [f"as you asked ({c.said}), {step.tool} left {', '.join(c.arguments)} as it was" for c in hits]
            step = step.model_copy(update={"args": args})
        kept.append(step)
    return kept, list(dict.fromkeys(notes))


def limit_problem(
    steps: Sequence[Step],
    constraints: Sequence[Constraint],
    status: dict[str, Any] | None,
    schemas: dict[str, dict[str, Any]],
) -> tuple[str | None, list[str]]:
    """Why the plan cannot keep a limit (None when it keeps all), and the limits it keeps (for the answer)."""
    kept: list[str] = []
    settings = (status or {}).get("settings") or {}
    for constraint in (c for c in constraints if c.kind == "limit"):
        limit = f"{format_number(float(constraint.value or 0.0))} {UNIT.get(constraint.dimension or '', '')}".strip()
        if constraint.dimension == "dose":
            problem = _dose_problem(steps, constraint, status)
            if problem:
                return problem, kept
            kept.append(f"the frames stay within your dose limit ({constraint.said})")
            continue
        found = target(constraint, schemas)
        if found is None:
            return (
                f"I cannot make sure that {constraint.said!r} with this instrument's tools (I do not know which "
                "setting it bounds), so I ran nothing. Name the setting, e.g. 'keep the current below 200 pA'.",
                kept,
            )
        tool, argument, path = found
        for step in steps:
            value = step.args.get(argument) if step.tool == tool and isinstance(step.args, dict) else None
            if isinstance(value, int | float) and breaks(constraint, float(value)):
                return (
                    f"Your request sets {argument} = {format_number(float(value))}, but you also asked for "
                    f"a limit ({constraint.said}); I ran nothing. Say which one you want.",
                    kept,
                )
        present = (settings.get(path[0]) or {}).get(path[1])
        sets_it = any(step.tool == tool and isinstance(step.args, dict) and argument in step.args for step in steps)
        if isinstance(present, int | float) and not sets_it:
            if breaks(constraint, float(present)) and any(step.tool in ACQUIRING for step in steps):
                return (
                    f"{argument} is {format_number(float(present))} now, outside your limit ({constraint.said}), "
                    f"so I ran nothing. Set it within {limit} first, or tell me to.",
                    kept,
                )
            kept.append(f"{argument} stays at {format_number(float(present))} ({constraint.said})")
        elif sets_it:
            kept.append(f"{argument} is set within {limit} ({constraint.said})")
        else:
            kept.append(f"{argument} is not changed ({constraint.said})")
    return None, kept


def _dose_problem(steps: Sequence[Step], constraint: Constraint, status: dict[str, Any] | None) -> str | None:
    """Frames the plan takes times the dose of one frame (settings after the plan's own changes) over the limit."""
    if any(step.tool in ("autofocus", "acquire_spectrum", "acquire_spectrum_image") for step in steps):
        return (
            f"I cannot predict the dose of an autofocus series or a spectrum before it runs, so I cannot promise "
            f"{constraint.said!r}; I ran nothing. Ask for images only, or drop the dose limit."
        )
    settings = (status or {}).get("settings") or {}
    scan, beam = dict(settings.get("scan") or {}), dict(settings.get("beam") or {})
    frames = 0
    for step in steps:
        fixed = step.args if isinstance(step.args, dict) else {}
        if step.tool == "set_scan":
            scan |= fixed
        elif step.tool == "set_beam":
            beam |= fixed
        elif step.tool == "acquire_image":
            frames += 1
    try:
        dose = frames * frame_dose_e_per_A2(
            float(beam["current_pa"]), float(scan["dwell_us"]), float(scan["fov_nm"]) / int(scan["pixels"])
        )
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return f"The status does not say the scan and beam settings, so I cannot promise {constraint.said!r}."
    if breaks(constraint, dose):
        return (
            f"The {frames} frame{'s' if frames != 1 else ''} planned would deliver about {format_number(dose)} e⁻/Å², "
            f"over your limit ({constraint.said}), so I ran nothing. A shorter dwell, a lower current or a larger "
            "field of view lowers the dose per frame."
        )
    return None
