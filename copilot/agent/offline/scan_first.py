"""An AFM scan set before the status is read: operators set the scan (size, lines, rate) and then engage, so a
request that names the AFM ("a topography image at 2 Hz", "step height from a new 1.5 µm scan") sets its one scan
first, reads the status (engaged? which gains?), then approaches and images. A feedback setpoint or gains said with
that scan ("setpoint to 9.5 nm and line rate to 0.7 Hz, then engage") are set first too, in the plan's order.

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

FIRST_WITH_THE_SCAN = {"set_afm_scan", "set_feedback"}
"""The settings that go before the status read once the scan does."""


def scan_first(request: Request, schemas: dict[str, dict[str, Any]]) -> list[Step]:
    """The steps to run before the status is read (the ``set_afm_scan``, and a feedback said with it), or none."""
    if "STEM" in request.instruments_named or not is_afm(request, None):
        return []
    if any(c.kind == "limit" for c in request.constraints):
        return []
    if request.specimen and "load" in request.intents:
        return []
    steps, _ = apply_forbidden(build_plan(request, None), request.constraints)
    settings = [step for step in steps if step.tool in FIRST_WITH_THE_SCAN and isinstance(step.args, dict)]
    scans = [step for step in settings if step.tool == "set_afm_scan"]
    if len(scans) != 1 or len(settings) > 2 or out_of_range(settings, schemas):
        return []
    return settings


def after_scan_first(steps: list[Step], first: list[Step]) -> list[Step]:
    """The plan with the steps run first moved to the front (they ran before the status was read)."""
    rest = [step for step in steps if not any(step.tool == f.tool and step.args == f.args for f in first)]
    return [*first, *rest]
