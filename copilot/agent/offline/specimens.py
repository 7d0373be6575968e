"""Which specimen a request wants loaded: named with a verb ("load", "put ... in", "switch to") or without one
("Graphene please (seed 2)", "MoS2, seed 4: ...", "On STO, measure the lattice", "let's look at the gold
particles"), and the listed specimen that best matches the name.

A name with a verb is always loaded. A name without one is loaded only when it differs from what the status
says is in (or a different seed is asked for): naming the specimen one is already working on changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from copilot.agent.offline.lexicon import REFINES, SPECIMEN_ALIASES, seed_named, specimen_named
from copilot.agent.offline.outcomes import Outcome

LOAD_VERB = (
    r"\b(?:re-?load|load|insert|mount|switch (?:the (?:afm|stem) )?(?:over )?to|change (?:over )?to|swap (?:over )?to|"
    r"swap in|put in|"
    r"change (?:the )?(?:specimens?|samples?) (?:over )?to|"
    r"(?:swap|exchange|replace|trade) (?:out )?(?:the |this |it )?(?:current |present |old )?(?:{swapped}\s+)?"
    r"(?:specimen |sample )?(?:out )?"
    r"(?:for|with))\s+"
    r"(?:the\s+|a\s+|an\s+)?(?:specimen\s+|sample\s+)?([\w\-\.\+/()'’]+(?:\s+[\w\-\.\+/()'’]+)*?)"
    r"(?:\s+(?:specimen|sample|crystal))?(?:\s+with\b|\s+seed\b|\s*[,;:?!]|\.\s|\.$|\s+and\b|\s+then\b|\s+please\b|$)"
).replace("{swapped}", "(?:" + re.sub(r"(?<!\\)\((?!\?)", "(?:", "|".join(SPECIMEN_ALIASES.values())) + ")")
"""A load said as a verb; a swap may name the specimen taken out ("swap the MoS2 out for graphene")."""
PUT_IN = (
    r"\b(?:put|putting|pop|popping|stick|get|chuck|slot|throw|swap|bring)\s+(?:the\s+|a\s+|an\s+|some\s+)?(.+?)\s+"
    r"(?:sample\s+|specimen\s+)?(?:in|on (?:the |our )?(?:afm|stem|stage|microscope|instrument|scope|holder)|"
    r"on(?=\s*(?:[,;.!]|$|\s(?:please|now|seed)\b)))\b|"
    r"\b(?:needs?|wants?|like|get)\s+(?:the\s+|a\s+|an\s+)?(.+?)\s+(?:sample\s+|specimen\s+)?"
    r"(?:mounted|loaded|put in|inserted)\b"
)
IN_NOW = r"^\s*(?:the\s+)?(?:{alias})(?:\s+(?:sample|specimen))?\s+in\b"
OPENER = (
    r"^\s*(?:on|with|for|use|using|now|ok|okay|next|after (?:this|that)(?: one)?,?|and then|then)?\s*(?:the\s+)?{alias}"
    r"(?:\s+(?:sample|specimen))?"
    r"(?:\s+on\s+(?:silicon|carbon))?(?:\s+for\s+(?:the\s+)?(?:afm|stem|tapping(?: mode)?|contact mode|tapping|pfm))?"
    r"\s*(?:,|:|;|-|\(|please\b|loaded\b|now\b|seed\b|$|\.)"
)
"""A specimen said first, perhaps with its substrate and the instrument it is for ("the gold nanoparticles on
silicon for tapping mode, please")."""
LOOK_AT = (
    r"\b(?:let['’]?s\s+|let us\s+|i['’]?d like to\s+|i want to\s+|we['’]?ll\s+|now\s+)?"
    r"(?:(?:have|take) a (?:quick |closer )?look at|look at|check out|examine|study|investigate|explore|work on|"
    r"work with|start with|go with|move on to|turn to)"
    r"\s+(?:the\s+|some\s+|our\s+)?(?:{alias})(?:\s+(?:sample|specimen))?|"
    r"\b(?:of|on|from|in) (?:the|this|that|our) (?:{alias})\s+(?:sample|specimen)\b"
)
"""A specimen named as the thing to work on ("let's look at the gold particles", "an image of the grain boundary
sample"): loaded if it is not in."""
QUANTITY_FIRST = (
    r"[-+]?\d|(?:some |more |a bit of )?(?:(?:two|three)fold )?(?:astigmatism|defocus|underfocus|overfocus|coma)\b|"
    r"(?:a )?(?:new|fresh) (?:one|tip|cantilever|probe)\b|(?:an? )?(?:order|request|ticket|complaint)\b"
)
"""What a load verb puts in when it starts with a number or names an aberration ("put in -15 nm of defocus", "put in
twofold stig, 6 nm"), or is no specimen at all ("put in an order for new ones")."""


@dataclass
class Wanted:
    """The specimen a request asks for, as said or as its canonical name, and how it was asked."""

    name: str
    seed: int | None
    explicit: bool  # named with a load verb: always loaded
    span: str  # the words that named it (not read as part of the task)


def wanted_specimen(low: str) -> Wanted | None:
    """See the module docstring; ``low`` is the normalised request."""
    seed = seed_named(low)
    verb = re.search(LOAD_VERB, low)
    if verb and re.match(QUANTITY_FIRST, verb.group(1)):
        verb = None  # "put in -15 nm of defocus", "put in twofold stig": a setting, not a specimen
    pronoun = verb and re.fullmatch(r"it|that(?: one)?|this(?: one)?", verb.group(1).strip())
    if verb and pronoun and (before := specimen_named(low)):
        return Wanted(before[0], seed, True, verb.group(0))  # "work on the ferroelectric film, so would you mount it"
    if verb:
        said = verb.group(1).strip()
        alias = specimen_named(said)
        if alias and (whole := specimen_named(low)) and whole[0] in REFINES.get(alias[0], set()):
            alias = whole  # "load the graphene with the grain boundary in it": the grain boundary specimen
        return Wanted(alias[0] if alias else said, seed, True, verb.group(0))
    put = re.search(PUT_IN, low)
    named = specimen_named(low)
    if put and (alias := specimen_named(put.group(1) or put.group(2)) or specimen_named(put.group(0))):
        # "pop the grating in", "put the blend on the AFM", "gonna need the grain boundary sample mounted"
        return Wanted(alias[0], seed, True, put.group(0))
    if named is not None and (into := re.search(IN_NOW.format(alias=_said_as(named[0])), low)):
        return Wanted(named[0], seed, True, into.group(0))  # "STO in, seed 3"
    if named is None:
        return None
    name = named[0]
    pattern = f"(?:{_said_as(name)})"
    opener = re.search(OPENER.format(alias=pattern), low) or re.search(LOOK_AT.format(alias=pattern), low)
    if opener and seed is None and re.match(r"\s*on\b[^:]*:\s*\S", low[opener.start() :]):
        return None  # "On the grating sample: a 3.25 µm image": where the work is, as "On the grating:" says it
    if opener or seed is not None:
        return Wanted(name, seed, False, opener.group(0) if opener else "")
    return None


def _said_as(name: str) -> str:
    """The ways a specimen is named; the AFM gold particles are named as the gold particles are."""
    return SPECIMEN_ALIASES.get("gold_nanoparticles" if name == "afm_nanoparticles" else name, re.escape(name))


def needs_loading(wanted: Wanted, status: dict[str, Any] | None) -> bool:
    """An implicit name is loaded only when the status names another specimen or another seed."""
    if wanted.explicit or not status:
        return True
    same = str(status.get("specimen", "")).lower() == wanted.name.lower()
    return not same or (wanted.seed is not None and wanted.seed != status.get("seed"))


def best_specimen(wanted: str) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """Pick the listed specimen whose name shares the most words with what the user asked for."""

    def choose(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        names = _specimen_names(outcomes)
        words = set(re.findall(r"[a-z0-9]+", wanted.lower()))

        def score(name: str) -> tuple[int, int]:
            parts = set(re.findall(r"[a-z0-9]+", name.lower()))
            return (len(words & parts) + (name.lower() in wanted.lower()) * 2, -len(name))

        ranked = sorted(names, key=score, reverse=True)
        if not ranked or score(ranked[0])[0] == 0:
            return f"no specimen matches {wanted!r} (available: {', '.join(names) or 'none listed'})"
        return {"name": ranked[0]}

    return choose


def _specimen_names(outcomes: Sequence[Outcome]) -> list[str]:
    for outcome in outcomes:
        if outcome.name == "list_specimens" and outcome.ok:
            items = next((v for v in outcome.data.values() if isinstance(v, list)), [])
            return [str(i.get("name") if isinstance(i, dict) else i) for i in items]
    return []
