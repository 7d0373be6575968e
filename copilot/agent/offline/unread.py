"""Numbers a request states that its reading did not place: the planner runs nothing rather than act with a default.

Every number of the request (outside specimen names and what the constraints cut out) must come out as a value of
the reading (``Request``), in its own unit or its tool unit (a length in µm for the stage or in nm for a scan, a
time in ms or µs). One that does not ("512 lines" when lines were not read as pixels, "1k" on its own) means a
stated parameter would be dropped and the plan would run with a default: the answer says what was read, what
was not, and what can be done, and nothing runs.
"""

from __future__ import annotations

import math
import re
from dataclasses import fields
from typing import Any

from copilot.agent.offline.edges import without_edge_names
from copilot.agent.offline.lexicon import SPECIMEN_ALIASES, Quantity, quantities
from copilot.agent.offline.request import Request

BARE_NUMBER = re.compile(r"(?<![\w.^/])([-+]?\d+(?:\.\d+)?)(?![\w.]*\d)(?!\s*(?:st|nd|rd|th|d)\b)")
"""A number on its own (not inside a name such as "MoS2", "SrTiO3", "4D-STEM", "2nd")."""
POINT_INTENTS = {"spectrum", "elements", "force_curve"}
"""What goes to a point of the image: a spot spectrum, the elements there, a force curve."""
READ_LABELS: tuple[tuple[str, str], ...] = (
    ("fov_nm", "field of view {} nm"),
    ("pixels", "{} pixels"),
    ("dwell_us", "dwell {} µs"),
    ("rotation_deg", "scan rotation {}°"),
    ("rate_hz", "line rate {} Hz"),
    ("defocus_nm", "defocus {} nm"),
    ("astig_nm", "astigmatism {} nm"),
    ("astig_angle_deg", "astigmatism angle {}°"),
    ("coma_nm", "coma {} nm"),
    ("coma_angle_deg", "coma angle {}°"),
    ("cs_um", "Cs {} µm"),
    ("convergence_mrad", "convergence {} mrad"),
    ("energy_kv", "beam energy {} kV"),
    ("current_pa", "current {} pA"),
    ("setpoint_nm", "setpoint {} nm"),
    ("p_gain", "P gain {}"),
    ("i_gain_per_ms", "I gain {} /ms"),
    ("spectrum_dwell_ms", "spectrum dwell {} ms"),
    ("seed", "seed {}"),
)


def read_values(request: Request) -> list[float]:
    """Every number the reading holds, in tool units."""
    values: list[float] = []

    def add(item: Any) -> None:
        if isinstance(item, bool) or item is None:
            return
        if isinstance(item, int | float):
            values.append(float(item))
        elif isinstance(item, dict):
            for inner in item.values():
                add(inner)
        elif isinstance(item, list | tuple):
            for inner in item:
                add(inner)

    point_used = bool(request.intents & POINT_INTENTS)
    for field in fields(request):
        if field.name == "point_nm" and not point_used:
            continue  # "an image at 3,4 nm": no tool of the plan goes to a point, so the point is not read
        if field.name not in ("text", "constraints", "questions", "unmapped", "unsupported", "unread"):
            add(getattr(request, field.name))
    factors = [*request.scales.values(), *([request.zoom_factor] if request.zoom_factor else [])]
    values += [1.0 / factor for factor in factors]  # "3x smaller", "zoom in 2x": a factor of 1/3, 1/2
    values += [round(abs(factor - 1.0) * 100, 6) for factor in factors]  # "50 % bigger": a factor of 1.5
    values += [round(factor * 100, 6) for factor in factors]  # "to 15 percent of its present value": 0.15
    region = request.region_nm
    if region is not None:  # a region said as ranges: its far corner too
        values += [region[0] + region[2], region[1] + region[3]]
    return values


def _placed(candidates: list[float], values: list[float], signed: bool = False) -> bool:
    """Whether a candidate reading of a number is among the values read (a number said with its minus sign only
    as a negative value: "(-3.2, 0.6) µm" read as x = 3.2 is a misreading)."""
    size = (lambda x: x) if signed else abs
    return any(
        math.isclose(size(c), size(v), rel_tol=1e-6, abs_tol=1e-9) or (c == 0 and v == 0)
        for c in candidates
        for v in values
    )


