"""Questions about the instrument ("How big is a pixel?", "kV?", "what's Cs", "dose so far?"), answered from
``get_status`` in one sentence each, with the values and units the status gives."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from copilot.agent.offline.reasons import PURPOSE
from copilot.agent.offline.safety import frame_dose_e_per_A2
from copilot.agent.summary import format_number

Status = dict[str, Any]


def _setting(status: Status, group: str, key: str) -> Any:
    return ((status.get("settings") or {}).get(group) or {}).get(key)


def _value(status: Status, group: str, key: str, unit: str) -> str | None:
    value = _setting(status, group, key)
    return f"{format_number(value)}{unit}" if isinstance(value, int | float) and not isinstance(value, bool) else None


def _pixel(status: Status) -> str | None:
    size = _value(status, "scan", "pixel_size_nm", " nm")
    fov, pixels = _value(status, "scan", "fov_nm", " nm"), _value(status, "scan", "pixels", "")
    if size is None:
        return None
    return f"A pixel is {size} across ({fov} field of view over {pixels} pixels)." if fov and pixels else f"{size}."


def _stage(status: Status) -> str | None:
    stage = (status.get("settings") or {}).get("stage") or {}
    parts = [
        f"{key.split('_')[0]} {format_number(v)} {'µm' if key.endswith('_um') else '°'}"
        for key, v in stage.items()
        if isinstance(v, int | float)
    ]
    return f"The stage is at {', '.join(parts)}." if parts else None


def _dose(status: Status) -> str | None:
    dose = status.get("dose") or {}
    used, budget, left = (dose.get(k) for k in ("used_e_per_A2", "budget_e_per_A2", "remaining_e_per_A2"))
    if not isinstance(used, int | float):
        return None
    text = f"So far {format_number(used)} e⁻/Å² have been used"
    if isinstance(budget, int | float):
        text += f" of the {format_number(budget)} e⁻/Å² budget"
    if isinstance(left, int | float):
        text += f"; {format_number(left)} e⁻/Å² remain"
    critical = dose.get("critical_dose_e_per_A2")
    if isinstance(critical, int | float):
        text += f" (this specimen's critical dose is {format_number(critical)} e⁻/Å² per area)"
    return text + "."


def _frame_dose(status: Status) -> str | None:
    """The dose one frame at the present settings would give: the electrons a pixel's dwell delivers over the
    pixel's area (as the instrument plans a frame's dose)."""
    current, dwell, pixel = (_setting(status, group, key) for group, key in FRAME_DOSE_FROM)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in (current, dwell, pixel)):
        return None
    dose = frame_dose_e_per_A2(current, dwell, pixel)
    per_pixel = dose * (pixel * 10.0) ** 2
    return (
        f"One frame at the present settings would give about {format_number(float(f'{dose:.2g}'))} e⁻/Å² "
        f"({format_number(per_pixel)} e⁻ per pixel at {format_number(current)} pA and {format_number(dwell)} µs, over "
        f"a {format_number(pixel)} nm pixel)."
    )


FRAME_DOSE_FROM = (("beam", "current_pa"), ("scan", "dwell_us"), ("scan", "pixel_size_nm"))


def _blanked(status: Status) -> str | None:
    blanked = _setting(status, "beam", "blanked")
    return None if blanked is None else f"The beam is {'blanked' if blanked else 'not blanked'}."


def _plain(label: str, group: str, key: str, unit: str) -> Callable[[Status], str | None]:
    def answer(status: Status) -> str | None:
        value = _value(status, group, key, unit)
        return f"{label} is {value}." if value else None

    return answer


def _field(status: Status) -> str | None:
    """The field of view, or the AFM scan's side (``size_nm``)."""
    if fov := _value(status, "scan", "fov_nm", " nm"):
        return f"The field of view is {fov}."
    side = _value(status, "scan", "size_nm", " nm")
    return f"The scan size is {side}." if side else None


