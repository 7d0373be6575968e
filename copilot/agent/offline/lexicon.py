"""The planner's one lexer: the request normalised, numbers with their units, specimen names, seeds.

Pure functions of the text. Every quantity is converted to its tool unit (nm, µs, pA, kV, degrees, mrad,
e⁻/Å², Hz); shop-floor abbreviations are spelled out before any pattern reads the text ("mag" -> magnification,
"stig" -> astigmatism, "power spectrum" -> fft (an image's Fourier transform, never a spectroscopy
acquisition), "df -20 nm" and "don't touch df" -> defocus, a lone "df" -> dark field, "'em" -> them, "kV to
200" -> kV to 200 kV, "HT 200" -> high tension 200 kV).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.agent.offline.corrections import corrected
from copilot.agent.offline.indirect import plain_request
from copilot.agent.offline.letters import unwrapped
from copilot.agent.offline.phrasing import rephrased
from copilot.agent.offline.spoken import spell_quantities
from copilot.agent.offline.steps_said import joined_steps, without_item_labels
from copilot.agent.offline.synonyms import canonical_verbs
from copilot.agent.offline.typed import rewritten, untyped

NUM = r"([-+−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
UNITS: dict[str, tuple[str, float]] = {
    "nm": ("length", 1.0),
    "µm": ("length", 1000.0),
    "um": ("length", 1000.0),
    "micron": ("length", 1000.0),
    "microns": ("length", 1000.0),
    "mm": ("length", 1e6),
    "nanometre": ("length", 1.0),
    "nanometres": ("length", 1.0),
    "nanometer": ("length", 1.0),
    "nanometers": ("length", 1.0),
    "å": ("length", 0.1),
    "angstrom": ("length", 0.1),
    "angstroms": ("length", 0.1),
    "pm": ("length", 0.001),
    "µs": ("time", 1.0),
    "us": ("time", 1.0),
    "microsecond": ("time", 1.0),
    "microseconds": ("time", 1.0),
    "ns": ("time", 0.001),
    "nanosecond": ("time", 0.001),
    "nanoseconds": ("time", 0.001),
    "μs": ("time", 1.0),
    "ms": ("time", 1000.0),
    "millisecond": ("time", 1000.0),
    "milliseconds": ("time", 1000.0),
    "s": ("time", 1e6),
    "sec": ("time", 1e6),
    "second": ("time", 1e6),
    "seconds": ("time", 1e6),
    "min": ("time", 6e7),
    "minute": ("time", 6e7),
    "minutes": ("time", 6e7),
    "pa": ("current", 1.0),
    "fa": ("current", 0.001),
    "na": ("current", 1000.0),
    "µa": ("current", 1e6),
    "ua": ("current", 1e6),
    "kv": ("energy", 1.0),
    "kev": ("energy", 1.0),
    "v": ("energy", 0.001),
    "mrad": ("mrad", 1.0),
    "°": ("angle", 1.0),
    "deg": ("angle", 1.0),
    "degree": ("angle", 1.0),
    "degrees": ("angle", 1.0),
    "e-/å2": ("dose", 1.0),
    "e/å2": ("dose", 1.0),
    "e-/å^2": ("dose", 1.0),
    "e/å^2": ("dose", 1.0),
    "e-/a2": ("dose", 1.0),
    "e/a2": ("dose", 1.0),
    "e-/a^2": ("dose", 1.0),
    "e/a^2": ("dose", 1.0),
    "e⁻/å²": ("dose", 1.0),
    "e/å²": ("dose", 1.0),
    "e-/å²": ("dose", 1.0),
    "e/a²": ("dose", 1.0),
    "e-/a²": ("dose", 1.0),
    "hz": ("frequency", 1.0),
    "px": ("pixels", 1.0),
    "pixel": ("pixels", 1.0),
    "pixels": ("pixels", 1.0),
    "kx": ("magnification", 1000.0),
    "x magnification": ("magnification", 1.0),
    "mx": ("magnification", 1e6),
}
"""Written unit -> (dimension, factor to the tool unit of that dimension)."""
TOOL_UNIT = {
    "length": "nm",
    "time": "µs",
    "current": "pA",
    "energy": "kV",
    "mrad": "mrad",
    "angle": "°",
    "dose": "e⁻/Å²",
    "frequency": "Hz",
    "pixels": "px",
    "magnification": "x",
}
UNIT_ALTERNATION = "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))
QUANTITY = re.compile(NUM + r"\s*(" + UNIT_ALTERNATION + r")(?![a-zµ0-9])")
ASKED = r"(?<!\bis the )(?<!\bis )(?<!\bwas the )(?<!\bstill )"
"""Not after "is the" ("is the beam on?" asks, it orders no unblank)."""
TIME_OF_DAY = r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:a\.m\.|p\.m\.|am\b|o['’]clock\b)"
DATA_NOUN = r"(?:image|frame|picture|topo\w*|scan|spectrum|map|data|acquisition|shot|eels|edx|eds)"
ABBREVIATIONS = (
    (r"\bmag\b\.?", "magnification"),
    (r"\belectrons? per (?:square )?(?:å|angstroms?|a)(?:2|²|\^2| squared)?(?![a-z])", "e/å2"),
    (r"\bstigs?\b|\bstigmator\b|\ba1\b", "astigmatism"),
    (r"\bb2\b", "coma"),
    (r"\bc1\b", "defocus"),
    (r"\bc3\b(?=\s*(?:please\s+)?(?:of|to|=|:|at|on)?\s*[-+−]?\d)", "cs"),
    (r"\bdf\b(?=\s*(?:of|to|=|:|by)?\s*[-+−]?\d)", "defocus"),
    (r"(?:(?<=touch )|(?<=change )|(?<=adjust )|(?<=leave )|(?<=keep )|(?<=alter )|(?<=tweak ))df\b", "defocus"),
    (r"\bdf\b", "dark field"),
    (r"\bht\b", "high tension"),
    (r"\bsnap ?shots?\b", "picture"),
    (r"\b(?:pixel exposure|per-pixel exposure|exposure (?:time )?(?:per|for each|for every) pixel)\b", "dwell"),
    (r"\bpos\b", "position"),
    (r"\btopos?\b", "topograph"),
    (r"(?<![\d.] )\bpx\s*[:=]?\s*(\d+)\b(?![.\d]|\s*(?:px|pixels?|[µu]s|ms|nm|µm|um|å|pa|kv)\b)", r"\1 px"),
    # "px 832": logbook shorthand
    (r"\bcan u\b", "can you"),
    (r"(?<=[\d)a-zå])\s+(?:until|till|til)\s+(?=[(\d+-])", " to "),  # "from 58 till 225 mrad": a range
    (r"\bto (left|right)\b(?! now\b| away\b)", r"to the \1"),  # not "set to right now"
    (r"\bpls\b|\bplz\b", "please"),
    (
        r"\b((?:make|have|let|could|can|would|should) (?:the |this )?)(?:picture|image|frame)"
        r"(?= (?:cover|show|span)\b)",
        r"\1view",
    ),
    (
        r"\b((?:middle|centre|center|corners?|edges?|top|bottom|sides?)(?: part| half)? of the )"
        r"(?:picture|image|frame)\b",
        r"\1field",
    ),
    # "make the picture cover 86 nm", "the middle of the picture": the field a setting shapes or a place in it
    (
        r"\b(?:with|at|using|on) the (?:present |current )?(?:settings|scan settings|parameters) (?:as (?:they|it) "
        r"(?:are|is|stand)|as set|unchanged)(?: now| right now)?",
        "at the present settings",
    ),
    (r"(?<![\d.])(?<![\d.] )\b(?:um+|uh+|erm+|uhm+|hmm+)\b,?", " "),  # spoken fillers, not a length in µm
    (
        r"(?<![\w.])([+-]\d+(?:\.\d+)?)\s*(°|deg(?:rees?)?\b)\s+(?:from|than) where (?:it|they) (?:is|are)"
        r"(?: now| at the moment| right now)?",
        r"by \1\2",
    ),  # "beta +4.25 deg from where it is now": a change by the signed angle
    (r"\b(?:from|than) where (?:it|they) (?:is|are)(?: now| at the moment| right now)?", " "),
    (r"(?<=er) than the (?:present|current)(?: one| value| setting)?\b", " "),
    # "raise it by 95 kV from where it is now", "40 nm bigger than the present one": a change from the present value
    (r"^\s*(?:sorry(?! (?:if|for)\b)|okay so|ok so|so|right so|alright so|well)\b,?\s*", ""),
    (r"\bteh\b", "the"),
    (r"\badn\b", "and"),
    (r"\bwaht\b", "what"),
    (r"\btaht\b", "that"),
    (r"\bple(?:ae|as|ase?e|sae)\b", "please"),
    (r"\brecieve", "receive"),  # typing slips
    (r"\b(from|since) " + TIME_OF_DAY[2:] + r"(?=\s*$|\s*[,;?.]|\s+(?:show|have|had|look))", r"\1 earlier"),
    (r"\bthe " + TIME_OF_DAY[2:] + r"(?=\s+(?:[\w-]+\s+)?" + DATA_NOUN + ")", "the earlier"),
    (
        r"\bthe (" + DATA_NOUN + r")s? (?:from|taken|recorded|acquired)?\s*(?:\d+|a few|a couple of|half an?) "
        r"(?:min(?:ute)?s?|hours?|hrs?)\s+ago\b",
        r"the earlier \1",
    ),  # "the image from 10 min ago": data taken before
    (
        r"\bthe (" + DATA_NOUN + r")s? (?:from|taken at|recorded at) (?:the (?:start|beginning) of|earlier in) "
        r"(?:our|my|the|this) (?:slot|session|booking|shift|morning|afternoon)\b",
        r"the earlier \1",
    ),  # "the frame from the start of our slot"
    (TIME_OF_DAY + r"(?:\s+(?:slot|shift|session|booking))?", " "),
    (r"\b\d{1,2}(?:[:.]\d{2})?\s*pm\s+(?:slot|shift|session|booking|demo|group|meeting)\b", " "),  # not picometres
    (
        r"\b(?:(?:i'?ll be|i'?m|we'?re|we'?ll be) )?back (?:at|by|around) \d{1,2}(?:[:.]\d{2})?(?=\s*(?:[.,;!]|$))|"
        r"\b(?:meeting|seminar|call|talk|lunch|session|group meeting)\b[^.;,]{0,20}?\b(?:moved|pushed|changed) "
        r"(?:back )?to \d{1,2}(?:[:.]\d{2})?(?=\s*(?:[.,;!]|$))",
        " ",
    ),  # "back at 3", "the meeting got moved to 4": times of day
    (
        r"\b(before|after|until|till|since) (the |my |our )?\d{1,2}(?:[:.]\d{2})?\s*pm\b",
        r"\1 \2",
    ),  # "before the 2pm job"
    # "the 11am frame", "the image from 9am": data taken earlier; "for the 2 a.m. slot": a time of day, no setting
    (r"\bimg\b", "image"),
    (
        r"\bthe (focus|gains?|stage|scan|setpoint|current|dwell)\b (?:is|are|looks?) "
        r"(?:perfect|fine|good|ok|okay|great|spot on|right)\b,?\s*(?:so\s+)?(?:leave (?:it|them) alone|"
        r"(?:please )?(?:don['’]t|do not) (?:touch|change) (?:it|them))\b",
        r"leave the \1 alone",
    ),  # "the focus is perfect, leave it alone"
    (r"\b(stays?|remains?) at its (?:present |current )?[-+]?\d+(?:\.\d+)?\s*[a-zµ°]+", r"\1 where it is"),
    (
        r"\b(haadf|adf|bf) inner and outer (?:collection )?(?:angles?|radii|cut-?offs?|limits?) (?:of |at |to |= ?)?"
        r"(\d+(?:\.\d+)?)\s*(?:mrad\s*)?(?:and|,|/)\s*(\d+(?:\.\d+)?)\s*mrad",
        r"\1 from \2 to \3 mrad",
    ),  # "HAADF inner and outer angles of 71 and 214 mrad"
    (r"\b(\d+(?:\.\d+)?)\s*mrad (inner|outer)\b", r"\2 \1 mrad"),  # "71 mrad inner, 193 mrad outer"
    (r"\b(?:0|zero) changes\b", "no changes"),  # "the defocus stays at its 0 nm", "with 0 changes to the scan"
    (r"\bno changes? to the scan\b(?: settings)?", "no scan changes"),  # the scan as a setting, not an image
    (r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]", " "),  # a citation, "[12]"
    (
        r"\b(?:(?:their|the|our|her|his)\s+)?(?:fig(?:ure)?s?\.?|tables?|sections?|sec\.|eqs?\.|equations?|panels?|refs?\.)"
        r"\s*\d+(?:\.\d+)?[a-z]?\b(?:\s*(?:and|,|-|to)\s*\d*(?:\.\d+)?[a-z]?\b)*",
        "the figure",
    ),  # "Fig. 2b", "Table 1", "Section 2.4", "panels 3a and 3b": where a paper shows it, no setting
    (r"(?<=\d)\s*kev\b", " kv"),  # "300 keV electrons": the accelerating voltage
    (r"\bline prof\b", "line profile"),
    (r"\bpx (size|spacing)\b", r"pixel \1"),
    (r"\bpic\b", "picture"),
    (
        r"(?<!standard )(?<!customer )(?<!semiconductor )(?<!size )(?<!'s )(?<!the )\bspec\b"
        r"(?![- ]?sheets?\b|\s+(?:is|are|was|says|lists?|limits?|check|values?|requires?)\b)",
        "spectrum",
    ),  # "spec at 3,4 nm", not "the spec sheet", "size standard spec is 12 to 55 nm"
    (r"\bconv\.? angle\b", "convergence angle"),
    (r"\b(\d+)\s*x\s*mag(nification)?\b", r"\1 x magnification"),
    (r"\baf\b", "autofocus"),
    (r"\b(?:turn|switch|shut) off the beam\b|\b(?:turn|switch|shut) the beam off\b", "blank the beam"),
    (r"\b(?:turn|switch) on the beam\b|\b(?:turn|switch) the beam (?:back )?on\b", "unblank the beam"),
    (ASKED + r"\bbeam off\b(?=\s*(?:$|[,.;!?]|and\b|then\b|please\b))", "blank the beam"),
    (ASKED + r"\bbeam (?:back )?on\b(?=\s*(?:$|[,.;!?]|and\b|then\b|please\b))", "unblank the beam"),
    (r"['’]em\b", "them"),
    (r"\b(count|find|locate|measure|size|segment|show|get|grab|label|image|zoom on)\s+em\b", r"\1 them"),
    (r"(\d)\s*nanomet(?:re|er)s?\b", r"\1 nm"),
    (r"(\d)\s*micromet(?:re|er)s?\b", r"\1 um"),
    (r"(\d)\s*millimet(?:re|er)s?\b", r"\1 mm"),
    (r"(\d)\s*(?:kilovolts?|kev)\b", r"\1 kv"),
    (r"(\d)\s*picoamp(?:ere)?s?\b", r"\1 pa"),
    (r"(\d)\s*femtoamp(?:ere)?s?\b", r"\1 fa"),
    (r"(\d)\s*lines? (?:per|a|/)\s*s(?:ec(?:ond)?)?\b", r"\1 hz"),
    (r"(\d)\s*nanoamp(?:ere)?s?\b", r"\1 na"),
    (r"(\d)\s*(?:milliradians?|mrads)\b", r"\1 mrad"),
    (r"(\d)\s*hertz\b", r"\1 hz"),
    (
        r"\b(kv|pa|na|mrad)\s*(?:to|=|:|of|at)\s*([-+]?\d+(?:\.\d+)?)(?![\d.]|\s*(?:k?v|[pnµu]a|mrad)\b|\s*(?:%|percent\b))",
        r"\1 to \2 \1",
    ),
    (
        r"\b(high tension|accelerating voltage|acceleration voltage)"
        r"\s*(?:(?:up |down |back )?to|=|:|of|at)?\s*(\d+(?:\.\d+)?)"
        r"(?![\d.]|\s*(?:k?v|kev)\b|\s*(?:%|percent\b|per cent\b|x\b|times\b))",
        r"\1 \2 kv",
    ),
    (r"\b1k\s*(?=px|pixel|(?:scan )?lines\b)", "1024 "),
    (r"\b2k\s*(?=px|pixel|(?:scan )?lines\b)", "2048 "),
    (r"\b4k\s*(?=px|pixel|(?:scan )?lines\b)", "4096 "),
    (r"\b(?:power|fourier|frequency|amplitude|fft|diffractogram) spectr(?:um|a)\b", "fft"),
    (r"\bmag(nification)? up\b", "higher magnification"),
    (r"\bmag(nification)? down\b", "lower magnification"),
)
"""Shop-floor words spelled out before the request is read."""


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, in the tool unit of its dimension."""

    value: float
    dimension: str
    start: int
    end: int
    relative: bool  # "by 30 nm" (a change) rather than "to 30 nm" (a target)


