"""Split a request into what it asks for and what it forbids or limits, before anything is planned.

A negation ("do not", "don't", "never", "without", "no", "avoid", "skip", "leave ... alone") covers its clause up
to the next comma, semicolon, full stop, "but", "then", "just", "instead" or "and" + verb; one said after what it
negates ("autofocus is not needed") covers the clause before it. A limit ("must stay below 200 pA", "hold the dwell
under 5 us", "at most 100 e-/A^2", "limit the current to 50 pA") covers the quantity it bounds; a dose said
without one ("the budget is 2000 e-/A^2") is a ceiling too, as no tool sets a dose. All are cut out of
the text the planner reads, so a negated or bounded value is never taken as an instruction, and each becomes a
``Constraint``: a forbidden action (the tools it would call) or a bound on a setting (the tool argument it bounds).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from copilot.agent.offline.lexicon import quantities

LEFT_ALONE = (
    r"(?:[^,;.!?]*?,(?=[^,;.!?]*?\band\b))?[^,;.!?]*?\b(?:alone|as (?:it|they) (?:is|are|was|were)|as is|"
    r"where (?:it|they) (?:is|are)|unchanged|untouched|the same|constant|in place|fixed)\b"
)
NEGATION = (
    r"\b(?:do not|don['’]t|dont|does not|doesn['’]t|must not|mustn['’]t|should not|shouldn['’]t|never|without|"
    r"avoid|skip|no need (?:to|for)|(?:happy|fine|content|satisfied) with(?=" + LEFT_ALONE + r")|"
    r"with(?= (?:the |all |its |our )?(?:[\w-]+ ){0,2}?(?:settings?|beam|optics|focus|scan|field|fov|dwell|pixels?|"
    r"stage|defocus|current)\b[^,;.!?]*?"
    r"\b(?:untouched|unchanged|as (?:they|it) (?:are|is))\b)|"
    r"(?:done|finished|through) with|enough of|hands off|nobody|no one|no-one|"
    r"not|no(?= (?:auto-?focus\w*|refocus\w*|focus\w*|stage|tilt\w*|spectr|eels|eds|images?|"
    r"imaging|blank|moves?|movement|zoom|changes?|new|approach\w*|engag\w*|landing|withdraw\w*|retract\w*|"
    r"re-?(?:approach|land|engag)\w*|"
    r"tip change|exports?|saving|loading|analys[ie]s)\b)|"
    r"no(?= (?:gains?|feedback|setpoint|scan|settings?|focus|optics|beam|current|dwell|pixels?|kv|voltage|stage)"
    r"(?: setting)? (?:changes?|adjust\w*|tuning|tweak\w*)\b)|(?:leave|keep|hold)(?=" + LEFT_ALONE + r"))\b"
)
AFTER_NEGATION = (
    r"\b(?:is|are)\s+not\s+(?:needed|necessary|required|wanted|allowed|permitted)\b|"
    r"\b(?:isn['’]t|aren['’]t)\s+(?:needed|necessary|required|wanted|allowed|permitted)\b|"
    r"\b(?:is|are)\s+(?:unnecessary|not necessary|forbidden|off limits)\b|"
    r"\b(?:stays?|remains?|(?:is|are) (?:left|kept))\s+(?:exactly |just |precisely )?"
    r"(?:as (?:it|they) (?:is|are|was|were)|put|unchanged|untouched|"
    r"as is|where (?:it|they) (?:is|are)|the same)\b|"
    r"\b(?:(?:you|we|i) )?(?:(?:must|should|may|can|will)\s*(?:not|n['’]t)\s+(?:change|be changed|touch|be touched|"
    r"alter|be altered|adjust|move|be moved)|(?:do not|don['’]t) (?:make|take|do|record|acquire|touch|change|move|use|"
    r"approach|engage))\b(?=\s*(?:[,;.!?)]|$|\b(?:and|but|so|while|during|at all|yet|now|please)\b))"
)
TIP_UP = (
    r"\b(?:the |our )?(?:afm )?tip\s+(?:stays?|remains?|(?:is|are) (?:left|kept)|(?:should|must|has to|needs? to) stay)"
    r"\s+(?:up|withdrawn|retracted|lifted|off the (?:surface|sample))\b(?:\s+(?:until|till) [^,;.!?]*)?|"
    r"\b(?:keep|leave) (?:the )?tip (?:up|withdrawn|retracted|lifted)\b(?:\s+(?:until|till) [^,;.!?]*)?"
)
"""The AFM tip kept off the surface ("the tip stays up until I say so"): no approach."""
"""A negation said after what it negates ("autofocus is not needed", "the gains stay as they are", "the stage stays
put", "the HT must not change"): it covers the clause before it."""
"""Words that negate their clause; "leave the focus alone" and "keep the stage where it is" forbid as "do not"
does (a "keep" that bounds a value, "keep the current below 50 pA", is a limit and read first)."""
KEEPING = ("leave", "keep", "hold")
"""The verbs of a negation that covers what it names up to "alone" or "as it is", a list included."""
BOUNDARY = re.compile(
    r"[,;:.!?](?:\s|$)|\s\(|\)|\s[-–—]\s|\s(?:but|then|just|instead|only|rather|so that|so|except)\b|"
    r"\sand\s(?=(?:please\s)?(?:take|acquire|image|record|grab|set|measure|find|count|move|go|run|autofocus|focus|"
    r"tell|give|do|make|use|check|load|zoom|collect|capture|snap|identify|compute|estimate|refocus|re-?image|"
    r"plane[- ]?(?:fit|level)|flatten|export|save|denoise|smooth|segment|detect)\b)|$"
)
STRICT_LIMIT = (
    r"below|less than|lower than|at most|no more than|not more than|never (?:more than|above|over)|"
    r"never (?:goes|go|gets|get|rises|rise) (?:above|over|beyond|higher than)|"
    r"stop if (?:it|the dose|that|this|the frame)(?: would)? (?:go|goes|get|gets|come|comes) (?:over|above|beyond)|"
    r"(?:must |should |do |does )?not exceed|"
    r"(?:don['’]t|doesn['’]t|mustn['’]t|shouldn['’]t) exceed|(?:don['’]t|do not) go (?:above|over|beyond)|"
    r"(?:can['’]?t|cannot|can not|mustn['’]t|must not) (?:go (?:above|over|beyond|higher than)|exceed)|"
    r"never exceed|(?:must |should )?not go (?:above|over|beyond)|(?:ceiling|cap|upper limit|limit) (?:of|at)|"
    r"(?:only|just) allowed(?: to use)?|allowed (?:at most|up to)|"
    r"\b(?:rated|qualified|certified|specified|spec'?d|cleared) (?:only )?(?:up )?(?:to|for|at)|"
    r"unless (?:it|the dose|that|this|the frame)(?: would)? (?:go|goes|get|gets|come|comes) (?:over|above|beyond)|"
    r"\blimits? (?:it|them|us|the \w+) (?:only )?to|"
    r"(?:only |just )?\bgood (?:up )?(?:to|for)|"
    r"(?:ceiling|limit|max(?:imum)?) is|"
    r"at or (?:under|below)|maximum of|max(?:imum)?\b\.?|at least|no less than|"
    r"no (?:higher|greater|larger|longer|lower|shorter) than|not (?:higher|greater|larger|longer|lower|shorter) than"
)
KEEP = r"(?:must|should|has to|needs? to|have to|to|will|has|have)?\s*\b(?:stay|remain|be|keep|kept|stays|remains|"
KEEP += r"stayed|remained|been|is|are|['’]re|"
KEEP += r"comes? (?:in|out)|lands?|ends? up)"
KEPT = (
    r"(?:" + KEEP + r"|(?:keep|hold|maintain)(?:ing)?\s+(?:the\s+|it\s+|its\s+)?(?:[\w-]+\s+){0,3}?|"
    r"\b(?:dwell|probe current|current|high tension|voltage|dose)(?: time)?(?=\s+(?:under|below|over|above)\s*\d))"
)
"""How a limit is said to hold ("must stay", "keep the current"), or the setting it bounds named right before it
("dwell under 2 µs")."""
CAP = r"(?:limit|cap|restrict)(?:ed|ing|ped|ping)?\s+(?:the\s+|it\s+|its\s+)?(?:[\w-]+\s+){0,3}?(?:to|at)"
"""A ceiling said as a verb: "limit the current to 50 pA", "cap the dwell at 2 us"."""
LIMIT = re.compile(
    r"(?:"
    + KEPT
    + r"\s*(?P<weak>under|over|above|within|up to|beyond)|(?P<strict>"
    + STRICT_LIMIT
    + "|"
    + CAP
    + r"))\s*"
)
MIN_WORDS = (
    "above",
    "over",
    "beyond",
    "at least",
    "no less than",
    "no lower than",
    "not lower than",
    "no shorter than",
    "not shorter than",
)
IMAGE_WORDS = r"\b(images?|imaging|picture|frames?|micrograph|haadf|bf|survey|overview|topograph\w*)\b"
SPECTRUM_WORDS = r"spectr|\beels\b|\beds\b|\bedx\b|\bmap"
SCAN_NOUN = (
    r"(?: (?:settings?|set-?up|size|rate|speed|area|changes?|parameters?|as (?:it|they) (?:is|are)|unchanged|"
    r"untouched))"
)
"""The scan as a setting ("no scan changes", "the scan as it is"), not as an image taken."""
ACQUIRE_VERBS = r"\b(acquire|acquiring|take|taking|record|recording|scan(?!" + SCAN_NOUN + r")|"
ACQUIRE_VERBS += r"scanning|expose|exposing|shoot|grab)\b"
ACTION_TOOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bblank|\bunblank", ("set_beam",)),
    (r"\b(beam|current|high tension|voltage|kv|energy)\b", ("set_beam",)),
    (r"autofocus|refocus", ("autofocus",)),
    (r"\bfft\b|fourier", ("compute_fft",)),
    (r"\bfocus", ("autofocus", "set_optics")),
    (r"defocus|astigmat|optics|aberration|\bcs\b|convergence", ("set_optics",)),
    (r"\b(move|moving|moved|drive|driving|translate|go to|going to|stage|tilt|tilting)\b", ("move_stage",)),
    (
        r"\b(field of view|fov|pixels?|dwell|zoom|zooming|magnification|rotat\w*|scan(?=" + SCAN_NOUN + r"))\b",
        ("set_scan",),
    ),
    (IMAGE_WORDS, ("acquire_image", "acquire_afm_image")),
    (r"\bnew one\b", ("acquire_image", "acquire_afm_image")),
    (SPECTRUM_WORDS, ("acquire_spectrum", "acquire_spectrum_image")),
    (r"\b(load|loading|switch|change|swap) (the )?(specimen|sample)|\bload", ("load_specimen",)),
    (r"\b(approach|engage|land)", ("approach",)),
    (r"withdraw|retract", ("withdraw",)),
    (r"(change|replace|swap) (the )?tip", ("change_tip",)),
    (r"export|\bsave", ("export_acquisition",)),
    (r"feedback|gains?|setpoint", ("set_feedback",)),
)
"""Words of a negated clause -> the tools it forbids."""
ARGUMENT_WORDS: tuple[tuple[str, str, str], ...] = (
    (r"\bdwell", "set_scan", "dwell_us"),
    (r"field of view|\bfov\b", "set_scan", "fov_nm"),
    (r"\bpixels?\b", "set_scan", "pixels"),
    (r"\brotat", "set_scan", "rotation_deg"),
    (r"\bcurrent\b", "set_beam", "current_pa"),
    (r"high tension|\bkv\b|voltage|\benergy\b", "set_beam", "energy_kv"),
    (r"\bblank|\bunblank", "set_beam", "blanked"),
    (r"\bdefocus", "set_optics", "defocus_nm"),
    (r"astigmat", "set_optics", "astig_nm"),
    (r"\bcoma\b", "set_optics", "coma_nm"),
)
"""Words that name one setting of a tool: a negation of them forbids that argument, not the whole tool."""
SETTERS = ("set_beam", "set_optics", "set_scan", "move_stage", "load_specimen", "set_feedback", "set_afm_scan")
CHANGE_WORDS = r"\b(change|changing|touch|touching|alter|adjust|modify|anything|settings?)\b"


