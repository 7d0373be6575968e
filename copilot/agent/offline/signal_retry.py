"""Too little signal for single columns: raise the probe current within the dose limits and take the frame again.

An analysis that needs resolved columns (``find_atoms``, ``measure_lattice``, ``detect_defects``) can come back
empty-handed for want of electrons: no column stands above the noise, a lattice shows too few Fourier peaks, or
the tool itself asks for more dose. A microscopist then looks at the frame. When it is at atomic resolution (pixels
of at most ``ATOMIC_PIXEL_NM``) and its mean signal per pixel is below the detector's read noise, the frame is
read-noise limited and more electrons per pixel are the cure: the probe current is raised by the factor that brings
the mean signal up to the read noise (at most ``MAX_GAIN``-fold and to the beam's maximum), the frame is taken
again and the analysis rerun on it, once per request. The new frame must stay within ``DOSE_SHARE`` of the session
budget left, of the specimen's critical dose (when the status read first gives it; the server's dose guard asks a
person before any frame past it in any case) and within a dose limit the request sets. When the request forbids a
current change or caps it, the dwell is raised instead, unless that is forbidden or capped too; a request that
forbids new images (or works on an image taken before this request) gets no new frame. A partial verdict
(a sub-lattice too noisy to judge), a frame that is not read-noise limited (more dose would not help: focus, or
no crystal) or one that is not at atomic resolution is left as it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.followups import Context, FollowUp
from copilot.agent.offline.outcomes import Outcome
from copilot.agent.summary import format_number

COLUMN_TOOLS = ("find_atoms", "measure_lattice", "detect_defects")
STARVED = re.compile(
    r"no (?:single )?columns? stands? above the noise|too little dose|raise the dose|"
    r"\b0 atomic columns found|significant fourier peak",
    re.I,
)
"""What a column analysis says when it found nothing to work on for want of signal (or asks for more dose)."""
ATOMIC_PIXEL_NM = 0.05
"""Pixels this small sample a 0.14-0.4 nm column spacing with three or more pixels: an atomic-resolution frame."""
MAX_GAIN = 20.0
MIN_GAIN = 1.5
"""A raise of less than this would not change the verdict: the frame is left as it is."""
DOSE_SHARE = 0.5
"""The re-taken frame may use at most this share of the budget left and of the critical dose."""


def starved(outcome: Outcome) -> bool:
    """A column analysis that found nothing to work on for want of signal, or asks for more dose."""
    if outcome.name not in COLUMN_TOOLS:
        return False
    if not outcome.ok:
        return bool(STARVED.search(outcome.text))
    note = str(outcome.data.get("reliability_note") or "")
    return outcome.data.get("reliable") is False and bool(STARVED.search(note))


def analysed_frame(analysis: Outcome, seen: Sequence[Outcome]) -> Outcome | None:
    """The acquisition the analysis worked on: the one it names, else the newest image before it."""
    named = analysis.data.get("acquisition_id") or analysis.args.get("acq_id") or analysis.args.get("acquisition_id")
    images = [o for o in seen if o.ok and o.name == "acquire_image"]
    for image in reversed(images):
        if named is None or image.data.get("id") == named:
            return image
    return None


def latest_settings(seen: Sequence[Outcome]) -> dict[str, Any] | None:
    """The instrument settings the newest result that reports them gives (a setter or the status)."""
    for outcome in reversed(seen):
        settings = outcome.data.get("settings") if outcome.ok else None
        if isinstance(settings, dict) and isinstance(settings.get("beam"), dict):
            return settings
    return None


def signal_follow_up(outcome: Outcome, seen: Sequence[Outcome], context: Context) -> FollowUp | None:
    """Raise the dose and take the frame again after a starved column analysis (see the module docstring); the
    status is read first when this turn's results do not give the settings."""
    if outcome.name == "get_status" and len(seen) >= 2 and starved(seen[-2]):
        if any(starved(o) for o in seen[:-2]):
            return None
        return _raise(seen[-2], seen, context)
    if not starved(outcome) or any(starved(o) for o in seen[:-1]) or not context.allows("acquire_image"):
        return None  # once per request, and never a frame the request forbids
    frame = analysed_frame(outcome, seen)
    if frame is None or not _read_noise_limited_candidate(frame):
        return None
    if latest_settings(seen) is None:
        return FollowUp([("get_status", {})], retry=False, reason="")
    return _raise(outcome, seen, context)