def normalise(text: str) -> str:
    """Lower case, one space between words, one spelling of µ and the minus sign, abbreviations spelled out, everyday
    verbs spelled as the tool's verb (``synonyms``)."""
    low = " ".join(untyped(unwrapped(text).lower().replace("μ", "µ").replace("−", "-")).split())
    low = corrected(joined_steps(" ".join(without_item_labels(low).split())))
    low = rephrased(re.sub(r"[åa]ngstr[öo]m", "angstrom", low))  # "ångströms": one spelling
    low = spell_quantities(plain_request(low))
    return canonical_verbs(" ".join(rewritten(low, ABBREVIATIONS).split()))


def number(text: str) -> float:
    """A number as written, with a typographic minus."""
    return float(text.replace("−", "-"))


def to_tool_unit(value: str, unit: str) -> float:
    """``("1", "um")`` -> 1000.0 (nm): the value in the tool unit of the unit's dimension."""
    return round(number(value) * UNITS[unit.lower().rstrip(".")][1], 9)  # 34 Å is 3.4 nm, not 3.4000000000000004


def quantities(low: str) -> list[Quantity]:
    """Every number with a unit in the (normalised) text, in order."""
    found = []
    for match in QUANTITY.finditer(low):
        dimension, factor = UNITS[match.group(2)]
        before = low[max(0, match.start() - 12) : match.start()]
        relative = bool(re.search(r"\b(by|another|extra)\s*$", before))
        found.append(Quantity(number(match.group(1)) * factor, dimension, match.start(), match.end(), relative))
    return found


