"""Where a request points: FOV points and regions in nm, stage positions in µm, value series (a focal series).

Pure functions of the lower-cased request text. FOV coordinates (nm from the image's top-left corner) are for
spectra, force curves and regions; stage positions are in µm. A coordinate in nm is a place in the image unless the
sentence says "stage".
"""

from __future__ import annotations

import re

NUM = r"([-+−]?\d+(?:\.\d+)?)"
NM = r"\s*nm\b"


def num(text: str) -> float:
    """A number as written, with a typographic minus."""
    return float(text.replace("−", "-"))


TWO_POINTS = (
    r"\bfrom\s*\(?\s*"
    + NUM
    + r"(?:"
    + NM
    + r")?\s*,\s*"
    + NUM
    + r"\s*\)?(?:"
    + NM
    + r")?\s*to\s*\(?\s*"
    + NUM
    + r"(?:"
    + NM
    + r")?\s*,\s*"
    + NUM
    + r"\s*\)?"
    + NM
)
"""Two points of the image ("from (1, 1) nm to (7, 5) nm", "from (0, 4 nm) to (8, 4 nm)"): a line's ends, or a
rectangle's corners."""


UNIT = r"\s*(nm|å|angstroms?)\b"
PAIR = r"\(\s*" + NUM + r"(?:" + UNIT + r")?\s*,\s*" + NUM + r"(?:" + UNIT + r")?\s*\)(?:" + UNIT + r")?"
"""A point in parentheses with its unit inside or after ("(12, 3) nm", "(4 nm, 4 nm)", "(30, 90) Å")."""
PAIR_TO_PAIR = PAIR + r"\s*(?:to|-|–|,?\s*(?:and\s+)?(?:ending|ends|finishing|finishes) at)\s*" + PAIR
CORNER_PAIRS = r"\bcorners?\s*(?:at|of|:|=)?\s*" + PAIR + r"\s*(?:,\s*)?(?:and|to|-|–|,)\s*" + PAIR
"""A box by two corners ("corners (14, 2.5) nm and (30.5, 25.5) nm")."""
"""Two points in parentheses ("(2, 3) nm to (9, 4) nm", "starting at (12, 21) nm and ending at (27, 9) nm")."""
FROM_EDGES = (
    NUM
    + NM
    + r"\s+(?:across|in|(?:in )?from the left(?: edge| side)?)\s*(?:,\s*|\s+and\s+)"
    + NUM
    + NM
    + r"\s+(?:down|(?:down )?from the top(?: edge| side)?)\b"
)
"""A point said by its distances from the image's left and top edges ("600 nm across and 150 nm down", "300 nm from
the left and 800 nm from the top")."""
BARE_PAIRS = r"(?<![\d.(])" + NUM + r"\s*,\s*" + NUM + r"\s*(?:nm\s*)?(?:to|-)\s*" + NUM + r"\s*,\s*" + NUM + NM
"""Two points said without parentheses ("8,24 to 26,13 nm")."""
SAID_PAIR = r"\b(?:at|on|in)(?:\s+(?:the\s+)?point)?\s+" + NUM + r"(?:" + UNIT + r")?\s*,\s*" + NUM + UNIT
"""A point said without parentheses ("at 7 nm, 12 nm", "at 30 Å, 90 Å")."""


def _in_nm(found: re.Match[str], values: tuple[int, ...], units: tuple[int, ...]) -> list[float]:
    """The numbers of ``found`` in nm, by the last unit said (Å is a tenth of a nm)."""
    unit = next((found.group(i) for i in reversed(units) if found.group(i)), "nm")
    return [num(found.group(i)) / (10.0 if unit != "nm" else 1.0) for i in values]


ALONG_AXIS = (
    r"\b(?:along|at)\s+([xy])\s*(?:=|:)?\s*"
    + NUM
    + r"(?:"
    + NM
    + r")?,?\s*from\s+([xy])\s*(?:=|:)?\s*"
    + NUM
    + r"(?:"
    + NM
    + r")?\s*to\s+(?:[xy]\s*(?:=|:)?\s*)?"
    + NUM
    + NM
)
"""A line at one coordinate between two values of the other ("along y = 3 nm from x 0 to x 15 nm")."""