def unread_numbers(low: str, request: Request) -> list[str]:
    """The parts of ``low`` (the request as read, constraints cut out) holding a number the reading did not
    place, as said."""
    text = low
    for alias in SPECIMEN_ALIASES.values():
        text = re.sub(alias, lambda m: " " * len(m.group(0)), text)
    text = re.sub(r"\bseed\s*(?:=|:|of|#|no\.?|number)?\s*\d+", lambda m: " " * len(m.group(0)), text)
    text = without_edge_names(text)
    text = re.sub(r"\b(\d+)\s*/\s*(\d+)\b", lambda m: _fraction_read(m, request), text)
    values = read_values(request) + frames_taken(text, request)
    missed: list[str] = []
    blanked = list(text)
    said_quantities = quantities(text)
    for quantity in said_quantities:
        said = text[quantity.start : quantity.end]
        raw = _number_said(said)
        tool = quantity.value  # placed also in µm, ms or s
        if not _placed([raw, tool, tool / 1000, tool * 1000, tool / 1e6], values, _minus(raw, text, quantity.start)):
            missed.append(said.strip())
        blanked[quantity.start : quantity.end] = " " * (quantity.end - quantity.start)
    rest = "".join(blanked)
    for match in BARE_NUMBER.finditer(rest):
        value = float(match.group(1))
        scale = _range_unit(text, match.end(), said_quantities)
        candidates = [value, value / 1000, value * 1000] + ([value * scale] if scale else [])
        if not _placed(candidates, values, _minus(value, rest, match.start())):
            missed.append(_context(low, match.start(), match.end()))
    return missed


RANGE_END = re.compile(r"\s*(?:-|–|to|and)\s*[-+]?\d")
"""The rest of a range whose first number has no unit of its own ("40-330 Å")."""


def _range_unit(text: str, end: int, said: list[Quantity]) -> float | None:
    """The factor to the tool unit of the unit a range's second number carries, for its first number."""
    if not RANGE_END.match(text, end):
        return None
    after = next((q for q in said if q.start >= end), None)
    if after is None or after.start - end > 8:
        return None
    raw = _number_said(text[after.start : after.end])
    return after.value / raw if raw else None


def _number_said(said: str) -> float:
    """The number a quantity was said with, in its own unit ("330 å" -> 330)."""
    return float(re.match(r"[-+]?\d+(?:\.\d+)?", said.replace("−", "-")).group(0))  # type: ignore[union-attr]


def _minus(value: float, text: str, start: int) -> bool:
    """A number said negative: a minus sign that is not the dash of a range ("x 2-6 nm")."""
    return value < 0 and not re.search(r"\d\s*$", text[:start])


def _fraction_read(found: re.Match[str], request: Request) -> str:
    """A fraction a scale was read from ("3/8 of what it is now"), blanked; any other fraction as said."""
    top, bottom = float(found.group(1)), float(found.group(2))
    read = bottom and any(math.isclose(factor, top / bottom) for factor in request.scales.values())
    return " " * len(found.group(0)) if read else found.group(0)


CHANGE_BY = re.compile(
    r"\b(?:(?:up|down)(?:\s+by)?|by(?:\s+another)?|another|add|(?=(?:take|knock|shave)\s+\S+\s*\S+\s+off\b)\w+)\s+"
    r"([-+]?\d+(?:\.\d+)?)\s*"
    r"(kv|kilovolts?|pa|picoamps?|na|nanoamps?|µs|us|microseconds?|ms|milliseconds?|ns|nanoseconds?)\b|"
    r"\b([-+]?\d+(?:\.\d+)?)\s*(nm|µm|um|å|kv|pa|na|µs|us|ms|ns)\s+"
    r"(?=(?:wider|bigger|larger|longer|higher|greater|narrower|smaller|shorter|lower)\b)"
)
"""An amount said as a change ("up 10 pA", "by another 2 us", "add 2 us", "knock 1 us off", "12 nm wider"): never a
value to set."""
ABSOLUTE_OF = (("energy_kv", r"k"), ("current_pa", r"[pn]a|picoamp|nanoamp"), ("fov_nm", r"nm|µm|um|å"))
"""The setting an amount's unit belongs to (by the unit's spelling); times are the dwell."""