class Constraint(BaseModel):
    """Something the request forbids or bounds, as said."""

    kind: Literal["forbid", "limit"]
    said: str
    tools: list[str] = []  # forbid: the tools that must not run (or, with ``arguments``, not with those)
    arguments: list[str] = []  # forbid: only these arguments of ``tools`` must not be passed
    dimension: str | None = None  # limit: the quantity's dimension ("current", "dose", ...)
    bound: Literal["max", "min"] | None = None
    value: float | None = None  # limit: in the tool unit


class Reading(BaseModel):
    """The request with its negated and bounded parts cut out, and those parts as constraints."""

    text: str
    constraints: list[Constraint] = []


SIZES_LEFT_OUT = (
    r"\b(?:ignor\w*|exclud\w*|dropp?\w*|discard\w*|leav\w* out)\s+(?:anything|everything|all|any|those|the ones|"
    r"particles)(?: \w+)?\s*$"
)
"""Particles left out of a sizing by their size ("dropping anything below 5 nm"): a size bound, not a limit."""


def read_constraints(low: str) -> Reading:
    """See the module docstring; ``low`` is the normalised request."""
    constraints: list[Constraint] = []
    kept = low
    for match in reversed(list(LIMIT.finditer(kept))):
        bounded = next((q for q in quantities(kept) if 0 <= q.start - match.end() <= 2), None)
        if bounded is None or re.search(SIZES_LEFT_OUT, kept[: match.start()]):
            continue
        op = match.group("weak") or match.group("strict")
        start = _clause_start(kept, match.start())
        said = re.sub(r"^(?:but|and|then|while|so)\s+", "", kept[start : bounded.end].strip())
        start = _after_settings(kept, start, match.start(), bounded.start)
        bound: Literal["max", "min"] = "min" if op in MIN_WORDS else "max"
        constraints.append(
            Constraint(kind="limit", said=said, dimension=bounded.dimension, bound=bound, value=bounded.value)
        )
        kept = kept[:start] + " " + kept[bounded.end :]
    for quantity in reversed(quantities(kept)):
        after = re.match(POSTFIX_LIMIT, kept[quantity.end :])
        if after is None or quantity.dimension == "dose":
            continue
        start = _clause_start(kept, quantity.start)  # "3 µs dwell max": the limit said after its value
        stop = quantity.end + after.end()
        side: Literal["max", "min"] = "min" if after.group(1) in POSTFIX_MIN else "max"
        constraints.append(
            Constraint(
                kind="limit",
                said=kept[start:stop].strip(),
                dimension=quantity.dimension,
                bound=side,
                value=quantity.value,
            )
        )
        kept = kept[:start] + " " + kept[stop:]
    for dose in reversed([q for q in quantities(kept) if q.dimension == "dose"]):
        start = _clause_start(kept, dose.start)  # "the budget is 2000 e-/A^2": no tool sets a dose, it bounds one
        said = kept[start : dose.end].strip()
        start = _after_settings(kept, start, dose.start, dose.start)
        constraints.append(Constraint(kind="limit", said=said, dimension="dose", bound="max", value=dose.value))
        per = re.match(PER_FRAME, kept[dose.end :])  # "100 e/A^2 per frame": the limit is the same per frame
        per = per or re.match(
            r"\s*(?:or (?:less|lower|under|below)|max(?:imum)?|tops|at (?:the )?most)\b", kept[dose.end :]
        )
        kept = kept[:start] + " " + kept[dose.end + (per.end() if per else 0) :]
    for match in reversed(list(re.finditer(TIP_UP, kept))):
        constraints.append(Constraint(kind="forbid", said=match.group(0).strip(), tools=["approach"]))
        kept = kept[: match.start()] + " " + kept[match.end() :]
    for match in reversed(list(re.finditer(AFTER_NEGATION, kept))):
        start = _clause_start(kept, match.start())  # "autofocus is not needed": the clause before it
        constraints += forbids(kept[start : match.start()], kept[start : match.end()].strip())
        kept = kept[:start] + " " + kept[match.end() :]
    for match in reversed(list(re.finditer(NEGATION, kept))):
        end = BOUNDARY.search(kept, match.end())
        stop = end.start() if end else len(kept)
        if match.group(0) in KEEPING and (kept_said := re.match(LEFT_ALONE, kept[match.end() :])):
            stop = max(stop, match.end() + kept_said.end())  # "leave the field, pixels and dwell as they are"
        constraints += forbids(kept[match.end() : stop], kept[match.start() : stop].strip())
        kept = kept[: match.start()] + " " + kept[stop:]
    text = re.sub(
        r"^(?:[\s,;:.!?]|[+-](?!\d)|\b(?:and|but|then|just|so|please|instead)\b)+", "", " ".join(kept.split())
    )
    return Reading(text=_in_the_limit_unit(text, constraints), constraints=constraints[::-1])