def two_points_nm(low: str) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) in nm of the two points the text names (see ``TWO_POINTS``, ``PAIR_TO_PAIR``,
    ``ALONG_AXIS``), or None."""
    along = re.search(ALONG_AXIS, low)
    if along and along.group(1) != along.group(3):
        fixed, start, end = num(along.group(2)), num(along.group(4)), num(along.group(5))
        return (start, fixed, end, fixed) if along.group(1) == "y" else (fixed, start, fixed, end)
    found = re.search(TWO_POINTS, low)
    if found:
        return (num(found.group(1)), num(found.group(2)), num(found.group(3)), num(found.group(4)))
    bare = re.search(BARE_PAIRS, low)
    if bare:
        return (num(bare.group(1)), num(bare.group(2)), num(bare.group(3)), num(bare.group(4)))
    pairs = re.search(PAIR_TO_PAIR, low) or re.search(CORNER_PAIRS, low)
    if pairs is None or not any(pairs.group(i) for i in (2, 4, 5, 7, 9, 10)):
        return None
    x0, y0, x1, y1 = _in_nm(pairs, (1, 3, 6, 8), (2, 4, 5, 7, 9, 10))
    return (x0, y0, x1, y1)


def fov_point_nm(low: str) -> tuple[float, float] | None:
    """``x = 4 nm, y = 4 nm``, ``x 3 nm y 3 nm``, ``(4 nm, 4 nm)``, ``at (3.5, 4 nm)``, ``(12, 3) nm``, ``at 30 Å,
    90 Å``: a point of the image, in nm."""
    if re.search(r"\bstage\b", low) and not re.search(r"spectrum|eels|eds|edx|force", low):
        return None
    if two_points_nm(low):
        return None  # two points: a line or a rectangle, not one place
    if edges := re.search(FROM_EDGES, low):
        return (num(edges.group(1)), num(edges.group(2)))
    pair = re.search(r"\bx\s*(?:=|:)?\s*" + NUM + r"(?:" + NM + r")?\s*,?\s*(?:and\s+)?y\s*(?:=|:)?\s*" + NUM + NM, low)
    if pair is None and (
        tenths := re.search(r"\bx\s*(?:=|:)?\s*" + NUM + UNIT + r"\s*,?\s*(?:and\s+)?y\s*(?:=|:)?\s*" + NUM + UNIT, low)
    ):
        x_nm, y_nm = _in_nm(tenths, (1, 3), (2, 4))  # "x=285Å y=235Å"
        return (x_nm, y_nm)
    pair = pair or re.search(r"\(\s*" + NUM + r"(?:" + NM + r")?\s*,\s*" + NUM + NM + r"\s*\)", low)
    pair = pair or re.search(r"\bat\s*\(?\s*" + NUM + r"(?:" + NM + r")?\s*,\s*" + NUM + NM, low)
    if pair:
        return (num(pair.group(1)), num(pair.group(2)))
    bracketed = re.search(PAIR, low)
    if bracketed and any(bracketed.group(i) for i in (2, 4, 5)):
        x_nm, y_nm = _in_nm(bracketed, (1, 3), (2, 4, 5))
        return (x_nm, y_nm)
    said = re.search(SAID_PAIR, low)
    if said:
        x_nm, y_nm = _in_nm(said, (1, 3), (2, 4))
        return (x_nm, y_nm)
    return None


CORNER_SQUARE = (
    r"\b(?:top|upper)[- ]left\s+"
    + NUM
    + NM
    + r"\s*(?:square|region|area|box|window)\b|"
    + NUM
    + NM
    + r"\s*(?:square|box)\b[^.;]{0,25}?\b(?:top|upper)[- ]left(?: corner)?\b"
)
"""A square said from the image's top-left corner ("the top-left 250 nm square", "the 5 nm square in the top-left
corner"): a region, never a field of view."""


PLACED_SQUARE = (
    NUM
    + NM
    + r"\s*(?:square(?: box| region)?|box)\s*(?:at|from|(?:that |which )?(?:starts?|starting|begins?|beginning) at|"
    r"(?:whose|with its|with the) (?:top[- ]left |upper[- ]left )?corner (?:is )?at)\s*"
)
PLACED_SQUARE += PAIR
PLACED_SQUARE += (
    r"|\bsquare (?:of )?" + NUM + NM + r"\s*(?:on a|a|per) side,?\s*(?:with (?:its|the) )?"
    r"(?:top[- ]left |upper[- ]left )?corner (?:is )?at\s*" + PAIR
)
"""A square said with its top-left corner ("the 400 nm square at (300, 150) nm", "a 460 nm square box whose corner is
at (380, 220) nm"): a region, never a scan size."""