def _frame_time(status: Status) -> str | None:
    """The frame time the status reports; else pixels² x dwell (STEM, without the flyback) or lines / line rate
    (AFM)."""
    reported = _value(status, "scan", "frame_time_s", " s")
    if reported:
        return f"One frame takes {reported}."
    pixels, dwell, rate = (_setting(status, "scan", key) for key in ("pixels", "dwell_us", "rate_hz"))
    if not isinstance(pixels, int | float):
        return None
    if isinstance(dwell, int | float) and dwell > 0:
        return f"One frame takes about {format_number(pixels**2 * dwell * 1e-6)} s ({pixels}² pixels x {dwell:g} µs)."
    if isinstance(rate, int | float) and rate > 0:
        return f"One frame takes about {format_number(pixels / rate)} s ({pixels} lines at {rate:g} Hz)."
    return None


NOT_ADJECTIVE = (
    r"(?!\s+(?:settings?|state|setup|status|values?|conditions?|parameters?|defocus|focus|fov|field|dwell|kv|voltage|"
    r"energy|position|pixels?|magnification|stage|specimen|sample|scan|rotation|convergence|astig\w*|cs|setpoint|"
    r"gains?|line rate|dose|frame))"
)
"""A "current" that is the probe current, not the adjective ("current settings?", "current defocus?")."""
QUESTIONS: tuple[tuple[str, Callable[[Status], str | None]], ...] = (
    (
        r"pixel (size|spacing)|how (big|large|small) is (a|the|one|each) pixel|(size|width) of (a|the|each) pixel|"
        r"how (?:big|large|small) are (?:the )?pixels|"
        r"(?:each|a|one) pixel (?:span|cover)|"
        r"nm (per|a) pixel|sampling|(?:a|one|each) pixel (?:is )?worth|"
        r"how many (?:nm|nanomet\w*|å) is (?:a|one|each) pixel",
        _pixel,
    ),
    (
        r"\bkv\b|kilovolts?|high tension|accelerating voltage|beam energy|\bvoltage",
        _plain("The beam energy", "beam", "energy_kv", " kV"),
    ),
    (
        r"\bcurrent\b" + NOT_ADJECTIVE + r"|how many pa\b|picoamps?|nanoamps?",
        _plain("The probe current", "beam", "current_pa", " pA"),
    ),
    (r"\bcs\b|\bc3\b|spherical aberration", _plain("Cs (spherical aberration)", "optics", "cs_um", " µm")),
    (r"astigmatism|\ba1\b", _plain("The twofold astigmatism A1", "optics", "astig_nm", " nm")),
    (r"defocus|\bfocus\b", _plain("The defocus", "optics", "defocus_nm", " nm")),
    (
        r"convergence|semi-?angle|probe (?:half-)?angle",
        _plain("The convergence semi-angle", "optics", "convergence_mrad", " mrad"),
    ),
    (
        r"field of view|\bfov\b|magnification|scan size|scan area|how (big|large|wide) is the (afm |stem )?"
        r"(scan|image|frame|field|picture)|(what|which) field\b|"
        r"how (big|large|wide) is the (area|region) (being )?scanned|"
        r"how (?:big|large|wide) is the (?:area|region) (?:you're|you are|we're|we are|it's|it is) scanning|"
        r"\bframe size\b|\bfield width\b",
        _field,
    ),
    (r"dwell", _plain("The dwell time", "scan", "dwell_us", " µs per pixel")),
    (
        r"frame time|time per frame|frame (duration|length)|how long (is|does|will|would|takes?) (a|one|the|each|this)"
        r"(?: single)?"
        r" (frame|image|scan)|how many seconds (?:does|will|would) (?:a|one|the|each)(?: single)? "
        r"(?:frame|image|scan|picture)|"
        r"frame acquisition time|seconds (?:per|a|for one) frame|time (?:for|of) (?:a|one) frame|"
        r"\b(?:frame|image|scan) costs? in (?:time|seconds)\b|"
        r"how long (?:needs|takes) (?:a|one|the|each)(?: single)? (?:frame|image|scan|picture)|"
        r"how (?:long|much time) (?:does|will|would) it take to (?:record|take|acquire|scan|get) (?:one|a|each|the) "
        r"(?:picture|image|frame|scan)",
        _frame_time,
    ),
    (r"line rate|lines per second|scan (rate|speed)|how fast", _plain("The line rate", "scan", "rate_hz", " Hz")),
    (r"scan rotation|rotation", _plain("The scan rotation", "scan", "rotation_deg", "°")),
    (
        r"how many pixels|number of pixels|pixel (?:count|number)|\bpixels\b|\bpx\s*\?|\bresolution\b",
        lambda s: f"The scan has {v} a side." if (v := _value(s, "scan", "pixels", " pixels")) else None,
    ),
    (r"\bstage\b|where (am i|are we)|position", _stage),
    (r"\bsetpoint", _plain("The amplitude setpoint", "feedback", "setpoint_nm", " nm")),
    (r"\b(p|proportional)[- ]gain|\bgains\b", _plain("The P gain", "feedback", "p_gain", "")),
    (r"\b(i|integral)[- ]gain|\bgains\b", _plain("The I gain", "feedback", "i_gain_per_ms", " per ms")),
    (r"blank|\bbeam (?:on|off)\b", _blanked),
    (
        r"\b(?:dose|cost|give|deliver)\w*\b[^?]{0,30}\b(?:one|a|each|per|single|the next) (?:frame|image|scan)\b"
        r"(?! cost\w* in (?:time|seconds))|"
        r"\b(?:one|a|each|per|single|the next) (?:frame|image|scan)\b[^?]{0,30}\b(?:cost|dose|give|deliver)\w*\b"
        r"(?! in (?:time|seconds))",
        _frame_dose,
    ),
    (
        r"\bdose\b(?! (?:map|distribution))(?![^?]{0,30}\b(?:one|a|each|per|single|the next) (?:frame|image|scan)\b)|"
        r"\be-?/[åa][2²]|electron budget|\bbudget\b|\bexposure\b",
        _dose,
    ),
    (
        r"(which|what) (specimen|sample|crystal|material)\b(?! (?:are|can)\b(?! we\b))|"
        r"what('s| is) (loaded|mounted|in (?:the (?:column|holder|microscope|afm|stem)|there))|"
        r"\bwhat (?:have|'ve) (?:you|we) got (?:on|in|under) (?:the )?(?:afm|stem|microscope|holder|stage)\b|"
        r"\b(?:present|current) (?:sample|specimen)\b|"
        r"\bis (?:it|that|this) [\w()]+ (?:in there|loaded|mounted|in the (?:column|holder|microscope))|"
        r"^is the [\w -]{1,30}? (?:sample|specimen|crystal|grid|film|standard) (?:still )?(?:on|in) the "
        r"(?:afm|stem|microscope|holder|stage|column)\b|"
        r"^is the [\w -]{1,30}? (?:sample|specimen|crystal|grid|film|standard) (?:still )?(?:mounted|loaded|in)\s*\?",
        lambda s: f"{s['specimen']} (seed {s.get('seed', 0)}) is loaded." if s.get("specimen") else None,
    ),
)
"""What a question asks about -> the one-sentence answer from the status."""
FEEDBACK_QUESTIONS = {pattern for pattern, _ in QUESTIONS if "gain" in pattern or "setpoint" in pattern}
"""Questions about the AFM feedback settings: they ask for values, never for a tuning."""
QUESTION_START = (
    r"^(?:(?:on|for) the (?:afm|stem|microscope)\s*[,:]?\s*)?"
    r"(what|what's|whats|how|which|where|is|are|tell me|give me|show me|remind me|current|and|"
    r"read(?:[- ]back| me| out)|confirm|verify|(?:just )?curious (?:whether|if)|(?:i )?(?:was )?wonder(?:ing)? "
    r"(?:whether|if))\b"
)
"""How a question starts, perhaps after the instrument it is about ("on the AFM what's the scan size")."""
SET_NOW = (
    r"\b(is|are|was|were)\s+(currently\s+|now\s+)?set\b|\bset\s+to\s*\??\s*$|\bset\s+to\s*\?|"
    r"\bset\s+(at|to)\s+(now|currently|at the moment|right now|at present)\b|"
    r"\bset (?:right )?now\b|\bpixel (?:count|number)\b|\bset\s*\?|\bas (?:they'?re|they are|it'?s|it is) set\b"
)
"""How a setting is said to stand ("which voltage is set?", "what's the dwell set to?", "what's set now?"), or a
setting whose name has an action word in it ("pixel count"): no action."""
LEAD = r"^\s*(?:(?:quick |just a |sanity |[\w-]+ [\w-]+ )?(?:check|question)(?: for [\w ]{1,25}?)?"
LEAD += r"(?: (?:before|while|as|since) [\w' ]{1,30}?)?\s*[:,]\s*)"
"""A question announced as one ("quick check: ...")."""
CHECKS_VALUE = (
    r"^" + LEAD + r"?(?:[^?,]*,\s*or\s+)?(?:is|are|was|were)\b"
    r"(?![^?]*\b(?:possible|allowed|ok|okay|safe|supported|available|too|enough)\b)[^?]*\?"
    r"(?=\s*$|[;,]?\s*(?:please |just |but |and )?(?:leave|keep|don'?t|do not)\b)|"
    r"^(?:still )?(?:on|at)\b[^?]*,\s*(?:yes|right|correct|yeah)\s*\?\s*$"
)
"""A yes-or-no question about a value ("is it still at 80 kV?", "are we at 256 pixels?"): answered from the status,
never set ("is 50 kV possible?" asks what the instrument can do, not how it stands)."""
CONFIRMS = (
    r"^(?:please\s+)?(?:confirm|verify)(?: that| whether| if)?\b[^?]*?\b(?:reads?|is|are|shows?|says|sits? at)\b|"
    r"\bshould (?:be|read)\b[^?]*?\b(?:confirm|verify|check) what\b[^?]*\breads?\b"
)
"""A read-back confirmation ("confirm the HT reads 80 kV", "the sheet says the dwell should be 5 µs - confirm what
the scan actually reads"): the value said is the one expected, the status is read and nothing is set."""
UNIT_TOPICS = (
    (r"\d\s*(?:pa|na)\b", "current"),
    (r"\d\s*kv\b", "kv"),
    (r"\d\s*(?:µs|us)\b", "dwell"),
    (r"\d\s*(?:nm|µm|um)\b(?! (?:defocus|setpoint))", "field of view"),
)
"""The setting a value checked in a yes-or-no question names by its unit alone."""
FRAME_TIME_ASKED = r"\bhow (?:long|many seconds|much time) (?:does|will|would) .{0,20}?take\b"
FRAME_TIME_ASKED += r"(?: to (?:record|take|acquire|scan|get) (?:one|a|each|the) (?:picture|image|frame|scan))?"
"""A question about a frame's time ("how long does a frame take?"): no frame to take."""
ASKS_ANYWHERE = r"\b(just |only )?(tell|remind|show) (?:me|us|them|everyone|the (?:audience|group|visitors?|room))\b"
"""A question said after something else ("don't engage, just tell me the setpoint")."""
CHECK_SETTING = (
    r"\b(?:double[- ])?check (?:the |what the |what )?(?:probe current|beam current|current|dwell(?: time)?|"
    r"high tension|ht|kv|voltage|field of view|fov|pixel size|defocus|convergence(?: angle)?|setpoint|gains?)\b"
    r"(?! (?:is|stays?|against|before|after|then)\b)"
)
"""A setting to be checked ("can u check the probe current real quick"): its value is asked for."""
ACTION_WORDS = (
    r"\b(set|take|acquire|record|grab|measure|find|count|move|go to|run|autofocus|focus on|load|zoom|change|make|use|"
    r"bring|image|blank|unblank|approach|tilt|lower|raise|increase|decrease|reduce|export|save|estimate|detect|locate|"
    r"identify|compute|check|(?:reduced|lowered|raised|increased|decreased) (?:by|to))\b"
)


