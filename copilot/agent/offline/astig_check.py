"""Check a probe for twofold astigmatism and correct it when asked: judge by sharpness, not by assumption.

The status gives the stigmator's A1 setting. With A1 at zero already there is nothing to correct: one image and its
sharpness are the check. Otherwise an image at the current A1 and one at A1 = 0 are compared by ``focus_quality``,
each after an autofocus (astigmatism moves the best defocus, and away from it a little A1 can even look sharper);
A1 goes back to its old value (and focus with it) when zero was not sharper, or when the request only asked whether
it is astigmatic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.outcomes import Outcome
from copilot.agent.offline.steps import Step, given, on_last_image
from copilot.agent.summary import format_number

ASTIG_TOL_NM = 0.5
"""A1 below this blurs a probe less than the scan's pixel noise shows: not worth a trial image."""


def current_astig(status: dict[str, Any] | None) -> tuple[float, float]:
    """(A1 nm, A1 angle deg) from the status' optics (zero when the status does not say)."""
    optics = ((status or {}).get("settings") or {}).get("optics") or {}
    return float(optics.get("astig_nm") or 0.0), float(optics.get("astig_angle_deg") or 0.0)


def sharpness_pair(outcomes: Sequence[Outcome]) -> tuple[float, float] | None:
    """The sharpness at the old A1 and at A1 = 0: the first two ``focus_quality`` results of the turn."""
    values = [o.data.get("sharpness") for o in outcomes if o.ok and o.name == "focus_quality"]
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    return (numbers[0], numbers[1]) if len(numbers) >= 2 else None


def astig_check_steps(status: dict[str, Any] | None, fix: bool, detector: str | None) -> list[Step]:
    """Image and sharpness at the current A1; with A1 above ``ASTIG_TOL_NM`` both in focus and the same at A1 = 0,
    then A1 restored and refocused unless it was asked to fix it and zero was sharper."""
    image = Step("acquire_image", given(detector=detector))
    astig_nm, angle_deg = current_astig(status)
    if astig_nm <= ASTIG_TOL_NM:
        return [image, Step("focus_quality", on_last_image)]
    focused = [Step("autofocus", {}), image, Step("focus_quality", on_last_image)]

    def restore(outcomes: Sequence[Outcome]) -> bool:
        pair = sharpness_pair(outcomes)
        return pair is not None and (not fix or pair[1] <= pair[0])

    zero = {"astig_nm": 0.0, "astig_angle_deg": 0.0}
    back = {"astig_nm": astig_nm, "astig_angle_deg": angle_deg}
    return [
        *focused,
        Step("set_optics", zero),
        *focused,
        Step("set_optics", back, when=restore),
        Step("autofocus", {}, when=restore),
    ]


def astig_verdict(outcomes: Sequence[Outcome], status: dict[str, Any] | None, fix: bool) -> str | None:
    """One sentence: whether the probe was astigmatic, the sharpness figures it rests on, and what A1 is now."""
    astig_nm, angle_deg = current_astig(status)
    a1 = f"A1 = {format_number(astig_nm)} nm at {format_number(angle_deg)}°"
    if astig_nm <= ASTIG_TOL_NM:
        return f"Not astigmatic: the stigmator's twofold astigmatism is {a1}, nothing to correct."
    pair = sharpness_pair(outcomes)
    if pair is None:
        return None
    before, after = (format_number(v) for v in pair)
    if pair[1] <= pair[0]:
        return f"No astigmatism to correct: A1 = 0 was not sharper ({after}) than {a1} ({before}), so A1 is as it was."
    if fix:
        return f"Astigmatic ({a1}): A1 = 0 raised the sharpness from {before} to {after}, so A1 is now 0 nm."
    return f"Astigmatic ({a1}): A1 = 0 raises the sharpness from {before} to {after}; A1 was put back as it was."