BOX_CORNER = (
    r"\s*(?:at|from|(?:that |which )?(?:starts?|starting|begins?|beginning) at|"
    r"(?:whose|with its|with the) (?:top[- ]left |upper[- ]left )?corner (?:is )?at)\s*" + PAIR
)
"""Where a box said by its sides starts: its top-left corner ("... window whose upper-left corner is at (270, 530)
nm")."""


def region_nm(low: str) -> tuple[float, float, float, float] | None:
    """A rectangle (x, y, width, height) in nm: ``x 0-500 nm, y 0-500 nm``, ``x from 0 to 500 nm and y from 0 to
    500 nm``, ``the top-left 500 x 500 nm region`` or ``the top-left 250 nm square``."""
    span = (
        r"\s*(?:=|:)?\s*(?:(?:runs|goes|spans|extends|ranges)\s+)?(?:from\s*)?"
        + NUM
        + r"\s*(?:nm\s*)?(?:-|–|to)\s*"
        + NUM
    )
    ranges = re.search(r"\bx" + span + r"(?:" + NM + r")?.{0,12}?\by" + span + NM, low)  # "x 2-12, y 6-9 nm"
    if ranges:
        x0, x1, y0, y1 = (num(ranges.group(i)) for i in range(1, 5))
        return (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
    box = re.search(
        NUM + r"\s*(?:nm\s*)?(?:x|×|by)\s*" + NUM + NM + r"[^.]{0,20}?\b(region|area|square|box|window|patch|tile)", low
    )
    if box and (corner := re.match(BOX_CORNER, low[box.end() :])):  # "a 360 x 360 nm window whose corner is at"
        x_nm, y_nm = _in_nm(corner, (1, 3), (2, 4, 5))
        return (x_nm, y_nm, num(box.group(1)), num(box.group(2)))
    if box and re.search(r"top[- ]left|upper[- ]left|corner|region|area", low):
        return (0.0, 0.0, num(box.group(1)), num(box.group(2)))
    corners = two_points_nm(low)
    if corners and re.search(r"\b(square|region|area|box|window|rectangle|map|spectrum image|sis?)\b", low):
        x0, y0, x1, y1 = corners
        return (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
    placed = re.search(PLACED_SQUARE, low)
    if placed and not placed.group(1):  # "a square 330 nm on a side, top-left corner at (240, 410) nm"
        side = num(placed.group(7))
        x_nm, y_nm = _in_nm(placed, (8, 10), (9, 11, 12))
        return (x_nm, y_nm, side, side)
    if placed and any(placed.group(i) for i in (3, 5, 6)):  # "the 400 nm square at (300, 150) nm": its corner
        side = num(placed.group(1))
        x_nm, y_nm = _in_nm(placed, (2, 4), (3, 5, 6))
        return (x_nm, y_nm, side, side)
    if square := re.search(CORNER_SQUARE, low):
        side = num(square.group(1) or square.group(2))
        return (0.0, 0.0, side, side)
    return None


def stage_positions_um(low: str, nm_allowed: bool) -> list[dict[str, float]]:
    """Every ``x = 0.2 um, y = 0 um`` pair (or lone ``x = 0.5 um``) in order: one stage position each, in µm.
    With ``nm_allowed`` (the sentence moves the stage) ``x = 300 nm`` counts too."""
    unit = r"\s*(µm|um|microns?|nm)\b" if nm_allowed else r"\s*(µm|um|microns?)\b"
    found = re.finditer(
        r"\bx\s*(?:=|:|to)?\s*" + NUM + unit + r"(?:\s*(?:,|/)?\s*(?:and\s+)?y\s*(?:=|:|to)?\s*" + NUM + unit + r")?",
        low,
    )
    shared = re.search(
        r"\bx\s*(?:=|:|to)?\s*" + NUM + r"\s*,?\s*(?:and\s+)?y\s*(?:=|:|to)?\s*" + NUM + unit, low
    )  # "x 3, y -2 microns": one unit for both
    if shared and not re.search(r"\bx\s*(?:=|:|to)?\s*" + NUM + unit, low):
        return [{"x_um": _um(shared.group(1), shared.group(3)), "y_um": _um(shared.group(2), shared.group(3))}]
    positions = []
    for match in found:
        position = {"x_um": _um(match.group(1), match.group(2))}
        if match.group(3) is not None:
            position["y_um"] = _um(match.group(3), match.group(4))
        positions.append(position)
    axis_after = re.search(
        NUM + unit + r"\s*(?:in|along|on)\s*x\b(?:\s*(?:,|and|,\s*and)\s*" + NUM + unit + r"\s*(?:in|along|on)\s*y\b)?",
        low,
    )  # "7.5 µm in x, -4.5 µm in y"
    if not positions and axis_after and not re.search(r"\b(?:by|another)\s*$", low[: axis_after.start()]):
        position = {"x_um": _um(axis_after.group(1), axis_after.group(2))}
        if axis_after.group(3) is not None:
            position["y_um"] = _um(axis_after.group(3), axis_after.group(4))
        positions.append(position)
    if not positions and (lone_y := re.search(r"\by\s*(?:=|:|to)?\s*" + NUM + unit, low)):
        positions.append({"y_um": _um(lone_y.group(1), lone_y.group(2))})
    return positions


FROM_DATA = r"\s+(?:from|of|in|on) (?:the |this |that |my |our )?(?:[\w-]+ )?"
FROM_DATA += r"(?:topo\w*|afm|image|frame|scan|height|data|picture)"
"""What a tilt removed from is said to be in: data, so a plane levelling, not a stage tilt."""
UNTILT = (
    r"\b(?:zero|reset|level|flatten|remove)\b(?: out)?(?: both| the| all)*(?: stage)? tilts?\b"
    r"(?!" + FROM_DATA + r")(?! out of)|"
    r"\buntilt|"
    r"\blevel the (?:specimen )?(?:holder|stage)\b|"
    r"\b(?:both |the |all )?tilts? (?:back )?(?:to|at|=) (?:zero|0)(?![\d.])|"
    r"\balpha and beta (?:back )?(?:to|at|=) (?:zero|0)(?![\d.])"
)
"""Both tilts to zero: "zero both tilts", "untilt the holder", "tilts back to 0", "set alpha and beta to 0"."""


def stage_tilts_deg(low: str) -> tuple[dict[str, float], bool]:
    """Stage tilts in degrees: ``tilt the stage by 5 degrees in alpha``, ``alpha to 10°``, ``beta tilt of -3 deg``.
    A tilt is about the axis named last before its number (failing that, just after it), else alpha; it is relative
    (a second return value of True) when the number follows ``by``, ``another``, ``add`` or ``a further``, or is
    followed by ``more``/``further`` or said "up"/"down" ("beta down 2 degrees"); a relative tilt said with "reduce",
    "decrease", "lower" or "down" goes down."""
    if not re.search(r"tilt|\balpha\b|\bbeta\b", low):
        return {}, False
    if re.search(UNTILT, low):
        return {"alpha_deg": 0.0, "beta_deg": 0.0}, False
    tilts: dict[str, float] = {}
    relative = False
    for match in re.finditer(NUM + r"\s*(?:(?:more|further|extra)\s+)?(?:°|deg(?:rees?)?\b)", low):
        before = low[max(0, match.start() - 30) : match.start()]
        after = low[match.end() : match.end() + 20]
        named = re.findall(r"\b(alpha|beta)\b", before[-16:]) or re.findall(r"\b(alpha|beta)\b", after)[:1]
        axis = "beta_deg" if named and named[-1] == "beta" else "alpha_deg"
        said_relative = re.search(r"\b(by|another|add|an? (?:extra|further)|up|down)\s*$", before)
        lowered = said_relative and re.search(
            r"\b(reduce|decrease|lower|drop|subtract|back (?:\w+ )?off|take(?![^,;.]*\bup\b)|down)\b", before
        )  # "take 2 degrees off beta" lowers it, "take beta up by 2 degrees" raises it
        tilts.setdefault(axis, -abs(num(match.group(1))) if lowered else num(match.group(1)))
        said_more = bool(
            re.search(r"\b(?:more|further|extra)\b", match.group(0)) or re.match(r"\s*(more|further)", after)
        )
        if than := re.match(
            r"\s*(lower|less|smaller|down|higher|larger|up)(?: than (?:now|before|it is|current)|\s*(?:[.,;!?]|$))",
            after,
        ):  # "beta 4.5° lower than where it is now" (the present value said is cut: "beta 4.5° lower")
            said_more = True  # "beta five degrees lower than now"
            if than.group(1) in ("lower", "less", "smaller", "down"):
                tilts[axis] = -abs(tilts[axis])
        relative = relative or bool(said_relative or said_more)
    return tilts, relative


def _um(value: str, unit: str) -> float:
    return num(value) / 1000 if unit == "nm" else num(value)


def series_nm(low: str, word: str) -> list[float]:
    """Two or more lengths listed around ``word``: ``defocus -10 nm, 0 nm and +10 nm``, ``at -10, 0 and 10 nm
    defocus`` -> [-10, 0, 10], or a range ``from -20 to 20 nm in 10 nm steps`` (at most 21 values)."""
    stepped = re.search(
        r"from\s*" + NUM + r"(?:" + NM + r")?\s*to\s*" + NUM + NM + r"\s*in\s*" + NUM + NM + r"\s*steps", low
    )
    if stepped and word in low:
        start, stop, step = (num(stepped.group(i)) for i in (1, 2, 3))
        count = round(abs(stop - start) / abs(step)) + 1 if step else 0
        direction = 1.0 if stop >= start else -1.0
        return [round(start + direction * abs(step) * i, 6) for i in range(count)] if 2 <= count <= 21 else []
    listed = NUM + r"(?:" + NM + r")?(?:\s*(?:,|and|,\s*and|or)\s*" + NUM + r"(?:" + NM + r")?)+"
    for match in re.finditer(listed, low):
        window = low[max(0, match.start() - 40) : match.end() + 20]
        if word in window and match.group(0).rstrip().endswith("nm"):
            values = re.findall(NUM, match.group(0))
            if len(values) >= 2:
                return [num(v) for v in values]
    return []


UNDER_OVER = re.compile(
    NUM + r"(?:" + NM + r")?\s*(?:of\s+)?(under|over)(?:[- ]?focus(?:ed)?)?\b|"
    r"\b(under|over)[- ]?focus(?:ed)?\s*(?:by\s+)?" + NUM + NM
)
SIGNED = re.compile(r"(?<![\w.)])([-+−]\d+(?:\.\d+)?)(?:" + NM + r")?(?!\s*(?:µm|um|mrad|pa|kv|%|°|\d))")
AT_ZERO = re.compile(r"\bat (?:zero|0)(?:\s*nm)?(?: defocus)?(?=\s*(?:$|[,;.?!]|and\b|then\b))")
"""The second frame of a pair said at zero defocus ("one at -15 nm defocus and one at zero")."""
EACH_COMPARED = r"\bcompare (?:their|both|the two|the pair'?s?)\b"
"""Two frames compared ("record at 24 nm underfocus and at 24 nm overfocus, and compare their sharpness")."""
EACH = (
    r"\b(?:one|an?)\b.*\b(?:one|another)\b|\bwhich\b.{0,20}\b(?:sharper|crisper|better)\b|"
    r"\b(?:each|both|the other)\b|\bother\b.{0,12}\bover\b"
)


def defocus_pair_nm(low: str) -> list[float]:
    """Two frames at two defoci said one by one: ``one frame 25 nm under focus and one 25 nm over`` -> [-25, 25],
    ``one shot at -18 nm defocus, one at +18`` -> [-18, 18]; [] unless the request takes one frame at each."""
    if not (re.search(EACH, low) or re.search(EACH_COMPARED, low)) or not re.search(r"focus", low):
        return []
    said = [(m.group(1) or m.group(4), m.group(2) or m.group(3)) for m in UNDER_OVER.finditer(low)]
    if len(said) == 2 and {word for _, word in said} == {"under", "over"}:
        return [abs(num(value)) * (-1.0 if word == "under" else 1.0) for value, word in said]
    signed = [(m.start(), num(m.group(1))) for m in SIGNED.finditer(low)]
    zero = [(m.start(), 0.0) for m in AT_ZERO.finditer(low)]
    if len(signed) + len(zero) == 2 and len(signed) >= 1 and re.search(r"\bdefocus", low):
        return [value for _, value in sorted(signed + zero)]  # "at -20 nm defocus and one at zero"
    return []
