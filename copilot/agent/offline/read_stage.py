"""Read the stage moves a request names: positions, relative shifts, tilts, the way home."""

from __future__ import annotations

import re

from copilot.agent.offline.lexicon import NUM, number, to_tool_unit
from copilot.agent.offline.places import FROM_DATA, stage_positions_um, stage_tilts_deg
from copilot.agent.offline.request import Request

BARE_SHIFT = NUM + r"\s*(nm|µm|um|microns?)\s*(?:to the\s+)?(right|left|up|down)\b"
"""A shift said by its length and direction alone ("950 nm left")."""


def read_stage(low: str, request: Request) -> None:
    moves = bool(re.search(r"\b(stage|move|drive|go to|translate)\b", low))  # "stage height" moves z too
    positions = stage_positions_um(low, nm_allowed=moves and request.point_nm is None)
    z = re.search(r"\bz(?: height| position)?\s*(?:=|:|to|at|on)?\s*" + NUM + r"\s*(µm|um|nm)\b", low)
    z = z or re.search(
        r"\b(?:stage|specimen|sample) height(?:\s*,[^,]{0,25},)?\s*(?:=|:|to|of|at)?\s*" + NUM + r"\s*(µm|um|nm)\b", low
    )  # "the stage height, z on the sheet, to 900 nanometres"
    z_by = re.search(
        r"\b(raise|lift|lower|drop)\s+(?:the\s+)?(?:stage|specimen|sample|z)(?: height)?\s+by\s+"
        + NUM
        + r"\s*(nm|µm|um)\b",
        low,
    )  # "lower the specimen height by 200 nm": a relative z move
    if z_by and not positions:
        sign = -1.0 if z_by.group(1) in ("lower", "drop") else 1.0
        positions = [{"z_um": sign * to_tool_unit(z_by.group(2), z_by.group(3)) / 1000, "relative": True}]
    elif z:
        positions = positions or [{}]
        positions[0]["z_um"] = to_tool_unit(z.group(1), z.group(2)) / 1000  # "put z on 600 nm": 0.6 µm
    pair = re.search(r"(?:move|go|stage)\D*?\(?\s*" + NUM + r"\s*,\s*" + NUM + r"\s*\)?\s*(µm|um|microns?)\b", low)
    pair = pair or re.search(
        r"\b(?:move|go|drive|take|shift)(?: the stage| us)? (?:to|by)\s*\(\s*"
        + NUM
        + r"\s*,\s*"
        + NUM
        + r"\s*\)\s*(nm)\b",
        low,
    )  # "drive the stage to (1500, -2750) nm": a stage place in nm
    pair = pair or re.search(
        r"\b(?:go|move|drive|return|back)(?: the stage)? to\s*\(?\s*"
        + NUM
        + r"\s*,\s*"
        + NUM
        + r"\s*\)?(?!\s*\)?\s*(?:nm|µm|um|\d))",
        low,
    )
    pair = pair or re.search(
        r"(?:^|,|;|\bthen\b|\bover\b|\bback\b)\s*to\s*\(\s*" + NUM + r"\s*,\s*" + NUM + r"\s*\)\s*(µm|um|microns?)", low
    )  # "over to (-0.6, 1.4) µm, autofocus": a place in µm is on the stage
    if re.search(
        r"\b(home|centre|center|zero) the stage|stage (to|back to) (the )?(origin|home|centre|center)|"
        r"\b(go|move|drive|return|back)( back)? to (the )?(stage )?(origin|home position)\b|"
        r"origin of the stage",
        low,
    ):
        positions = positions or [{"x_um": 0.0, "y_um": 0.0}]
    zeros = re.search(r"\bx\s*(?:=|:|to)?\s*0(?:\.0+)?\s*,?\s*(?:and\s+)?y\s*(?:=|:|to)?\s*0(?:\.0+)?(?![\d.])", low)
    if zeros and moves and not positions:
        positions = [{"x_um": 0.0, "y_um": 0.0}]  # "back to x 0, y 0": zero needs no unit
    if pair and not positions:
        per_um = 1000.0 if pair.lastindex == 3 and pair.group(3) == "nm" else 1.0  # "(1500, -2750) nm" is in nm
        positions = [{"x_um": number(pair.group(1)) / per_um, "y_um": number(pair.group(2)) / per_um}]
        if re.search(r"\bby\s*\(?\s*$", low[: pair.start(1)]):
            positions[0]["relative"] = True  # "shift the stage by (2, -1.5) µm"
    shift = re.search(
        r"\b(?:move|shift|nudge|drive|step|translate|go|scoot|slide|jog)(?: the stage| the specimen| the sample| it)?"
        r"(?:\s+over)?\s*(by|another)?\s*"
        + NUM
        + r"\s*(nm|µm|um|microns?)\s*(?:in |along |to the |towards the )?([-+]?(?:x|y)|right|left|up|down)\b",
        low,
    )
    led = re.search(
        r"\b(?:move|shift|nudge|drive|step|go|pan|scoot|slide|jog)(?: the stage| the specimen| the sample| it)?"
        r"(?:\s*:)?\s+(?:to the\s+)?"
        r"(right|left|up|down)\s*(?:by\s*)?" + NUM + r"\s*(nm|µm|um|microns?)\b",
        low,
    )  # "move up by 200 nm"
    axis_first = re.search(
        r"\b(?:move|shift|nudge|drive|step|go)(?: the stage| the specimen| the sample| it)?\s+(?:in |along )?(x|y)\s*"
        r"(?:by\s*)?" + NUM + r"\s*(nm|µm|um|microns?)\b",
        low,
    )  # "move x by +200 nm"
    alone = re.match(r"\s*(?:then\s+|stage\s*:?\s+)?()" + BARE_SHIFT, low) or re.search(
        r"\bstage\s*[:,-]?\s+()" + BARE_SHIFT, low
    )  # "1.5 µm up and 350 nm to the left", "note - stage 950 nm left": a shift said without its verb
    shift = shift or alone
    said = (shift.group(4), shift.group(2), shift.group(3)) if shift else None
    said = said or ((axis_first.group(1), axis_first.group(2), axis_first.group(3)) if axis_first else None)
    said = said or ((led.group(1), led.group(2), led.group(3)) if led else None)
    found = shift or axis_first or led
    if found and said and not positions:
        shifts = [said, *_more_shifts(low[found.end() :])]
        move: dict[str, float] = {}
        for direction, value, unit in shifts:
            sign = -1.0 if direction in ("left", "down", "-x", "-y") else 1.0
            axis = "x_um" if direction.lstrip("+-") in ("x", "right", "left") else "y_um"
            move.setdefault(axis, sign * to_tool_unit(value, unit) / 1000)
        positions = [{**move, "relative": True}]
    tilts, request.tilt_relative = stage_tilts_deg(re.sub(r"rotat\w*\D{0,20}?" + NUM + r"\s*(?:°|deg)", " ", low))
    if tilts and request.tilt_relative:
        request.tilt_deg = tilts  # a move "by" an angle is its own relative move_stage
    elif tilts:
        positions = positions or [{}]
        positions[0].update(tilts)
    elif re.search(r"\btilt(?![- ]boundary)", low) and not re.search(
        r"tilt series|\btilt" + FROM_DATA + r"|\btilt out of", low
    ):  # a "tilt-boundary bicrystal" is a specimen
        request.unmapped.append("the tilt (name the angle in degrees, e.g. 'tilt alpha by 5 degrees')")
    if len(positions) > 1:
        request.stage_series_um = positions
    elif positions:
        request.stage_um = positions[0]
    if positions or request.tilt_deg:
        request.intents.add("stage")
    else:
        request.intents.discard("stage")


AND_SHIFT = (
    r"^\s*(?:,|and|,\s*and)\s+(?:then\s+)?(?:(?:by\s+)?"
    + NUM
    + r"\s*(nm|µm|um|microns?)\s*(?:to the |towards the )?(right|left|up|down|[-+]?[xy])\b|"
    r"(?:to the\s+)?(right|left|up|down)\s*(?:by\s*)?" + NUM + r"\s*(nm|µm|um|microns?)\b)"
)
"""A second shift said with the first ("50 nm up and 80 nm right", "left 100 nm and down 50 nm")."""


def _more_shifts(rest: str) -> list[tuple[str, str, str]]:
    """(direction, value, unit) of the shift said right after the first one, if any."""
    more = re.match(AND_SHIFT, rest)
    if more is None:
        return []
    if more.group(1) is not None:
        return [(more.group(3), more.group(1), more.group(2))]
    return [(more.group(4), more.group(5), more.group(6))]