LIMIT_UNIT = {"energy": "kv", "current": "pa"}
"""The unit a bare value takes from the one limit said with it."""
BARE_VALUE = re.compile(
    r"\b((?:go|put|set|take|bring|raise|push|turn)\b(?: it| the \w+| that)?(?: up| down)?\s*(?:to|on|at)\s+)"
    r"([-+]?\d+(?:\.\d+)?)(?![\d.]|\s*[a-zµå%°/²])"
)
"""A value said with no unit after a verb ("then go to 300", "so put it on 250")."""


def _in_the_limit_unit(text: str, constraints: list[Constraint]) -> str:
    """``text`` with a bare value given the unit of the one limit said ("HT no higher than 200 kV, then go to 300"
    asks for 300 kV), so the value is checked against that limit rather than left unread."""
    units = {LIMIT_UNIT.get(c.dimension or "") for c in constraints if c.kind == "limit"}
    if len(units) != 1 or None in units:
        return text
    unit = units.pop()
    return BARE_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)} {unit}", text)


def forbids(scope: str, said: str) -> list[Constraint]:
    """What a negated clause forbids: the tools its words name, or only the arguments of a setting it names."""
    scope = re.sub(BETWEEN, " ", scope)  # "don't blank between frames": frames say when, they are not forbidden
    tools = forbidden_tools(scope)
    if not tools and re.search(CHANGE_WORDS, scope):
        tools = list(SETTERS)  # "don't change anything": no setting moves
    constraints = []
    named = [(tool, arg) for pattern, tool, arg in ARGUMENT_WORDS if re.search(pattern, scope)]
    for tool in dict.fromkeys(tool for tool, _ in named):
        arguments = [arg for t, arg in named if t == tool]
        constraints.append(Constraint(kind="forbid", said=said, tools=[tool], arguments=arguments))
        tools = [t for t in tools if t != tool]
    if tools:
        constraints.append(Constraint(kind="forbid", said=said, tools=tools))
    return constraints


