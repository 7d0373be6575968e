"""An AFM scan set before the status is read: operators set the scan (size, lines, rate) and then engage, so a
request that names the AFM ("a topography image at 2 Hz", "step height from a new 1.5 µm scan") sets its one scan
first, reads the status (engaged? which gains?), then approaches and images.

Only a scan that needs nothing from the status goes first: of AFM work in no STEM word, not under a limit
(checked against the present settings), not with a specimen change, not one a constraint forbids or the schema
rejects, and only when the plan sets the scan once.
"""

from __future__ import annotations

from typing import Any

from copilot.agent.offline.honour import apply_forbidden
from copilot.agent.offline.plan import build_plan, is_afm
from copilot.agent.offline.request import Request
from copilot.agent.offline.safety import out_of_range
from copilot.agent.offline.steps import Step


def scan_first(request: Request, schemas: dict[str, dict[str, Any]]) -> Step | None:
    """The ``set_afm_scan`` step to run before the status is read, or None."""
    if "STEM" in request.instruments_named or not is_afm(request, None):
        return None
    if any(c.kind == "limit" for c in request.constraints):
        return None
    if request.specimen and "load" in request.intents:
        return None
    steps, _ = apply_forbidden(build_plan(request, None), request.constraints)
    scans = [step for step in steps if step.tool == "set_afm_scan" and isinstance(step.args, dict)]
    if len(scans) != 1 or out_of_range(scans, schemas):
        return None
    return scans[0]


def after_scan_first(steps: list[Step], first: Step) -> list[Step]:
    """The plan with its scan moved to the front (it ran before the status was read)."""
    rest = [step for step in steps if not (step.tool == first.tool and step.args == first.args)]
    return [first, *rest]
