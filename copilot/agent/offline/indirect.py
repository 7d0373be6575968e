"""Requests asked indirectly, rewritten to the plain request the reader reads: "any chance of moving 0.8 µm down" is
"move 0.8 µm down", "would it be possible to make it wider" is "make it wider", "I think we should stretch the
dwell" is "stretch the dwell", "I'd prefer the HAADF to collect from 58 to 205 mrad" is "the HAADF from 58 to 205
mrad", and "just curious whether the dwell is still 4 µs" is "is the dwell still 4 µs?". Pure text rewrites of the
lower-cased request, applied by ``lexicon.normalise``; what only sounds like a request (a what-if, "should we ...?")
is left as said, for the reader to decline."""

from __future__ import annotations

import re

from copilot.agent.offline.typed import rewritten

E_ENDING = {"mov", "tak", "mak", "increas", "reduc", "rais", "chang", "us", "measur", "acquir", "sav", "plac", "imag"}
E_ENDING |= {"decreas", "centr", "shar", "compar", "analys", "captur", "receiv", "retak", "remov"}
"""Verb stems that take back their "e" when "-ing" is cut ("moving" -> "move"; "lowering" stays "lower")."""


def base_verb(said: re.Match[str]) -> str:
    """The plain verb of an "-ing" form ("moving" -> "move", "mapping" -> "map", "zooming" -> "zoom")."""
    stem = said.group(1)
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "ls":
        return stem[:-1]
    return stem + "e" if stem in E_ENDING else stem


VERB_NEXT = "\x00"
"""Marks where a verb's "-ing" form follows ("any chance of moving ..."): it is said plainly there."""
REWRITES: tuple[tuple[str, str], ...] = (
    (r"\b(?:is there )?any chance (?:of|you could|we could)\s+", " " + VERB_NEXT),
    (r"\b(?:would|do) you mind\s+", " " + VERB_NEXT),
    (r"\bwould it be (?:possible|ok|okay|alright|all right) (?:for you )?to\s+", " "),
    (r"\b(?:i|we) (?:think|guess|reckon|suppose) (?:that )?we (?:should|ought to|could)(?: probably| maybe)?\s+", " "),
    (r"\bi'?d (?:much |really |rather |strongly )?prefer (?=the\b|an?\b)", " "),
    (
        r"\b(?:just )?(?:off |over )?to the (left|right)\b((?:[^.;?!]|(?<=\d)\.(?=\d))*?)"
        r"\bin (?:that|the same) direction\b",
        r"\2 to the \1",
    ),  # "the interesting bit is just off to the left - nudge the stage 1.4 µm in that direction"
    (
        r"\b(haadf|adf|bf|bright[- ]field|annular dark[- ]field) (?:detector )?(?:to |should |will |needs to )?"
        r"(?:collect|accept|take|cover|span)s? (?:from|between)\b",
        r"\1 from",
    ),
    (
        r"^(?:i'?m |i am )?(?:just )?(?:curious|wondering|i wonder|i was wondering) (?:whether|if) "
        r"((?:the|our|it)\b(?:[^;?.]|(?<=\d)\.(?=\d))*?) (is|are) ((?:[^;?.]|(?<=\d)\.(?=\d))*?)\s*(?=[;.?]|$)",
        r"\2 \1 \3?",
    ),
    (
        r"^(?:i'?m |i am )?(?:just )?(?:curious|wondering|i wonder|i was wondering|i'?d like to know) "
        r"(?=(?:how|what|which|where)\b)",
        " ",
    ),
)
ING = re.compile(VERB_NEXT + r"\s*(\w{2,}?)ing\b")
"""An "-ing" form left where "any chance of" or "would you mind" was cut."""


def plain_request(low: str) -> str:
    """``low`` with its indirect requests said plainly (see the module docstring)."""
    return ING.sub(base_verb, rewritten(low, REWRITES)).replace(VERB_NEXT, " ")