def first(low: str, dimension: str) -> Quantity | None:
    """The first quantity of ``dimension`` in the text."""
    return next((q for q in quantities(low) if q.dimension == dimension), None)


SPECIMEN_ALIASES: dict[str, str] = {
    "srtio3": r"\bsrtio3\b|\bsto\b|strontium titanate|"
    r"(?<!halide )(?<!lead )(?<!hybrid )\bperovskite\b(?![- ](?:solar|film|cell|lamella|absorber|layer))",
    "mos2": r"\bmos2\b|\bmos₂|molybdenum (di)?sul(f|ph)ide|molybdenite|\bthe moly\b",
    "grain_boundary": r"grain[- ]boundar(y|ies)|polycrystalline graphene|bicrystal(?:line)?(?: graphene)?|"
    r"tilt[- ]boundary(?: graphene)?(?: bicrystal)?|graphene bicrystal|"
    r"\bgb\b",
    "graphene": r"\bgraphene\b",
    "gold_nanoparticles": r"\b(gold|au)[- ](nano)?[- ]?particles?\b|"
    r"\bau[- ]on[- ](?:silicon|si)\b(?: particles)?|\baunps?\b|"
    r"gold on (holey )?carbon|\bnanoparticles? (?:sample|specimen|grid)\b|"
    r"\b(?:gold|au)\b(?= (?:nps? )?(sample|specimen|grid))",
    "afm_steps": r"si\(111\)(?: terraces?| steps?)?|silicon (?:steps|terraces)|step(ped)? (silicon|surface sample)|"
    r"terraces? sample|"
    r"(?:afm )?steps? sample|\bstep(?:[- ]height)? standard|"
    r"\bthe terraces\b",
    "afm_polymer_blend": r"polymer blend|\bblend sample|polystyrene|ps/pb|(?:phase-separated |blended )?polymer film",
    "afm_grating": r"calibration grating|grating sample|\bgrating\b(?= (please|in|sample|on the afm))|"
    r"(?:pitch|grating) standard",
    "afm_ferroelectric": r"\bpzt\b|ferroelectric",
}
"""Canonical specimen name -> the ways microscopists name it. The AFM gold particles are named with ``afm``."""


