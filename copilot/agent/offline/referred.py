"""A value said in one sentence and asked for by reference in the next: "Their HT was 115 kV higher than ours; raise
ours by that amount", "HAADF images were recorded with semi-angles of 76-175 mrad. Set our annular detector to that
range", "They kept the probe current below 35 pA. If ours is also below that, take a HAADF", "Their convergence
semi-angle was 24 mrad. What is ours?".

The reference takes the one value (or range) the sentence before it states, and that sentence, which describes and
asks for nothing, is dropped; with no value or more than one the text is left as it is (the unread checks then say
what was not read).
"""

from __future__ import annotations

import re

from copilot.agent.offline.lexicon import NUM, UNIT_ALTERNATION, Quantity, quantities
from copilot.agent.offline.questions import ACTION_WORDS

SENTENCE = re.compile(r"(?<=[.;])\s+|\s+-\s+(?=[^-]*\b(?:to|by) (?:that|the same|this)\b)")
"""Where one sentence ends and the next starts (a decimal point has no space after it), or a spaced dash before a
value asked for by reference ("the spectrometer should collect out to 21 mrad - set the EELS angle to that")."""
VALUE_REFERENCE = re.compile(
    r"\b(by|to) (?:that|the same|this)(?: (?:amount|much|range|value|number|figure|setting|angle|current|energy|"
    r"field|size|dwell|time))?(?=\s*(?:[.,;!?]|$|\b(?:please|too|as well|now|and|then)\b))"
)
SIZE_REFERENCE = re.compile(
    r"\b(?:an? (?:new|fresh) |another |one more )?(one|image|topograph|frame|scan|map)\s+"
    r"(?:of |at )?(?:that|the same|this) size\b"
)
"""A new image of the size the sentence before says ("... came from a 1.35 µm topograph; record a new one that
size")."""
NOUN_AFTER = re.compile(r"\s*(image|topograph|frame|scan|map|overview|survey)\b")
LIMIT_REFERENCE = re.compile(
    r"\bif (?:ours|we|we'?re|our (?:[\w-]+ ){0,2}?[\w-]+)\s*(?:is|are)?\s+(?:also |still |too )?"
    r"(below|under|above|over|at or below|at or under|at or above|at most|at least|no more than|within) that\b"
)
OURS_ASKED = re.compile(r"\bwhat(?:'s| is| are) ours\b")
THEIR_SETTING = re.compile(r"\btheir ((?:[\w-]+ ){0,3}?[\w-]+) (?:was|were|is|are)\b")
RANGE = re.compile(NUM + r"\s*(?:-|–|to)\s*" + NUM + r"\s*(" + UNIT_ALTERNATION + r")(?![a-zµ0-9])")
RANGE_REFERENCE = re.compile(
    r"\bbetween (?:those|these|the two|both) (?:diameters|sizes|values|limits|bounds|figures)\b"
)
"""A range asked for by reference ("the size standard is 12 to 55 nm, so size only particles between those
diameters")."""
IT_SET = re.compile(r"\b(set|put|bring|turn|take|make) it (to|at|down to|up to|(?=\d))\b")
"""A setting asked for as "it" ("... a higher setpoint taps more gently. Could you set it to 18.5 nm?", "the field
feels cramped; make it 3.5 times what it is now")."""
NAMED_SETTING = re.compile(
    r"\b(setpoint|dwell(?: time)?|field of view|probe current|beam current|high tension|defocus|convergence(?: angle)?|"
    r"line rate|scan size|p gain|i gain|pixel count|field)\b"
)
"""The settings a sentence may name for "it" in the next one."""
SETTING_OF = {"current": "probe current", "energy": "high tension", "time": "dwell", "mrad": "convergence"}
"""The setting a bounded value names by its unit alone ("at or under 5 µs per pixel" bounds the dwell)."""


def referred(low: str) -> str:
    """``low`` (normalised) with each value asked for by reference replaced by the value the sentence before says,
    and a setting asked for as "it" by the one setting the sentence before names."""
    parts = SENTENCE.split(_range_referred(low))
    for index in range(1, len(parts)):
        source, said = parts[index - 1], parts[index]
        if found := VALUE_REFERENCE.search(said):
            value = _one_value(source)
            if value is not None:
                said = f"{said[: found.start()]}{found.group(1)} {value}{said[found.end() :]}"
                if theirs := THEIR_SETTING.search(source):  # "raise ours by that amount": our setting of theirs
                    said = re.sub(r"\bours\b", f"our {theirs.group(1)}", said)
                parts[index - 1 : index + 1] = ["", said]
        elif (found := SIZE_REFERENCE.search(said)) and (size := _one_size(source)):
            image = _new_image(found.group(1), source, size)
            parts[index - 1 : index + 1] = ["", f"{said[: found.start()]}{image}{said[found.end() :]}"]
        elif found := LIMIT_REFERENCE.search(said):
            bounded = quantities(source)
            if len(bounded) == 1 and bounded[0].dimension in SETTING_OF:
                value = source[bounded[0].start : bounded[0].end]
                condition = f"if the {SETTING_OF[bounded[0].dimension]} is {found.group(1)} {value}"
                parts[index] = f"{said[: found.start()]}{condition}{said[found.end() :]}"
                parts[index - 1] = ""
        elif (it := IT_SET.search(said)) and not NAMED_SETTING.search(said):
            settings = set(NAMED_SETTING.findall(source))
            if len(settings) == 1:
                parts[index] = f"{said[: it.start()]}{it.group(1)} the {settings.pop()} {it.group(2)}{said[it.end() :]}"
                if not re.search(ACTION_WORDS, source) and not quantities(source):
                    parts[index - 1] = ""  # a remark that only names the setting ("the dwell is too short for EDX")
        elif (asked := OURS_ASKED.search(said)) and (theirs := THEIR_SETTING.search(source)):
            parts[index] = f"{said[: asked.start()]}what is our {theirs.group(1)}{said[asked.end() :]}"
            parts[index - 1] = ""
    return " ".join(part for part in parts if part)


def _range_referred(low: str) -> str:
    """``low`` with a range asked for by reference replaced by the one range said before it, which is cut where it
    was said as context ("the standard is 12 to 55 nm, so size particles between those diameters")."""
    found = RANGE_REFERENCE.search(low)
    ranges = list(RANGE.finditer(low[: found.start()])) if found else []
    if found is None or len(ranges) != 1:
        return low
    smallest, largest, unit = ranges[0].groups()
    asked = f"between {smallest} and {largest} {unit}"
    return f"{low[: ranges[0].start()]}{low[ranges[0].end() : found.start()]}{asked}{low[found.end() :]}"


def _one_size(sentence: str) -> Quantity | None:
    """The one length (a size) the sentence states, or None."""
    lengths = [quantity for quantity in quantities(sentence) if quantity.dimension == "length"]
    return lengths[0] if len(lengths) == 1 else None


def _new_image(said: str, source: str, size: Quantity) -> str:
    """A new image of ``size``, named as said, or for "one" as the sentence before names it ("a 1.35 µm
    topograph")."""
    named = NOUN_AFTER.match(source, size.end) if said == "one" else None
    noun = said if said != "one" else (named.group(1) if named else "image")
    return f"a new {noun} at {source[size.start : size.end]}"


def _one_value(sentence: str) -> str | None:
    """The one range or value with its unit the sentence states, as said, or None."""
    ranges = list(RANGE.finditer(sentence))
    if len(ranges) == 1:
        return ranges[0].group(0)
    said = quantities(sentence)
    return sentence[said[0].start : said[0].end] if len(said) == 1 and not ranges else None
