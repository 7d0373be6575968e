"""Words a request says that its reading did not use: the planner runs nothing rather than act on a misreading.

``unread`` checks the numbers; this checks the words that give a number its meaning. A request that names a setting
("the dwell", "the outer edge of the annulus", "a TIFF called run3") whose value the reading did not take, that
points at data already taken ("that last frame") while the plan would take new data, that says a number is a limit
("a ceiling of 20 pA") while the reading sets it as the value, or that says a change goes down ("reduce alpha by
2.5°", "0.2 µm under") while the reading goes up, would run with a default, on the wrong data or the wrong way. The
answer says which words were not understood, and nothing runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from copilot.agent.offline.lexicon import SPECIMEN_ALIASES
from copilot.agent.offline.plan import AFM_INTENTS, STEM_ONLY_INTENTS
from copilot.agent.offline.request import Request
from copilot.agent.offline.spoken import NUMBER_WORD, SPOKEN_UNIT
from copilot.agent.offline.vocabulary import AFM_WORDS, INTENT_PATTERNS, STEM_WORDS

Reader = Callable[[Request], bool]


def _set(*names: str) -> Reader:
    """The reading holds one of these settings, or a change or a scale of one."""

    def read(request: Request) -> bool:
        changed = set(request.scales) | set(request.offsets)
        return any(getattr(request, name, None) not in (None, [], {}) or name in changed for name in names)

    return read


def _detector(ending: str) -> Reader:
    """The reading sets a detector angle whose argument ends so ("_outer_mrad", "collection_mrad")."""
    return lambda request: any(key.endswith(ending) for key in request.detector_mrad)


def _intent(*names: str) -> Reader:
    """The reading asks for one of these families (a tip change, or a check that changes a bad tip)."""
    return lambda request: bool(request.intents & set(names))


def _map(request: Request) -> bool:
    """The reading takes a spectrum image or reads the dose map ("map the Ti over a 4 nm square")."""
    return request.spectrum_map or "dose_map" in request.intents


def _stage(axis: str) -> Reader:
    """The reading moves or tilts the stage on this axis."""
    return lambda request: axis in request.stage_um or axis in request.tilt_deg or axis in request.offsets


SETTING_WORDS: tuple[tuple[str, Reader], ...] = (
    (r"\bdwell\b", lambda r: _set("dwell_us", "spectrum_dwell_ms")(r) or _bounded(r, "time")),
    (r"\bline rate\b|\bhz\b", _set("rate_hz")),
    (r"\b(?:that|this) size\b", _set("fov_nm")),  # "an image that size": the size of the sentence before
    (
        r"\b(?:above|below|over|under|than) (?:where (?:it|they) (?:is|are|sits?|stands?)|(?:the|its|our) "
        r"(?:present|current) (?:setting|value|one)|what (?:it|they) (?:is|are) now)\b|"
        r"\b(?:under|over)focus [-+\d.]+ \S+ (?:the|its|our) (?:present|current)\b",
        lambda r: bool(r.offsets or r.scales),
    ),  # "put the field 20 nm above where it is": a change from the present value
    (r"\bset ?point\b", _set("setpoint_nm")),
    (r"\b(?:p|i|feedback) gains?\b", lambda r: _set("p_gain", "i_gain_per_ms")(r) or "feedback_tune" in r.intents),
    (r"\balpha\b", _stage("alpha_deg")),
    (r"\bbeta\b", _stage("beta_deg")),
    (r"\brotat(?:e|ed|ion)\b", _set("rotation_deg")),
    (r"\bouter (?:[\w-]+ )?(?:edge|angle|cut-?off|radius|limit)\b", _detector("outer_mrad")),
    (r"\binner (?:[\w-]+ )?(?:edge|angle|cut-?off|radius|limit)\b", _detector("inner_mrad")),
    (
        r"\b(?:acceptance(?! (?:sheet|list|tests?|criteri\w+|checks?|protocol|form|report))|spectrometer|collection|"
        r"collect)\b|\bout to\b",
        _detector("_mrad"),
    ),
    (r"(?<!they )(?<!these )(?<!those )\b(?:called|named|call it)\b", _set("export_name")),  # not "are they called"
    (r"\b(?:tiff?|png|hdf5|h5|npy)\b", _set("export_format")),
    (r"\b(?:nl[- _]means|non-?local|median|wiener|gaussian)\b", _set("denoise_method")),
    (r"\b(?:top|bottom)[- ](?:left|right)\b|\bquadrant\b", _set("region_nm", "point_nm", "line_nm")),
    (
        r"\bfor (?:half a|an?|one|\d+(?:\.\d+)?|[a-z]+) (?:seconds?|secs?|minutes?)\b",
        _set("spectrum_dwell_ms", "drift_interval_s"),
    ),
    (r"\bchange\b[^,;.]*\btip\b", _intent("change_tip", "tip_check")),  # "change a double tip": after a check
    (
        r"\b(?:swap|replace)\b[^,;.]*\b(?:tip|probe|cantilever)\b|\btip\b[^,;.]*\b(?:swap|replace)|"
        r"\b(?:new|fresh) (?:tip|probe|cantilever|one)\b",
        _intent("change_tip"),
    ),
    (
        r"(?<!height )(?<!phase )(?<!dose )(?<!topography )\bmap(?:s|ping)?\b(?! out)|"
        r"\b(?:eels|eds|edx) sis?\b(?=\s*(?:of|over|x\b|,|$))",
        _map,
    ),
    (
        r"\b(?:bigger|larger|greater|wider|smaller|narrower) than\b(?! (?:now|before|it is|what it is|at present))",
        _set("min_diameter_nm", "max_diameter_nm"),
    ),
)
"""A word that names a setting -> whether the reading took a value for it."""
PAST_DATA = re.compile(
    r"\b(?:the|that|my|your) (?:very )?(?:last|latest|previous|newest|most recent|earlier|old)\b"
    r"(?! (?:user|person|group|team|student|booking|session|shift|operator|visitor|one to)s?\b)|"
    r"\bfrom (?:earlier|before|a moment ago)\b|\b(?:just|already) (?:took|taken|acquired|recorded|shot|grabbed)\b|"
    r"\ba (?:moment|minute|second) ago\b"
)
"""Data already taken ("that last frame", "the spectrum from a moment ago", "what I just took")."""
LIMIT_WORD = re.compile(
    r"\b(?:ceiling|cap|max(?:imum)?|tops|allowed|at most|no more than|limit(?:ed)?|not exceed)\b"
    r"(?=[^,;:.!?\d]{0,25}\d)|(?<=\d)[^,;:.!?\d]{0,25}\b(?:ceiling|cap|max(?:imum)?|tops|allowed|limit|"
    r"or (?:less|lower|shorter|smaller|fewer|below|under))\b"
)
"""A number said as a bound, not as the value to set ("a current ceiling of 20 pA", "3 µs dwell max")."""
NEGATION = re.compile(
    r"\b(?:don'?t|do not|never|not|no|without|avoid|skip)\b(?! (?:more|less|longer|matter)\b)([^,;:.!?]*)"
)
"""A negation the constraints did not read (they cut out every one they read), with what it negates."""
KEPT = re.compile(
    r"([^,;:.!?]*)\b(?:(?:stays?|remains?)(?! (?:below|above|under|over|within|less|more|clear)\b)|"
    r"as (?:it|they) (?:is|are|were)|unchanged|untouched|alone|"
    r"(?<!below )(?<!above )(?<!under )(?<!over )(?<!from )where (?:it|they) (?:is|are))\b"
)
"""A setting said to stay as it is ("gains stay as they are", "leave the focus alone"), with what stays."""
FACTOR = re.compile(
    r"\b(?:double|twice|triple|treble|quadruple|halve|half)\s+(?:the|its|our|this|that|my)\b|"
    r"\b(?:doubled|tripled|quadrupled|halved)\b|\bto an? (?:half|third|quarter|fifth|sixth|eighth|tenth)\b"
)
"""A change said as a factor ("double the pixels", "halve the dwell", "shrink it to a fifth")."""
ADD_WORD = re.compile(r"\b(?:add|another|more|further|extra)\b[^,;.]{0,20}?\d+(?:\.\d+)?\s*(?:°|deg)")
"""A tilt said as a change ("add 1.5° of beta tilt")."""
NUMBER_IN_WORDS = re.compile(
    r"\b(?:seed\s+(?:" + NUMBER_WORD + r")|(?:" + NUMBER_WORD + r")(?=(?:[\s-]+(?:and|point|"
    r"(?!(?:at|to|by|from|in|on|of)\b)[a-z]+))?[\s-]+"
    r"(?:(?:" + NUMBER_WORD + r")\b|" + SPOKEN_UNIT + r"))|(?:half|quarter) (?:of )?an? " + SPOKEN_UNIT + r")\b"
)
"""A number said in words that the lexer left unspelled before a unit or after "seed" ("seed sixty-one" were it not
spelled): its value was not read."""
DOWN_WORD = re.compile(r"\b(?:reduce|lower|decrease|down|minus|less|under(?:focus(?:ed)?)?|back (?:\w+ )?off)\b")
"""A change said to go down ("reduce alpha by 2.5°", "beta down by 4°", "0.2 µm under")."""


def unread_words(low: str, request: Request) -> list[str]:
    """The words of ``low`` (the request as read, constraints cut out) that its reading did not use, as said."""
    if not request.intents:
        return []
    text = low
    for alias in SPECIMEN_ALIASES.values():
        text = re.sub(alias, lambda m: " " * len(m.group(0)), text)
    missed = [] if request.questions else _settings_unread(text, request)  # a question reads them from the status
    if (past := PAST_DATA.search(text)) and not (request.use_last_image or request.use_last_spectrum):
        missed.append(past.group(0))
    missed += _negations_unread(text, NEGATION, request) + _negations_unread(text, KEPT, request)
    if (factors := FACTOR.findall(text)) and len(factors) > len(request.scales) + bool(request.zoom_factor):
        missed.append(factors[-1])
    if (other := _other_instrument(text, request)) is not None:
        missed.append(other)
    if (bound := LIMIT_WORD.search(text)) and (_values_set(request) or not _limits(request)):
        missed.append(bound.group(0))
    if (more := ADD_WORD.search(text)) and not (request.tilt_relative or request.stage_series_um):
        missed.append(more.group(0))
    if spelled := NUMBER_IN_WORDS.search(text):
        missed.append(spelled.group(0))
    if (down := DOWN_WORD.search(text)) and _goes_up(request):
        missed.append(down.group(0))
    return missed


def _settings_unread(text: str, request: Request) -> list[str]:
    """The setting words of ``text`` whose value the reading did not take (``SETTING_WORDS``)."""
    return [
        found.group(0) for pattern, read in SETTING_WORDS if (found := re.search(pattern, text)) and not read(request)
    ]


def _values_set(request: Request) -> bool:
    """The reading sets a beam or scan value a limit word could bound."""
    return any(getattr(request, name) is not None for name in ("current_pa", "dwell_us", "energy_kv", "fov_nm"))


def _negations_unread(text: str, said: re.Pattern[str], request: Request) -> list[str]:
    """The negations (or settings said to stay, ``said``) of ``text`` that name something the reading asks for ("no
    refocusing, just a BF" read with a focus run): the plan would do what the request forbids."""
    return [
        found.group(0).strip()
        for found in said.finditer(text)
        if any(re.search(INTENT_PATTERNS[name], found.group(1)) for name in _acting(request))
    ]


SETTING_FAMILIES = {
    "beam": _set("energy_kv", "current_pa", "blanked"),
    "optics": _set("defocus_nm", "astig_nm", "coma_nm", "cs_um", "convergence_mrad", "defocus_series_nm"),
    "scan": _set("fov_nm", "pixels", "dwell_us", "rotation_deg", "zoom_fov_nm", "zoom_factor"),
}
"""A family of settings -> whether the reading changes one (its words alone, "no defocus changes", change none)."""


def _acting(request: Request) -> list[str]:
    """The families the reading asks for that change or take something."""
    return [
        name
        for name in request.intents
        if name in INTENT_PATTERNS and (name not in SETTING_FAMILIES or SETTING_FAMILIES[name](request))
    ]


def _other_instrument(text: str, request: Request) -> str | None:
    """The word said of one instrument when the reading asks only for the other one's work ("roughness of the HAADF
    frame": a roughness is the AFM's)."""
    if request.instrument == "STEM" and request.intents & AFM_INTENTS and not request.intents & STEM_ONLY_INTENTS:
        return _said(STEM_WORDS, text)
    if request.instrument == "AFM" and request.intents & STEM_ONLY_INTENTS and not request.intents & AFM_INTENTS:
        return _said(AFM_WORDS, text)
    return None


def _said(words: str, text: str) -> str | None:
    found = re.search(words, text)
    return found.group(0) if found else None


def _bounded(request: Request, dimension: str) -> bool:
    """The request bounds a quantity of this dimension ("no more than 1.5 µs dwell": the dwell is read)."""
    return any(constraint.dimension == dimension for constraint in request.constraints)


def _limits(request: Request) -> bool:
    """The request bounds a quantity (``clauses``)."""
    return any(constraint.kind == "limit" for constraint in request.constraints)


def _goes_up(request: Request) -> bool:
    """The reading changes a setting upward: a positive change, a relative tilt, or an overfocus."""
    tilts = request.tilt_deg.values() if request.tilt_relative else ()
    return any(change > 0 for change in [*request.offsets.values(), *tilts]) or (request.defocus_nm or 0) > 0