def status_questions(low: str, kept: str | None = None) -> list[int]:
    """The indexes into ``QUESTIONS`` of what a request asks about the instrument; empty unless the request is a
    question (a question mark or a question word) that asks for no action and names no value to set. ``kept`` is
    the request without what it forbids (an action it forbids, "don't approach, just tell me ...", asks for none)."""
    low = re.sub(PURPOSE, " ", low)  # "they used 25 pA" says what someone else set, it asks for no value
    asks = bool("?" in low or re.search(QUESTION_START, re.sub(LEAD, "", low)) or re.search(ASKS_ANYWHERE, low))
    asks = asks or _only_named(low) or bool(re.search(CHECK_SETTING, low) or re.search(CONFIRMS, low))
    spoken = re.sub(FRAME_TIME_ASKED, " ", low if kept is None else kept)
    spoken = re.sub(r"\b(?:did|has|have) (?:some|any)(?:one|body) \w+", " ", spoken)  # "or did someone change it?"
    spoken = re.sub(LEAD, " ", spoken)  # "quick check: is the beam on?" checks nothing
    spoken = re.sub(CHECK_SETTING, " ", spoken)  # "check the dwell" reads it, it runs nothing
    acting = re.search(ACTION_WORDS, re.sub(SET_NOW, " ", spoken))
    checks = re.search(CHECKS_VALUE, low) or re.search(CONFIRMS, low)
    if not asks or acting or (re.search(r"(?<![a-zå/^])\d", low) and not checks):
        return []
    if checks:  # "still on 30 pA, yes?": the unit names the setting asked about
        low += "".join(f" {topic}" for unit, topic in UNIT_TOPICS if re.search(unit, low))
    asked = [i for i, (pattern, answer) in enumerate(QUESTIONS) if re.search(pattern, low)]
    if any(QUESTIONS[i][1] is _frame_dose for i in asked):  # "what would one frame cost in dose?": not the ledger
        asked = [i for i in asked if QUESTIONS[i][1] is not _dose]
    return asked[:3]


