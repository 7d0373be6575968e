"""A setting changed from its present value: by a factor ("double the field of view", "halve the dwell", "triple
the pixels", "the current twice as high", "cut the line rate by a factor of 2", "make the scan 3x larger", "raise
the current by a third") or by an amount ("raise the current by 10 pA", "bring the HT up by 40 kV").

The factor is read into ``Request.scales`` (tool argument -> factor), the amount into ``Request.offsets`` (tool
argument -> change in the tool unit); the plan reads the status first and sets the present value times the factor
or plus the amount (``scaled``), so the new value is never guessed, and an amount is never set as the value itself.
A change with no setting named, or of a setting the status does not report, sets nothing.
"""

from __future__ import annotations

import re
from typing import Any

from copilot.agent.offline.lexicon import to_tool_unit
from copilot.agent.offline.request import Request

PRESENT_OF = r"field|fov|scan|dwell|pixels?|frame|value|setting|one|image|view|size|defocus|focus|energy|voltage|rate"
"""The words "current" describes when it means the present one ("the current field"), not the beam current."""
TARGETS: tuple[tuple[str, str, str], ...] = (
    (
        "dwell_us",
        "scan",
        r"\bdwell(?: time)?(?: per pixel)?\b|pixel time|time per pixel|\b(?:each|every) pixel (?:takes?|lasts?)\b",
    ),
    (
        "rate_hz",
        "scan",
        r"line rate|scan rate|scan speed|\brate\b|"
        r"\b(?:afm |scan )?lines\b(?=.{0,24}\b(?:as (?:fast|slow)|faster|slower))",
    ),
    (
        "pixels",
        "scan",
        r"\bpixels?(?: per (?:line|side))?\b(?! (?:time|size))|pixel count|\bsampling\b|\bresolution\b|"
        r"(?<![\d.] )(?<!\d)\bpx\b",
    ),
    ("current_pa", "beam", r"(?:beam |probe )?\bcurrent\b(?! (?:" + PRESENT_OF + r")\b)"),
    ("setpoint_nm", "afm_context", r"\b(?:amplitude |feedback )?set ?point\b"),
    ("energy_kv", "beam", r"high tension|accelerating voltage|acceleration voltage|beam energy|\bvoltage\b|\bkv\b"),
    (
        "fov_nm",
        "scan",
        r"field of view|\bfov\b|\bfield\b|scan size|scan area|image size|\bscan\b(?! (?:rate|speed))|"
        r"(?:afm )?\bframe\b|\bview\b|\b(?:show|cover) an area\b|\bpicture\b|"
        r"(?:(?<=\bwiden )|(?<=\bnarrow )|(?<=\benlarge )|(?<=\bshrink ))it\b",
    ),
)
"""(argument, intent, words naming the setting), most specific first ("the pixel time" is a dwell, "the scan
rate" a line rate); each setting said is scaled, and the words that said it are not read again."""
FACTOR_WORDS = {"double": 2.0, "twice": 2.0, "triple": 3.0, "treble": 3.0, "quadruple": 4.0, "halve": 0.5, "half": 0.5}
FACTOR_WORDS |= {"doubled": 2.0, "tripled": 3.0, "quadrupled": 4.0, "halved": 0.5}
WORD = r"\b(double|twice|triple|treble|quadruple|halve|half)\s+(?:the\s+|its\s+|our\s+|this\s+|that\s+)?"
WORD += r"(?:[a-z]+\s+){{0,2}}(?:{t})"
DONE = r"(?:{t})\s+(?:is\s+|be\s+)?(doubled|tripled|quadrupled|halved)\b"
IN_HALF = r"(?:{t})\s+(?:[a-z]+\s+){{0,2}}?(?:in|by) half\b"
UP = r"increase|raise|multiply|bigger|larger|longer|wider|higher|greater|more|up|scale up|widen|enlarge|expand|grow"
UP += r"|lengthen|extend|stretch|boost|speed up|faster"
DOWN = r"decrease|reduce|lower|cut|divide|drop|smaller|shorter|narrower|less|down|shrink|scale down|narrow|shorten"
DOWN += r"|trim|slash|slow(?: down)?|slower"
PARTS = {"half": 2.0, "third": 3.0, "quarter": 4.0, "fifth": 5.0, "tenth": 10.0}
TO_PART = r"\b(?:{way}|make|set|bring|take)\s+(?:the\s+|its\s+|our\s+)?(?:[a-z]+\s+)?(?:{t})\s+(?:down\s+)?to\s+"
TO_PART += r"(?:a\s+|one\s+|1\s+)?(half|third|quarter|fifth|tenth)\b"
"""A setting brought to a part of itself ("shrink the field of view to a quarter")."""
PERCENT = r"(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)"
BY_PERCENT = r"\b({way})\s+(?:the\s+|its\s+|our\s+)?(?:[a-z]+\s+)?(?:{t})\s+(?:by\s+)?" + PERCENT
PERCENT_UP_DOWN = r"(?:{t})\s+(up|down|\+|-)\s*(?:by\s+)?" + PERCENT
COME = r"(?:(?:come|go|drop|fall|be (?:brought|taken|cut|turned))\s+)?"
"""A change said as what the setting does ("could the current come down to 40 percent of what it is now?")."""
PERCENT_OF = r"(?:{t})\s+" + COME + r"(?:down\s+|up\s+)?to\s+" + PERCENT + r"\s+of\s+(?:its|the|what|where|our|now)\b"
PERCENT_OF += r"|(?:{t})\s+" + COME + r"(?:down\s+|up\s+)?to\s+(0?\.\d+)\s+of\s+(?:its|the|what|where|our|now)\b"
"""A share of the present value ("cut the line rate to 15 percent of its present value", "the setpoint to 0.85 of
its present value")."""
FRACTION_OF = r"(?:{t})\s+(?:to\s+)?(\d+)\s*/\s*(\d+)\s+(?:of|times)\b"
"""A fraction of the present value ("make the field of view 3/8 of what it is now")."""
TIMES_NOW = (
    r"(?:(?:{t})\s+(?:up\s+)?(?:to\s+)?(\d+(?:\.\d+)?)\s*(?:kv\s+|pa\s+|nm\s+)?(?:x|×|times)\s+"
    r"(?:(?:from )?what (?:it|they) (?:is|are)(?: now)?|"
    r"(?:its|the) (?:present|current) (?:value|size|width|setting)|its size|now)|"
    r"(\d+(?:\.\d+)?)\s*(?:x|×|times)\s+as\s+(?:many|much)\s+(?:{t}))"
)
"""A factor on the present value ("HT 1.5 times what it is", "three times as many pixels per line as now", "the
field of view up to 5.5 times its current size")."""
PART_MORE = r"\ban? (half|third|quarter|fifth|tenth) (less|more|fewer) (?:{t})"
PERCENT_MORE = r"\b" + PERCENT + r"\s+(more|less|fewer|extra)\s+(?:{t})"
"""A change by a share said before the setting ("thirty percent more probe current")."""
"""A change by a part said before the setting ("a third less current than we have now")."""
COUNTS = ["two", "three", "four", "five", "six", "seven", "nine"]
COUNT_WORD = "|".join(COUNTS)
PARTS_OF = (
    r"(?:{t})\s+(?:down\s+)?to\s+(?:an?\s+|one\s+|(\d+|" + COUNT_WORD + r")[\s-]*)?"
    r"(eighths?|sixths?|thirds?|quarters?|fifths?|tenths?)\s+of\b|"
    r"\b(?:an?|one|(\d+|" + COUNT_WORD + r"))[\s-]*(eighths?|sixths?|thirds?|quarters?|fifths?|tenths?)\s+of\s+"
    r"(?:the\s+)?(?:present\s+|current\s+)?(?:{t})"
)
"""A part of the present value said in words ("shrink the field to five-eighths of what it is", "an eighth of the
present pixel count")."""
SHARES = {"third": 3.0, "quarter": 4.0, "fifth": 5.0, "sixth": 6.0, "eighth": 8.0, "tenth": 10.0}
TIMES_THE = r"\b(\d+(?:\.\d+)?)\s*(?:x|×|times)\s+(?:the\s+|our\s+|its\s+)?(?:(?:present|current)\s+)?(?:{t})"
"""A factor said before the setting it multiplies ("2.5x the dwell time per pixel")."""
GO = r"(?:is\s+|be\s+|go\s+|run\s+|to\s+)?"
"""The verb between a setting and its change ("make lines go 2.5 times faster")."""
PERCENT_AFTER = r"(?:{t})\s+" + GO + PERCENT + r"\s+({way})\b"
"""A change by a share of the present value ("widen the FOV by 25 percent", "make the field 50 % bigger")."""
PERCENT_ABOVE = (
    r"(?:{t})\s+" + GO + PERCENT + r"\s+(above|over|below|under)\s+(?:where (?:it|they) (?:is|are|sits?)|"
    r"(?:the|its) (?:present|current)(?: value| setting)?|what (?:it|they) (?:is|are))(?:\s+now)?"
)
"""A change by a share said against the present value ("accelerating voltage 25 % above where it is now")."""
BY_PART = r"\b({way})\s+(?:the\s+|its\s+|our\s+)?(?:[a-z]+\s+)?(?:{t})\s+by\s+(?:a|one|1)\s+"
BY_PART += r"(half|third|quarter|fifth|tenth)\b|"
BY_PART += r"(?:{t})\s+(?:be\s+|is\s+|get\s+)?(up|down|reduced|lowered|cut|decreased|increased|raised)\s+by\s+"
BY_PART += r"(?:a|one|1)\s+(half|third|quarter|fifth|tenth)\b"
"""A change by a part of the present value ("raise the probe current by a third", "cut the dwell by a quarter")."""
PART_OFF = (
    r"\b(?:knock|take|shave|cut)\s+(?:an?|one)\s+(half|third|quarter|fifth|tenth)\s+off\s+(?:the\s+|its\s+)?(?:{t})|"
    r"(?:{t})\s*[,:;-]?\s+(?:just\s+)?(?:knock|take|shave|cut)\s+(?:an?|one)\s+(half|third|quarter|fifth|tenth)\s+off\b"
)
"""A part taken off the present value ("knock a fifth off the current", "probe current, knock a fifth off it")."""
UNITS_OF = {
    "energy_kv": r"kv|kilovolts?",
    "current_pa": r"pa|picoamps?|na|nanoamps?|fa",
    "dwell_us": r"µs|μs|us|microseconds?|ms|milliseconds?|ns|nanoseconds?",
    "fov_nm": r"nm|nanomet(?:re|er)s?|µm|um|microns?|å|angstroms?",
}
OFFSET = (
    r"\b(?:({way})\s+(?:the\s+|its\s+|our\s+)?(?:[a-z]+\s+)?(?:{t})\s+(?:up\s+|down\s+)?by|(?:{t})\s+(up|down)"
    r"(?:\s+by)?)\s+(?:another\s+)?([-+]?\d+(?:\.\d+)?)\s*({u})\b"
)
"""A change by an amount ("raise the current by 10 pA", "bring the accelerating voltage up by 40 kV", "the current
up 10 pA")."""
GROW_BY = r"(?:{t})\s+(?:needs?|has|have|ought|is going) to\s+({way})\s+by\s+([-+]?\d+(?:\.\d+)?)\s*({u})\b"
"""A change by an amount said as what a setting needs to do ("our field needs to grow by 52 nm")."""
COMPARED = (
    r"(?:{t})\s+(?:by\s+)?([-+]?\d+(?:\.\d+)?)\s*({u})\s+"
    r"(wider|bigger|larger|longer|higher|greater|more|narrower|smaller|shorter|lower|less)\b"
)
COMPARED += (
    r"|(?:{t})\s+(?:make\s+|be\s+|get\s+)?(?:it\s+)?(wider|bigger|larger|longer|higher|greater|more|narrower|smaller|"
    r"shorter|lower|less)\s+(?:of|by)\s+([-+]?\d+(?:\.\d+)?)\s*({u})\b"
)
"""A change by an amount said with a comparative ("make the field 12 nm wider", "the dwell 2 us longer", "the field
of view make smaller of 22 nm")."""
ADD_TO = (
    r"\b(add|take off|subtract)\s+([-+]?\d+(?:\.\d+)?)\s*({u})\s+(?:to|from|on|onto)\s+(?:the\s+)?(?:{t})|"
    r"\b(take|knock|shave)\s+([-+]?\d+(?:\.\d+)?)\s*({u})\s+off\s+(?:the\s+|its\s+|our\s+)?(?:[a-z]+\s+)?(?:{t})|"
    r"\b(give)\s+(?:the\s+|its\s+|our\s+)?(?:{t})\s+(?:another|an extra|a further)\s+([-+]?\d+(?:\.\d+)?)\s*({u})\b"
)
"""An amount added to a setting or taken off it ("add 1.5 microseconds to the dwell", "take 12 nm off the field of
view")."""
MORE_PIXELS = r"\b(\d+)\s+(more|extra|fewer|less)\s+(?:{t})|"
MORE_PIXELS += r"\b(?:an?\s+)?(extra|additional|add)\s+(\d+)\s+(?:more\s+)?(?:{t}|px\b)"
MORE_PIXELS += r"|(?:{t})(?:\s+count)?\s+(up|down)\s+by\s+(\d+)\b(?!\.\d|\s*(?:%|percent|per cent|x\b|times))"
MORE_PIXELS += r"|\b(\d+)\s+(?:{t})\s+(more|extra|fewer|less)\b"
MORE_PIXELS += r"|(?<![\w.])([+-])(\d+)\s*(?:{t}|px\b)"
MORE_PIXELS += r"|\b(take|knock|shave)\s+(\d+)\s+(?:{t}|px\b)(?:\s+per (?:side|line))?\s+off\b"
"""Pixels added or taken off by a count ("160 more pixels per side", "the px count up by 416", "take 96 pixels per
side off")."""
BARE_KV = r"\b({way})\s+(?:the\s+)?(?:kv|high tension|voltage)\s+by\s+(\d+(?:\.\d+)?)(?!\s*[a-zµ%])"
"""A beam energy changed by a number said without its unit ("drop the kV by 20")."""
NAMED_BY_UNIT = ("energy_kv", "current_pa")
"""The settings whose unit alone says which setting an amount changes (kV is the beam energy, pA the current)."""
THAN_NOW = r"\s+than\s+(?:(?:the|its|our)\s+)?(?:(?:present|current|existing)(?:\s+(?:setting|value|one))?|"
THAN_NOW += r"(?:what\s+)?(?:it is|it's|we have|we are at|we're at)(?:\s+now)?|now|at present|before)"
FROM_NOW = (
    r"(?:where (?:it|they) (?:is|are|sits?|stands?|was)|(?:the|its|our) (?:present|current)(?: setting| value| one)?|"
)
FROM_NOW += r"what (?:it|they) (?:is|are)|it is|now)\b(?:\s+now)?"
"""The present value a change is said from ("105 kV above where it sits now")."""
UNIT_SAID = (
    r"\b({way})\s+(?:it|that|this)\s+(?:up\s+|down\s+)?by\s+(\d+(?:\.\d+)?)\s*({u})\b|"
    r"(?:\b(?:go|add|another)\s+)?\b(\d+(?:\.\d+)?)\s*({u})\s+(more|higher|up|less|lower|down)\b(?:" + THAN_NOW + ")?|"
    r"\b(\d+(?:\.\d+)?)\s*({u})\s+(above|below|over|under)\s+" + FROM_NOW
)
"""A change by an amount whose unit names the setting ("45 kV more than the present setting", "raise it by 45 kV",
"go 20 pA lower")."""
TIMES_AS = r"(?:{t})\s+(?:[a-z]+\s+){{0,2}}(\d+(?:\.\d+)?)\s*(?:x|×|times)\s+as\s+"
TIMES_AS += r"(big|large|wide|long|high|fast|much|many|small|narrow|short|low|slow)\b"
TIMES_AS_BEFORE = (
    r"\b(\d+(?:\.\d+)?)\s*(?:x|×|times)\s+as\s+(big|large|wide|long|high|fast|small|narrow|short|low|slow)"
)
TIMES_AS_BEFORE += r"\s+(?:an?\s+)?(?:{t})"
"""A factor said as "N times as big" ("make the AFM frame three times as big", "seven times as wide a field")."""
NUMBER_BEFORE = r"(\d+(?:\.\d+)?)\s*(?:x|×|times)\s+({way})\s+(?:[a-z]+\s+)?(?:{t})"
"""A factor said before the setting ("a 5x longer dwell", "five times longer dwell per pixel")."""
NUMBER = (
    r"(?:by\s+)?(?:a factor (?:of )?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:x|×|times)(?![a-z\d])|x\s*(\d+(?:\.\d+)?)\b)"
)
BY_NUMBER = r"\b({way})\s+(?:the\s+|its\s+|our\s+)?(?:[a-z]+\s+)?(?:{t})\s+" + NUMBER
AS = r"(?:{t})\s+(?:[a-z]+\s+)?(twice|half) as\b"
NUMBER_AFTER = r"(?:{t})\s+" + GO + NUMBER + r"\s+({way})\b"
"""A factor said as a number ("raise the dwell by a factor of 2", "make the field 3x bigger", "the current 2 times
higher"): up or down by the verb or comparative said with it."""


