"""Requests the planner declines before it touches the instrument, with the reason and a safe alternative.

Three kinds: what the tools cannot do at all (heating, tomography, venting, anything outside the microscope),
settings the tools would accept but that harm the specimen or the tip (an AFM setpoint that presses the tip into
the surface), and a setting named in a quantity no tool takes (a magnification: it depends on the screen the image
is shown on, so guessing a field of view from it would image the wrong area at the wrong dose). The dose of a frame
on a beam-sensitive specimen needs the instrument status, so that check (``dose_check``) runs after it is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.answer import CAPABILITIES
from copilot.agent.offline.request import Request
from copilot.agent.offline.steps import Step
from copilot.agent.offline.unread import read_summary

MIN_SAFE_SETPOINT_NM = 3.0
"""set_feedback: setpoints under 3 nm (of the 20 nm free amplitude) crash an engaged tip."""
SAFE_SETPOINT_NM = "10-14 nm"


def refusal(request: Request) -> str | None:
    """The answer that declines the whole request, or ``None`` when it can be planned."""
    if request.unsupported:
        return (
            "I cannot " + " or ".join(request.unsupported) + " with this instrument's tools, so I ran nothing "
            "(doing only part of the request would not give what you asked for). I can: "
            + "; ".join(CAPABILITIES)
            + "."
        )
    if request.hypothetical and request.intents:
        read = read_summary(request)
        return (
            "That asks what to do or what would happen, not to do it, so I ran nothing and changed no setting. "
            + (f"I read: {read}. " if read else "")
            + "Tell me to do it (e.g. the same request without 'should I' or 'what if') and I will run it; the "
            "instrument status, with the present settings, is there to compare against ('what is the status?')."
        )
    if request.unread and request.intents:
        read = read_summary(request)
        return (
            f"I did not understand {' or '.join(repr(said) for said in request.unread)}: no setting I read takes "
            "that number, so I ran nothing rather than go on with a default. "
            + (f"I read: {read}. " if read else "")
            + "Say which setting it is, with its unit (e.g. 'field of view 20 nm', '512 px', 'dwell 2 us'). I can: "
            + "; ".join(CAPABILITIES)
            + "."
        )
    if request.unread_words:
        read = read_summary(request)
        return (
            f"I did not understand what to do with {' or '.join(repr(said) for said in request.unread_words)}: "
            "no part of the plan I read uses it, so I ran nothing rather than act on a misreading. "
            + (f"I read: {read}. " if read else "")
            + "Say it again with the setting and its unit, or the acquisition it is about. I can: "
            + "; ".join(CAPABILITIES)
            + "."
        )
    if request.magnification is not None and request.fov_nm is None and request.zoom_fov_nm is None:
        return (
            f"I did not set a magnification of {request.magnification:,.0f}x: on this instrument the scale of an image "
            "is its field of view, and a magnification depends on the screen it is shown on, so it does not say which "
            "field of view you mean. I ran nothing. Name the field of view instead, e.g. 'field of view 20 nm' or "
            "'a 1 um survey'."
        )
    return unsafe_setpoint(request)


def unsafe_setpoint(request: Request) -> str | None:
    """The answer that declines a setpoint that would crash the tip, said or scaled from the present one ("cut the
    setpoint to a tenth"), or ``None``."""
    if request.setpoint_nm is not None and request.setpoint_nm < MIN_SAFE_SETPOINT_NM:
        return (
            f"I will not use a {request.setpoint_nm:g} nm setpoint: below {MIN_SAFE_SETPOINT_NM:g} nm the tip is "
            "pressed into the surface, which crashes and damages it. Nothing was changed and the tip was not "
            f"approached. A setpoint of {SAFE_SETPOINT_NM} is safe; to press harder, lower it step by step within "
            "that safe range."
        )
    return None


ELEMENTARY_CHARGE_C = 1.602176634e-19


def frame_dose_e_per_A2(current_pa: float, dwell_us: float, pixel_size_nm: float) -> float:
    """Electron dose of one frame: electrons per pixel over the pixel area (Å²)."""
    electrons = current_pa * 1e-12 * dwell_us * 1e-6 / ELEMENTARY_CHARGE_C
    return electrons / (pixel_size_nm * 10.0) ** 2


def dose_check(request: Request, status: dict[str, Any] | None) -> str | None:
    """Declines an image whose requested dwell or current would push one frame past the specimen's critical dose
    (``None`` when it is safe, nothing raises the dose, or the status does not say)."""
    if status is None or (request.dwell_us is None and request.current_pa is None):
        return None
    settings = status.get("settings") or {}
    scan, beam = settings.get("scan") or {}, settings.get("beam") or {}
    critical = (status.get("dose") or {}).get("critical_dose_e_per_A2")
    try:
        fov_nm = float(request.fov_nm or scan["fov_nm"])
        pixels = int(request.pixels or scan["pixels"])
        dwell_us = float(request.dwell_us or scan["dwell_us"])
        current_pa = float(request.current_pa or beam["current_pa"])
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(critical, int | float):
        return None
    dose = frame_dose_e_per_A2(current_pa, dwell_us, fov_nm / pixels)
    if dose <= critical:
        return None
    specimen = status.get("specimen", "this specimen")
    safe_dwell_us = dwell_us * critical / dose / 2
    return (
        f"I did not take that image: with {dwell_us:g} µs dwell at {current_pa:g} pA over {fov_nm:g} nm and {pixels} "
        f"pixels one frame would deliver about {dose:.3g} e⁻/Å², over the critical dose of {critical:g} e⁻/Å² of "
        f"{specimen}, so it would damage this beam-sensitive specimen. Nothing was changed. A dwell of at most "
        f"{safe_dwell_us:.2g} µs (or a lower current or a larger field of view) keeps the frame within the dose limit."
    )


def out_of_range(steps: Sequence[Step], schemas: dict[str, dict[str, Any]]) -> str | None:
    """Declines a plan whose requested values lie outside a tool's published range (its JSON schema), before any
    call: a stage move far past the travel, a beam energy the column cannot reach."""
    for step in steps:
        properties = schemas.get(step.tool, {}).get("properties") or {}
        for key, value in step.args.items() if isinstance(step.args, dict) else ():
            if isinstance(value, bool) or not isinstance(value, int | float) or key not in properties:
                continue
            low, high = _bounds(properties[key])
            if (low is not None and value < low) or (high is not None and value > high):
                allowed = f"{low:g} to {high:g}" if low is not None and high is not None else f"{low or high:g}"
                return (
                    f"I cannot run {step.tool} with {key} = {value:g}: that is outside the range the instrument "
                    f"supports ({allowed}), so I ran nothing and no setting changed. Choose a value within that range."
                )
    return None


def _bounds(schema: dict[str, Any]) -> tuple[float | None, float | None]:
    for option in [schema, *schema.get("anyOf", [])]:
        low = option.get("minimum", option.get("exclusiveMinimum"))
        high = option.get("maximum", option.get("exclusiveMaximum"))
        if low is not None or high is not None:
            return low, high
    return None, None
