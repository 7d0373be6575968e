"""Messages typed in a hurry, rewritten to plain words before they are read: arrows ("HT->120kV", "df -> -30nm",
"(3,4)->(9,8) nm"), "@" for at, "&" and a spaced "+" for and, "w/" for with, comparison signs ("< 37pA", "<= 5us"),
chat shorthand ("u", "r", "atm", "rn", "q", "wat", "whats") and keyboard slips whose meaning is plain ("imgae",
"fiel of view", "defocsu"). Pure text rewrites of the lower-cased request, applied first by ``lexicon.normalise``."""

from __future__ import annotations

import re

REWRITES: tuple[tuple[str, str], ...] = (
    (r"\s*<=\s*(?=[-+]?\d)", " at or below "),
    (r"\s*>=\s*(?=[-+]?\d)", " at or above "),
    (r"\s*(?:->|→|=>)\s*", " to "),
    (r"(?<=\s)<\s*(?=[-+]?\d)", "below "),
    (r"(?<=\s)>\s*(?=[-+]?\d)", "above "),
    (r"\s*@\s*", " at "),
    (r"\s+&\s+|\s+\+\s+", " and "),
    (r"\bw/\s*", "with "),
    (r"\bw/o\s*", "without "),
    (r"(?<=[a-z] )x\s*(\d+(?:\.\d+)?)(?=\s+(?:from|of|what|than|its)\b)", r"\1 times"),  # "fov x6.5 from now"
    (r"(\d)[- ]fold\b", r"\1 times"),
    (r"\brelative to (?:now|the present(?: value)?)\b", "from what it is now"),
    (r"\bc3\b(?=\s*(?:to|=|:|of)?\s*[-+]?\d)", "cs"),
    (r"\b(?:alpha|beta)\b(?=\s*(?:to|of|=|:)?\s*[\d.]+\s*mrad)", ""),
    (r"\btip-(?=artefact|artifact)", "tip "),
    (r"\bwat\b", "what"),
    (r"\bcn\b", "can"),
    (r"\blil\b", "little"),
    (r"\bcant\b", "can't"),
    (r"\bdont\b", "don't"),
    (r"\bwhats\b", "what's"),
    (r"\bu\b(?!\s*[=:])", "you"),
    (r"\br\b(?= (?:the|you|we|they|there)\b)", "are"),
    (r"\batm\b", "at the moment"),
    (r"\brn\b", "right now"),
    (r"^\s*(?:quick )?q\b:?", "quick question:"),
    (r"\bima?ga?e\b|\bimgae\b|\bimaeg\b", "image"),
    (r"\bfiel of view\b|\bfield fo view\b|\bfeild of view\b", "field of view"),
    (r"\bdefocsu\b|\bdefcous\b|\bdefoucs\b", "defocus"),
)


def rewritten(low: str, rules: tuple[tuple[str, str], ...]) -> str:
    """``low`` with each (pattern, replacement) rule applied in turn."""
    for pattern, said in rules:
        low = re.sub(pattern, said, low)
    return low


def untyped(low: str) -> str:
    """``low`` with the rewrites applied (see the module docstring)."""
    return rewritten(low, REWRITES)