REFINES: dict[str, set[str]] = {"graphene": {"grain_boundary"}}
"""A specimen name -> the longer names that contain it: "the graphene with the grain boundaries" is the grain
boundary specimen, not plain graphene."""


DONE_WITH = r"^\s*(?:after|done with|finished with|enough of) (?!(?:this|that)(?: one)? )(?:the )?[^,;:]{1,40}[,;:]"
"""The specimen worked on before, or the time, said first ("after the terraces, the Au particles ...", "after
lunch: ..."): not the one named."""


def specimen_named(low: str) -> tuple[str, int] | None:
    """The specimen the text names (canonical name, where it starts), or None."""
    low = re.sub(DONE_WITH, lambda m: " " * len(m.group(0)), low)
    hits = [(m.start(), name) for name, pattern in SPECIMEN_ALIASES.items() if (m := re.search(pattern, low))]
    if re.search(r"\bafm\b|tapping|on[- ]silicon|on[- ]si\b", low) and any(
        name == "gold_nanoparticles" for _, name in hits
    ):
        hits = [(s, "afm_nanoparticles" if name == "gold_nanoparticles" else name) for s, name in hits]
    names = {name for _, name in hits}
    hits = [(s, name) for s, name in hits if REFINES.get(name) is None or not names & REFINES[name]]
    if not hits:
        return None
    start, name = min(hits)
    return name, start


def seed_named(low: str) -> int | None:
    """``seed 3``, ``seed=3``, ``seed: 3``, ``(seed 2)``."""
    found = re.search(r"\bseed\s*(?:=|:|of|#|no\.?|number)?\s*(\d+)", low)
    return int(found.group(1)) if found else None