FILLER = (
    r"\b(?:and|both|the|please|quickly|quick|now|again|current|currently|present|values?|readings?|probe|time|angle|"
    r"amplitude|"
    r"afm|stem|for (?:my|the|our) (?:notes|records|log|logbook)|at the present settings|with what's set now|right now|"
    r"in (?:pa|kv|nm|µs|us|mrad|hz|ms|e-?/å²)|"
    r"at the moment)\b|[,;:.!?&+/]"
)
"""Words that leave a list of settings a question ("HT and current, quickly")."""


def _only_named(low: str) -> bool:
    """The request names settings and nothing else: it asks for their values."""
    rest = low
    for pattern, _ in QUESTIONS:
        rest = re.sub(pattern, " ", rest)
    verb = re.match(r"\s*(?:focus|blank|unblank|stage|tilt)\b", low)  # "focus please" orders an autofocus
    return rest != low and verb is None and not re.sub(FILLER, " ", rest).strip()


def status_answer(indexes: list[int], status: Status) -> str:
    """One sentence per question, from the status; a value the status does not report is said to be missing."""
    lines = [QUESTIONS[i][1](status) for i in indexes]
    said = [line for line in lines if line]
    if len(said) < len(lines):
        said.append("The instrument status does not report the rest of what you asked.")
    return " ".join(said)