def read_scales(low: str, request: Request) -> str:
    """Read the factors of ``low`` into ``request.scales`` and the amounts into ``request.offsets`` (see the module
    docstring); the text without the words that said them."""
    for argument, intent, words in TARGETS:
        if (change := _amount(low, argument, words)) is not None:
            amount, found = change
            request.offsets[argument] = amount
            setattr(request, argument, None)  # the amount said is the change, never the value
            request.intents.add(intent)
            low = low[: found.start()] + " " * (found.end() - found.start()) + low[found.end() :]
            continue
        said = _factor(low, words)
        if said is None or not _free(getattr(request, argument), said[1].group(0)):
            continue
        factor, found = said
        setattr(request, argument, None)  # "HT 1.5 times what it is": the number said is the factor, not the value
        request.scales[argument] = factor
        request.intents.add(intent)
        low = low[: found.start()] + " " * (found.end() - found.start()) + low[found.end() :]
    return low


def _free(value: Any, said: str) -> bool:
    """The setting holds no value, or only a number said inside the factor's own words (read as the value)."""
    return value is None or any(float(number) == value for number in re.findall(r"\d+(?:\.\d+)?", said))


def _amount(low: str, argument: str, words: str) -> tuple[float, re.Match[str]] | None:
    """The change by an amount said of the setting the ``words`` name, in its tool unit, and where it is said."""
    if argument == "pixels" and (more := re.search(MORE_PIXELS.format(t=words), low)):
        said = ((1, 2), (4, 3), (6, 5), (7, 8), (10, 9), (12, 11))
        count, way = next(more.group(*i) for i in said if more.group(i[0]))
        return (float(count) * (1 if way in ("more", "extra", "additional", "add", "up", "+") else -1)), more
    if argument not in UNITS_OF:
        return None
    way, units = f"{UP}|{DOWN}", UNITS_OF[argument]
    if found := re.search(OFFSET.format(way=way, t=words, u=units), low):
        amount = to_tool_unit(found.group(3), found.group(4))
        down = re.fullmatch(DOWN, found.group(1) or "") or found.group(2) == "down"
        return (-abs(amount) if down else amount), found
    if grow := re.search(GROW_BY.format(way=way, t=words, u=units), low):
        amount = to_tool_unit(grow.group(2), grow.group(3))
        return (-abs(amount) if re.fullmatch(DOWN, grow.group(1)) else amount), grow
    if compared := re.search(COMPARED.format(t=words, u=units), low):
        value, unit = (compared.group(1), compared.group(2)) if compared.group(1) else compared.group(5, 6)
        amount = to_tool_unit(value, unit)
        way_said = compared.group(3) or compared.group(4)
        return (-abs(amount) if re.fullmatch(DOWN, way_said) else amount), compared
    if added := re.search(ADD_TO.format(t=words, u=units), low):
        verb, value, unit = next(added.group(i, i + 1, i + 2) for i in (1, 4, 7) if added.group(i))
        amount = to_tool_unit(value, unit)
        return (amount if verb in ("add", "give") else -abs(amount)), added
    if argument == "energy_kv" and (bare := re.search(BARE_KV.format(way=way), low)):
        amount = float(bare.group(2))
        return (-amount if re.fullmatch(DOWN, bare.group(1)) else amount), bare
    if argument in NAMED_BY_UNIT and (unit := re.search(UNIT_SAID.format(way=way, u=units), low)):
        direction, value, unit_said = next(
            unit.group(*i) for i in ((1, 2, 3), (6, 4, 5), (9, 7, 8)) if unit.group(i[0])
        )
        amount = to_tool_unit(value, unit_said)
        return (-abs(amount) if re.fullmatch(DOWN + "|below|under", direction) else amount), unit
    return None