BETWEEN = r"\b(?:between|after|before|during) (?:the |each |every )?(?:frames?|images?|scans?|exposures?|shots?)\b"
"""When a negated action would happen, said of the frames; the frames are not what it forbids."""
POSTFIX_LIMIT = (
    r"\s*(?:[a-z]+\s+){0,2}(max(?:imum)?|tops|at (?:the )?most|the (?:most|max(?:imum)?|limit|ceiling)|"
    r"or (?:less|lower|below|under|fewer|shorter|smaller|slower)|"
    r"min(?:imum)?|"
    r"at (?:the )?least|or (?:more|higher|above|longer|larger))\b"
)
"""A limit said after its value ("3 µs dwell max", "30 pA tops", "200 kV or less")."""
POSTFIX_MIN = (
    "min",
    "minimum",
    "at least",
    "at the least",
    "or more",
    "or higher",
    "or above",
    "or longer",
    "or larger",
)
PER_FRAME = r"\s*(?:per|a|each|for (?:the|each|one|a))\s+(?:frame|image|exposure|shot|acquisition)\b"
"""What a dose limit may be said of: a limit per frame bounds each frame the plan takes."""
LINK = re.compile(r"\b(?:while|whilst|with|keeping|staying|so that|as long as|provided|but|and|under|below|within)\b")
"""Where a limit said after a setting of its clause starts ("at 0.05 nm per pixel while staying under 1e4 e-/A^2")."""