def changes_set_as_values(low: str, request: Request) -> list[str]:
    """Amounts said as a change that the reading would set as the value itself ("crank the current up 10 pA" read
    as 10 pA), as said: the plan runs nothing rather than set them."""
    said = []
    for found in CHANGE_BY.finditer(low):
        unit = found.group(2) or found.group(4)
        argument = next((name for name, said in ABSOLUTE_OF if re.match(said, unit)), "dwell_us")
        value = getattr(request, argument)
        if argument not in request.offsets and isinstance(value, int | float):
            said.append(found.group(0))
    return said


def frames_taken(text: str, request: Request) -> list[float]:
    """A count of frames said ("take 2 HAADF frames") that the plan takes: one, the two of a drift check, or one
    per defocus or stage position of a series."""
    said = re.search(r"(\d+)\s+(?:[a-z]+\s+){0,2}(?:images|frames|pictures|scans)\b", text)
    if said is None:
        return []
    series = len(request.defocus_series_nm) or len(request.stage_series_um)
    taken = series or (2 if "drift" in request.intents else 1)
    return [float(said.group(1))] if int(said.group(1)) == taken else []


CONNECTIVE = r"\s*(?:and|then|please|but|so|or)\b"


def _context(text: str, start: int, end: int) -> str:
    """The number with the word said before it and the word after it ("current to 20", "512 lines", "1k")."""
    before = re.search(r"(?:[a-zµ]+\s+){0,2}$", text[:start])
    after = None if re.match(CONNECTIVE, text[end:]) else re.match(r"\s*[a-zµ°%]+", text[end:])
    return text[(before.start() if before else start) : end + (after.end() if after else 0)].strip()


ACTIONS = {
    "focus": "an autofocus",
    "acquire": "an image",
    "afm_image": "an AFM image",
    "afm_approach": "an approach",
    "afm_withdraw": "a withdraw",
    "change_tip": "a tip change",
    "spectrum": "a spectrum",
    "atoms": "an atom count",
    "defects": "a defect search",
    "lattice": "a lattice measurement",
    "particles": "a particle sizing",
    "load": "a specimen load",
    "stage": "a stage move",
}
"""What a request asks for, in words, for an answer that ran nothing."""


def read_summary(request: Request) -> str:
    """What the reading holds, in words ("an image, field of view 5 nm, 1024 pixels")."""
    parts = [words for intent, words in ACTIONS.items() if intent in request.intents]
    for name, label in READ_LABELS:
        value = getattr(request, name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(label.format(f"{value:g}"))
    if request.specimen:
        parts.insert(0, f"specimen {request.specimen}")
    if request.detector:
        parts.append(f"{request.detector} detector")
    return ", ".join(parts)


TAKEN_BY: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("fov_nm", "field of view {} nm", ("set_scan", "set_afm_scan")),
    ("pixels", "{} pixels", ("set_scan", "set_afm_scan")),
    ("pixel_size_nm", "pixel size of {} nm", ("set_scan", "set_afm_scan")),
    ("dwell_us", "dwell of {} µs", ("set_scan",)),
    ("rotation_deg", "scan rotation of {}°", ("set_scan", "set_afm_scan")),
    ("rate_hz", "line rate of {} Hz", ("set_afm_scan",)),
    ("energy_kv", "beam energy of {} kV", ("set_beam",)),
    ("current_pa", "current of {} pA", ("set_beam",)),
    ("defocus_nm", "defocus of {} nm", ("set_optics",)),
    ("cs_um", "Cs of {} µm", ("set_optics",)),
    ("convergence_mrad", "convergence of {} mrad", ("set_optics",)),
    ("setpoint_nm", "setpoint of {} nm", ("set_feedback",)),
    ("p_gain", "P gain of {}", ("set_feedback",)),
    ("i_gain_per_ms", "I gain of {} /ms", ("set_feedback",)),
    ("spectrum_dwell_ms", "spectrum dwell of {} ms", ("acquire_spectrum", "acquire_spectrum_image")),
)
"""A setting the reading holds -> how it is said, and the tools that take it."""


def unhonoured(request: Request, tools: set[str]) -> list[str]:
    """The settings a request states that no step of its plan (``tools``) takes ("an AFM image at 2 us dwell": the
    AFM has no dwell), said in the answer instead of dropped silently."""
    missed = []
    for name, label, takers in TAKEN_BY:
        value = getattr(request, name)
        if isinstance(value, int | float) and not isinstance(value, bool) and not tools & set(takers):
            missed.append(f"the {label.format(f'{value:g}')} you asked for: no step of this plan takes it")
    return missed
