"""The request families that are more than a setting or one analysis, as data: each recipe says when it applies
(a field the parser set), the steps it adds after the image, and the sentence that leads its answer.

- inspection ("anything unusual?"): what "unusual" means depends on the scale of the image. At atomic scale (a
  field of view of at most ``ATOMIC_FOV_NM``) it is a defect of the crystal (``detect_defects``); in a survey field
  of view it is the particles or islands on the support (``segment_particles``). The choice is made from the field
  of view of the image just taken.
- count by scale ("count them"): a count that names nothing counts atomic columns (``find_atoms``) on an
  atomic-scale image and particles (``segment_particles``) on a survey, chosen the same way.
- astigmatism check ("is it astigmatic? fix it if so"): sharpness at the present A1 and at zero (``astig_check``).
- particle zoom ("zoom on the largest particle"): centre it and frame it (``particle_zoom``).
- drift interval ("a drift check over 10 seconds"): the tools cannot wait between frames (the instrument clock
  advances only with acquisitions), so the pair stays back to back and the answer names the real interval next to
  the requested one instead of silently ignoring it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from copilot.agent.offline.astig_check import astig_check_steps, astig_verdict
from copilot.agent.offline.outcomes import Outcome, current_fov_nm
from copilot.agent.offline.particle_zoom import particle_zoom_steps, zoom_line
from copilot.agent.offline.request import Request
from copilot.agent.offline.steps import Step, on_last_image
from copilot.agent.summary import format_number

Status = dict[str, Any] | None
ATOMIC_FOV_NM = 50.0
"""Up to this field of view a frame resolves atomic columns well enough for detect_defects."""


def atomic_scale(outcomes: Sequence[Outcome]) -> bool:
    """The newest field of view resolves atoms (see ``ATOMIC_FOV_NM``)."""
    fov_nm = current_fov_nm(outcomes)
    return fov_nm is not None and fov_nm <= ATOMIC_FOV_NM


def inspection_steps() -> list[Step]:
    """detect_defects on an atomic-scale image, segment_particles on a survey; a failure is noted, not fatal."""
    return [
        Step("detect_defects", on_last_image, optional=True, when=atomic_scale),
        Step("segment_particles", on_last_image, optional=True, when=lambda outcomes: not atomic_scale(outcomes)),
    ]


def count_steps() -> list[Step]:
    """find_atoms on an atomic-scale image, segment_particles on a survey."""
    return [
        Step("find_atoms", on_last_image, when=atomic_scale),
        Step("segment_particles", on_last_image, when=lambda outcomes: not atomic_scale(outcomes)),
    ]


def interval_line(outcomes: Sequence[Outcome], requested_s: float) -> str | None:
    """How the measured interval compares with the requested one (None until the drift is measured)."""
    measured = next((o for o in reversed(outcomes) if o.ok and o.name == "estimate_drift"), None)
    dt_s = (measured.data.get("dt_s") or measured.args.get("dt_s")) if measured else None
    if not isinstance(dt_s, int | float):
        return None
    if abs(dt_s - requested_s) <= 0.1 * requested_s:
        return f"The two frames were {format_number(dt_s)} s apart, as requested."
    return (
        f"The requested {format_number(requested_s)} s interval was not honoured: the tools cannot wait between "
        f"frames, so the two frames were taken back to back, {format_number(float(dt_s))} s apart (the drift rate "
        "is per second, so it still applies; repeat the check later to see a longer span)."
    )


@dataclass(frozen=True)
class Recipe:
    """One request family: when it applies, the steps it adds after the image, the sentence leading its answer."""

    name: str
    applies: Callable[[Request], bool]
    steps: Callable[[Request, Status], list[Step]]
    verdict: Callable[[Sequence[Outcome], Request, Status], str | None]


def listing_line(outcomes: Sequence[Outcome]) -> str | None:
    """The acquisitions listed, newest last, for a request that asked what was acquired."""
    listed = next((o for o in reversed(outcomes) if o.ok and o.name == "list_acquisitions"), None)
    if listed is None:
        return None
    items = next((v for v in listed.data.values() if isinstance(v, list)), [])
    ids = [str(i.get("id") or i.get("acquisition_id")) if isinstance(i, dict) else str(i) for i in items]
    if not ids:
        return "No acquisitions have been recorded yet."
    latest = listed.data.get("latest_acquisition_id")
    return f"Acquisitions: {', '.join(ids)}" + (f" (latest {latest})." if latest else ".")


RECIPES = (
    Recipe("inspection", lambda r: r.inspect, lambda r, s: inspection_steps(), lambda o, r, s: None),
    Recipe("count by scale", lambda r: r.count_any, lambda r, s: count_steps(), lambda o, r, s: None),
    Recipe(
        "astigmatism check",
        lambda r: r.astig_check,
        lambda r, s: astig_check_steps(s, r.astig_fix, r.detector),
        lambda o, r, s: astig_verdict(o, s, r.astig_fix),
    ),
    Recipe(
        "particle zoom",
        lambda r: r.particle_target is not None,
        lambda r, s: particle_zoom_steps(r.particle_target or "largest", r.detector),
        lambda o, r, s: zoom_line(o, r.particle_target or "largest"),
    ),
    Recipe(
        "acquisitions listing", lambda r: "acquisitions" in r.intents, lambda r, s: [], lambda o, r, s: listing_line(o)
    ),
    Recipe(
        "drift interval",
        lambda r: r.drift_interval_s is not None,
        lambda r, s: [],
        lambda o, r, s: interval_line(o, r.drift_interval_s or 0.0),
    ),
)


def recipe_steps(request: Request, status: Status) -> list[Step]:
    """The steps the recipes that apply add after the image."""
    return [step for recipe in RECIPES if recipe.applies(request) for step in recipe.steps(request, status)]


def verdicts(outcomes: Sequence[Outcome], request: Request, status: Status) -> list[str]:
    """The sentences the recipes that apply lead the answer with (once their figures are in)."""
    lines = (recipe.verdict(outcomes, request, status) for recipe in RECIPES if recipe.applies(request))
    return [line for line in lines if line]