def _after_settings(text: str, start: int, limit: int, bound: int) -> int:
    """Where to cut a limit out of its clause: after the last other quantity said before it, at the word that links
    the limit to it, so that setting is still read ("image at 0.05 nm per pixel while staying under 1e4 e-/A^2"
    keeps the pixel size); the clause start when no quantity comes before the ``limit`` word. ``bound`` is where the
    bounded quantity starts."""
    before = [q for q in quantities(text[:limit]) if q.start >= start]
    if not before:  # "one frame at the present settings as long as it's 520 e/A2 or less": the frame stays
        link = re.search(r"\b(?:as long as|so long as|provided(?: that)?|while|whilst|if)\b", text[start:bound])
        return start + link.start() if link else start
    link = LINK.search(text, before[-1].end, bound)
    return link.start() if link else start


def _clause_start(text: str, before: int) -> int:
    """Where the clause holding position ``before`` starts (after the last boundary before it)."""
    starts = [m.end() for m in BOUNDARY.finditer(text[:before]) if m.end() < before or m.group(0)]
    return max(starts, default=0)


def forbidden_tools(scope: str) -> list[str]:
    """The tools a negated clause names by its words (``blank the beam`` -> set_beam); a bare "take" or "record"
    with no spectrum named forbids images."""
    tools: list[str] = []
    for pattern, names in ACTION_TOOLS:
        if re.search(pattern, scope):
            tools += [name for name in names if name not in tools]
    if re.search(ACQUIRE_VERBS, scope) and not re.search(SPECTRUM_WORDS, scope):
        tools += [name for name in ("acquire_image", "acquire_afm_image") if name not in tools]
    return tools
