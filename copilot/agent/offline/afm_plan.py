"""The AFM part of a plan: engage when needed, scan settings, images with the right channels, the analyses, feedback
tuning until trace and retrace agree, a tip check with a tip change when it finds a double tip, force curves.

The status read at the start says whether the tip is engaged and which gains are set, so the plan approaches only
a withdrawn tip and raises the gains from where they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.outcomes import Outcome
from copilot.agent.offline.request import Request
from copilot.agent.offline.steps import Step, at_centre, given, on_last_image

AFM_ANALYSES = {
    "plane_level": "plane_level",
    "tallest": "plane_level",
    "roughness": "roughness",
    "step_height": "step_height",
    "grating": "grating_pitch",
    "domains": "domain_fraction",
}
SURFACE_INTENTS = {"afm_image", "force_curve", "feedback_tune", "tip_check", *AFM_ANALYSES}
"""Requests that need the tip on the surface (unless they work on an image taken before)."""
TIP_DOWN_INTENTS = {"force_curve", "feedback_tune"}
"""Requests that need the tip on the surface whatever image they work on."""
AGREE_RMS_NM = 0.1
"""Trace and retrace agree when their rms height difference is below this (about the noise of a good frame)."""
GAIN_STEP = (3.0, 5.0)
"""Each tuning round multiplies P and I by these: a lagging loop needs mostly more integral gain."""
GAIN_CAP = (2.0, 20.0)
"""Gains are never raised past these: well inside the stable range, so tuning cannot make the loop oscillate."""
TUNING_ROUNDS = 3


def afm_steps(request: Request, status: dict[str, Any] | None) -> list[Step]:
    """The AFM steps for ``request`` given the instrument ``status`` (see the module docstring)."""
    intents = request.intents
    settings = (status or {}).get("settings") or {}
    engaged = settings.get("engaged") is True
    analyses = list(dict.fromkeys(tool for intent, tool in AFM_ANALYSES.items() if intent in intents))
    images = bool(intents & {"afm_image", "acquire", "tip_check"} or analyses) and not request.use_last_image
    surface = bool(intents & TIP_DOWN_INTENTS) or images  # the tip is on the surface to image, never to analyse
    steps: list[Step] = []
    feedback = given(setpoint_nm=request.setpoint_nm, p_gain=request.p_gain, i_gain_per_ms=request.i_gain_per_ms)
    if feedback:
        steps.append(Step("set_feedback", feedback))
    if "change_tip" in intents:
        steps += [Step("withdraw", {})] if engaged or "afm_withdraw" in intents else []
        steps.append(Step("change_tip", {}))
        engaged = False
    if ("afm_approach" in intents or surface) and not engaged:
        steps.append(Step("approach", {}))
    centre = request.afm_centre_um or (None, None)
    scan = given(size_nm=request.fov_nm, pixels=request.pixels, rate_hz=request.rate_hz, angle_deg=request.rotation_deg)
    scan |= given(x_um=centre[0], y_um=centre[1])
    if scan:
        steps.append(Step("set_afm_scan", scan))
    image = Step("acquire_afm_image", _channels(request))
    if "feedback_tune" in intents and not feedback:
        steps += tuning_steps(settings.get("feedback") or {}, image)
    elif images:
        steps.append(image)
    elif analyses or "tip_check" in intents:
        steps.append(Step("list_acquisitions", {}))
    if "tip_check" in intents:
        steps.append(Step("tip_artifact_check", _analysis_args("tip_artifact_check", request)))
        if request.change_if_double:
            steps += [Step(tool, {}, when=double_tip) for tool in ("withdraw", "change_tip", "approach")] + [
                Step(image.tool, image.args, when=double_tip)
            ]
    steps += [Step(tool, _analysis_args(tool, request)) for tool in analyses]
    if "force_curve" in intents:
        point = request.point_nm
        steps.append(Step("acquire_force_curve", {"x_nm": point[0], "y_nm": point[1]} if point else at_centre))
    return steps


def _channels(request: Request) -> dict[str, Any]:
    if request.channels:
        return {"channels": list(request.channels)}
    return {"channels": ["height", "phase"]} if "domains" in request.intents else {}


def _analysis_args(tool: str, request: Request) -> Any:
    extra = given(order=request.plane_order if tool == "plane_level" else None, direction=request.afm_direction)
    if tool == "domain_fraction":
        extra |= given(method=request.domain_method, classes=request.domain_classes)
    region = request.region_nm
    if tool == "roughness" and region is not None:
        box = dict(zip(("x_nm", "y_nm", "width_nm", "height_nm"), region, strict=True)) | extra

        def with_region(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
            target = on_last_image(outcomes)
            return {**target, **box} if isinstance(target, dict) else target

        return with_region
    if extra:

        def with_options(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
            target = on_last_image(outcomes)
            return {**target, **extra} if isinstance(target, dict) else target

        return with_options
    return on_last_image


def double_tip(outcomes: Sequence[Outcome]) -> bool:
    """The newest tip artifact check found a double tip."""
    check = next((o for o in reversed(outcomes) if o.name == "tip_artifact_check" and o.ok), None)
    return bool(check and check.data.get("double_tip"))


def trace_retrace_rms_nm(outcomes: Sequence[Outcome]) -> list[float]:
    """The trace/retrace mismatch of every AFM image of this turn, oldest first."""
    images = [o.data.get("trace_retrace_rms_nm") for o in outcomes if o.name == "acquire_afm_image" and o.ok]
    return [float(value) for value in images if isinstance(value, int | float)]


def tuning_steps(feedback: dict[str, Any], image: Step) -> list[Step]:
    """Raise the gains round by round, imaging after each, until trace and retrace agree (see ``AGREE_RMS_NM``) or
    a raise stops helping."""
    p_gain = float(feedback.get("p_gain", 0.5))
    i_gain = float(feedback.get("i_gain_per_ms", 3.0))
    steps: list[Step] = []
    for round_index in range(TUNING_ROUNDS):
        factor_p, factor_i = (step ** (round_index + 1) for step in GAIN_STEP)
        gains = {
            "p_gain": round(min(p_gain * factor_p, GAIN_CAP[0]), 4),
            "i_gain_per_ms": round(min(i_gain * factor_i, GAIN_CAP[1]), 4),
        }
        when = None if round_index == 0 else _still_lagging
        steps += [Step("set_feedback", gains, when=when), Step(image.tool, image.args, when=when)]
    return steps


def _still_lagging(outcomes: Sequence[Outcome]) -> bool:
    """Trace and retrace still disagree and the last raise helped (a raise that made it worse means ringing)."""
    rms = trace_retrace_rms_nm(outcomes)
    if not rms:
        return True
    return rms[-1] > AGREE_RMS_NM and (len(rms) < 2 or rms[-1] < rms[-2])