def _factor(low: str, target: str) -> tuple[float, re.Match[str]] | None:
    """The factor said on the setting the ``target`` words name, and where it is said, or None."""
    said = next((m for form in (WORD, DONE, AS) if (m := re.search(form.format(t=target), low))), None)
    if said:
        return FACTOR_WORDS[said.group(1)], said
    if half := re.search(IN_HALF.format(t=target), low):
        return 0.5, half
    way = f"{UP}|{DOWN}"
    if part := re.search(TO_PART.format(way=way, t=target), low):
        return 1.0 / PARTS[part.group(1)], part
    if times := re.search(TIMES_AS.format(t=target), low) or re.search(TIMES_AS_BEFORE.format(t=target), low):
        value = float(times.group(1))
        if value > 0 and value != 1:
            return (1.0 / value if times.group(2) in ("small", "narrow", "short", "low", "slow") else value), times
    if by_part := re.search(BY_PART.format(way=way, t=target), low):
        direction, share_said = by_part.group(1, 2) if by_part.group(1) else by_part.group(3, 4)
        part_of = 1.0 / PARTS[share_said]
        down = re.fullmatch(DOWN, direction) or direction in ("reduced", "lowered", "decreased")
        return (1.0 - part_of if down else 1.0 + part_of), by_part
    if part := re.search(PART_OFF.format(t=target), low):
        return 1.0 - 1.0 / PARTS[part.group(1) or part.group(2)], part
    if share := re.search(BY_PERCENT.format(way=way, t=target), low):
        return _percent(share.group(1), share.group(2)), share
    if share := re.search(PERCENT_AFTER.format(way=way, t=target), low):
        return _percent(share.group(2), share.group(1)), share
    if share := re.search(PERCENT_ABOVE.format(t=target), low):
        return _percent("down" if share.group(2) in ("below", "under") else "up", share.group(1)), share
    if share := re.search(PERCENT_UP_DOWN.format(t=target), low):
        return _percent("up" if share.group(1) in ("up", "+") else "down", share.group(2)), share
    if share := re.search(PERCENT_OF.format(t=target), low):
        taken = float(share.group(1)) / 100 if share.group(1) else float(share.group(2))
        if 0 < taken != 1:
            return taken, share
    if fraction := re.search(FRACTION_OF.format(t=target), low):
        top, bottom = float(fraction.group(1)), float(fraction.group(2))
        if top > 0 and bottom > 0 and top != bottom:
            return top / bottom, fraction
    if times := re.search(TIMES_NOW.format(t=target), low):
        value = float(times.group(1) or times.group(2))
        if value > 0 and value != 1:
            return value, times
    if share := re.search(PERCENT_MORE.format(t=target), low):
        return _percent("up" if share.group(2) in ("more", "extra") else "down", share.group(1)), share
    if part := re.search(PART_MORE.format(t=target), low):
        part_of = 1.0 / PARTS[part.group(1)]
        return (1.0 + part_of if part.group(2) == "more" else 1.0 - part_of), part
    if shares := re.search(PARTS_OF.format(t=target), low):
        counted = shares.group(1) or shares.group(3) or "1"
        count = float(counted) if counted.isdigit() else float(COUNTS.index(counted) + 2)
        whole = SHARES[(shares.group(2) or shares.group(4)).rstrip("s")]
        if 0 < count < whole:
            return count / whole, shares
    if times := re.search(TIMES_THE.format(t=target), low):
        value = float(times.group(1))
        if value > 0 and value != 1:
            return value, times
    found = re.search(BY_NUMBER.format(way=way, t=target), low)
    groups = (found.group(1), *found.groups()[1:]) if found else ()
    if found is None and (after := re.search(NUMBER_AFTER.format(way=way, t=target), low)):
        found, groups = after, (after.group(4), *after.groups()[:3])
    if found is None and (before := re.search(NUMBER_BEFORE.format(way=way, t=target), low)):
        found, groups = before, (before.group(2), before.group(1))
    if found is None:
        return None
    direction, *numbers = groups
    value = float(next(n for n in numbers if n))
    if value <= 0 or value == 1:
        return None
    return (1.0 / value if re.fullmatch(DOWN, direction) else value), found