def _read_noise_limited_candidate(frame: Outcome) -> bool:
    pixel_nm = frame.data.get("pixel_size_nm")
    mean = (frame.data.get("statistics") or {}).get("mean")
    return isinstance(pixel_nm, int | float) and pixel_nm <= ATOMIC_PIXEL_NM and isinstance(mean, int | float)


def _raise(analysis: Outcome, seen: Sequence[Outcome], context: Context) -> FollowUp | None:
    frame = analysed_frame(analysis, seen)
    settings = latest_settings(seen)
    if frame is None or settings is None:
        return None
    mean = float((frame.data.get("statistics") or {}).get("mean", 0.0))
    noise = (settings.get("detectors") or {}).get("read_noise_e")
    if not isinstance(noise, int | float) or mean >= noise:
        return None  # not read-noise limited: more dose would not help
    wanted = min(MAX_GAIN, noise / max(mean, noise / MAX_GAIN))
    room = _dose_room(frame, seen, context)
    frame_dose = frame.data.get("dose_e_per_A2")
    if isinstance(frame_dose, int | float) and frame_dose > 0 and room is not None:
        wanted = min(wanted, room / frame_dose)
    knob = _knob(settings, wanted, context)
    bounded = " (within the dose budget)" if room is not None else ""
    if knob is None:
        return None
    tool, argument, before, after, unit = knob
    gain = after / before
    detector = frame.args.get("detector") or frame.data.get("detector")
    dose = f", about {float(frame_dose) * gain:.3g} e⁻/Å² per frame" if isinstance(frame_dose, float) else ""
    what = "probe current" if argument == "current_pa" else "dwell"
    return FollowUp(
        [(tool, {argument: after}), ("acquire_image", {"detector": detector} if detector else {})],
        retry=True,
        reason=(
            f"{analysis.name}: frame {frame.data.get('id')} was read-noise limited (mean signal "
            f"{format_number(mean)} e⁻ per pixel, under the detector's {format_number(float(noise))} e⁻ read "
            f"noise), too little for single columns; the {what} was raised from {format_number(before)} to "
            f"{format_number(after)} {unit}{dose}{bounded}, the frame taken again and "
            f"{analysis.name} run on it"
        ),
    )


def _dose_room(frame: Outcome, seen: Sequence[Outcome], context: Context) -> float | None:
    """The most dose the re-taken frame may deliver (None: nothing known bounds it)."""
    rooms: list[float] = []
    budget, used = frame.data.get("session_dose_budget_e_per_A2"), frame.data.get("session_dose_used_e_per_A2")
    if isinstance(budget, int | float) and isinstance(used, int | float):
        rooms.append(DOSE_SHARE * (budget - used))
        critical = ((context.status or {}).get("dose") or {}).get("critical_dose_e_per_A2")
        if isinstance(critical, int | float) and math.isfinite(critical):
            rooms.append(DOSE_SHARE * critical - used)
    turn_dose = sum(float(o.data.get("dose_e_per_A2") or 0.0) for o in seen if o.ok and o.name.startswith("acquire"))
    rooms += [float(c.value) - turn_dose for c in context.limits if c.dimension == "dose" and c.value is not None]
    return max(min(rooms), 0.0) if rooms else None


def _knob(settings: dict[str, Any], wanted: float, context: Context) -> tuple[str, str, float, float, str] | None:
    """(tool, argument, before, after, unit) of the setting raised: the current, else the dwell."""
    for tool, group, argument, unit, dimension in (
        ("set_beam", "beam", "current_pa", "pA", "current"),
        ("set_scan", "scan", "dwell_us", "µs", "time"),
    ):
        before = (settings.get(group) or {}).get(argument)
        if not context.allows(tool, argument) or not isinstance(before, int | float) or before <= 0:
            continue
        caps = [context.maximum(tool, argument)]
        caps += [c.value for c in context.limits if c.dimension == dimension and c.bound == "max"]
        ceiling = min((float(c) for c in caps if c is not None), default=math.inf)
        after = _two_figures(min(before * wanted, ceiling))
        if after / before >= MIN_GAIN:
            return tool, argument, float(before), after, unit
    return None


def _two_figures(value: float) -> float:
    """Rounded down to two significant figures (a setting a person would type)."""
    if value <= 0:
        return value
    scale = 10 ** (math.floor(math.log10(value)) - 1)
    return math.floor(value / scale) * scale
