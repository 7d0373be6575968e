"""Quantities said in words, spelled as numbers before the request is read ("half a micron" -> 0.5 micron, "zero
defocus" -> defocus 0, "@ 5 nm" -> at 5 nm, a bare "1k" -> 1024 px). Pure text rewrites of the lower-cased request,
applied by ``lexicon.normalise`` before its abbreviations.
"""

from __future__ import annotations

import re

UNIT_WORD = r"(microns?|µm|um|nanomet(?:re|er)s?|nm|angstroms?|å|micromet(?:re|er)s?)"
WORD_NUMBERS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twenty": "20",
    "fifty": "50",
    "hundred": "100",
}
SPOKEN: tuple[tuple[str, str], ...] = (
    (r"\s*@\s*", " at "),
    (r"\b(?:a )?half (?:of )?an? " + UNIT_WORD + r"\b", r"0.5 \1"),
    (r"\b(?:a )?quarter (?:of )?an? " + UNIT_WORD + r"\b", r"0.25 \1"),
    (r"\b(?:one|a) and a half " + UNIT_WORD + r"\b", r"1.5 \1"),
    (r"\b(" + "|".join(WORD_NUMBERS) + r") " + UNIT_WORD + r"\b", "<word>"),
    (r"\b(?:an?|one) (micron|micromet(?:re|er))\b", r"1 \1"),
    (
        r"\b(?:particle )?(?:size|diameter) spectrum\b|\bspectrum of (?:the )?(?:particle )?(?:sizes|diameters)\b",
        "size distribution",
    ),
    (r"\bzero (defocus|focus)\b", r"defocus 0"),
    (r"\b(defocus|focus) (?:back )?(?:to|at|of) zero\b", r"defocus 0"),
    (r"\b(rotation|alpha|beta|tilt) (to|back to|at|of) zero\b", r"\1 \2 0°"),
    (r"\b([124])k\b(?!\s*(?:x\b|e|v\b|ev|hz|nm|µm|um|counts?|dose))", "<k>"),
)
"""(pattern, spelled) applied in order; ``<word>`` spells a number word, ``<k>`` a bare 1k/2k/4k as its pixels
(a frame size: 1k = 1024 px)."""
K_PIXELS = {"1": "1024", "2": "2048", "4": "4096"}


def spell_quantities(low: str) -> str:
    """See the module docstring."""
    for pattern, spelled in SPOKEN:
        if spelled == "<word>":
            low = re.sub(pattern, lambda m: f"{WORD_NUMBERS[m.group(1)]} {m.group(2)}", low)
        elif spelled == "<k>":
            low = re.sub(pattern, _k_pixels, low)
        else:
            low = re.sub(pattern, spelled, low)
    return " ".join(low.split())


def _k_pixels(match: re.Match[str]) -> str:
    """ "1k" -> "1024 px", unless a pixel word follows already ("1k px" -> "1024 px")."""
    follows_pixels = re.match(r"\s*(?:px|pixels?|(?:scan )?lines)\b", match.string[match.end() :])
    return K_PIXELS[match.group(1)] + ("" if follows_pixels else " px")