def _percent(direction: str, share: str) -> float:
    """The factor of a change by ``share`` percent up or down."""
    change = float(share) / 100
    return 1.0 - change if re.fullmatch(DOWN, direction) else 1.0 + change


STATUS_KEYS = {"fov_nm": ("scan", ("fov_nm", "size_nm")), "setpoint_nm": ("feedback", ("setpoint_nm",))}
"""Where the status reports a setting, when it is not under its own name or group (the AFM scan's side is
``size_nm``, the setpoint is a feedback setting)."""


def scaled(request: Request, status: dict[str, Any] | None) -> list[str]:
    """Set each scaled setting of ``request`` to its present value (from ``status``) times its factor; the ones the
    status does not report, in words, for the answer."""
    settings = (status or {}).get("settings") or {}
    missing = []
    changes = [(argument, factor, 0.0) for argument, factor in request.scales.items()]
    changes += [(argument, 1.0, amount) for argument, amount in request.offsets.items()]
    for argument, factor, amount in changes:
        group = "beam" if argument in ("current_pa", "energy_kv") else "scan"
        group, keys = STATUS_KEYS.get(argument, (group, (argument,)))
        present = next((v for k in keys if isinstance(v := (settings.get(group) or {}).get(k), int | float)), None)
        if present is None or isinstance(present, bool):
            missing.append(f"the present {argument.split('_')[0]} is unknown, so it was not scaled")
            continue
        value = float(present) * factor + amount
        setattr(request, argument, max(1, round(value)) if argument == "pixels" else round(value, 4))
    return missing
