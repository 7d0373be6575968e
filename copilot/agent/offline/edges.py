"""Read an edge onset asked of a spectrum: "fit the S L2,3 onset", "measure the Mo M4,5 onset", "where does the
Ti L2,3 edge start?" -> measure_edge_onset with the element's symbol and the edge as spectroscopists write it.

An element symbol is read only next to an edge name or the word "edge"/"onset" (lower-cased text makes "S", "O",
"In" ordinary words elsewhere). An edge name's digits ("L2,3") are a label, not a number to set.
"""

from __future__ import annotations

import re

ELEMENTS = frozenset(
    re.findall(
        r"[a-z]+",
        "h he li be b c n o f ne na mg al si p s cl ar k ca sc ti v cr mn fe co ni cu zn ga ge as se br kr rb sr y "
        "zr nb mo tc ru rh pd ag cd in sn sb te i xe cs ba la ce pr nd sm eu gd tb dy ho er tm yb lu hf ta w re os ir "
        "pt au hg tl pb bi",
    )
)
ELEMENT_NAMES = {
    "hydrogen": "h", "carbon": "c", "nitrogen": "n", "oxygen": "o", "fluorine": "f", "silicon": "si",
    "phosphorus": "p", "sulphur": "s", "sulfur": "s", "chlorine": "cl", "titanium": "ti", "iron": "fe",
    "cobalt": "co", "nickel": "ni", "copper": "cu", "strontium": "sr", "molybdenum": "mo", "tungsten": "w",
    "rhenium": "re", "gold": "au", "silver": "ag", "platinum": "pt", "lanthanum": "la", "barium": "ba",
    "lithium": "li", "boron": "b", "sodium": "na", "magnesium": "mg", "aluminium": "al", "aluminum": "al",
    "calcium": "ca", "vanadium": "v", "chromium": "cr", "manganese": "mn", "zinc": "zn", "gallium": "ga",
    "germanium": "ge", "arsenic": "as", "selenium": "se", "zirconium": "zr", "niobium": "nb", "indium": "in",
    "tin": "sn", "hafnium": "hf", "tantalum": "ta", "lead": "pb", "bismuth": "bi", "cerium": "ce",
}  # fmt: skip
"""Element names said in words, for an edge said by the element's name ("where does the sulphur edge start?")."""
EDGE_NAME = r"(?:k|l1|l2,3|l2|l3|m1|m2,3|m4,5|m4|m5|n4,5|n6,7)"
"""Core-loss edges as written ("K", "L2,3", "M4,5")."""
EDGE_SAID = re.compile(
    r"\b(?P<element>[a-z]{1,2})\s+(?P<edge>" + EDGE_NAME + r")(?![\w,])(?:[- ]?edges?)?|"
    r"\b(?P<bare>[a-z]{1,2})[- ](?:edge\s+)?onset\b|\b(?P<edged>[a-z]{1,2})[- ]edges?\b"
)
ONSET = r"\bonsets?\b|\bedge (?:position|energy|threshold)|"
ONSET += r"\bwhere (?:(?:does|do) )?the\b.{0,30}\bedges? (?:start|begin|kick|rise)"
"""Words asking where an edge starts."""


def edge_onset_said(low: str) -> tuple[str, str | None] | None:
    """(element symbol, edge or None for the element's lowest) of the onset the request asks for, or None."""
    if not re.search(ONSET, low):
        return None
    names = "|".join(ELEMENT_NAMES)
    low = re.sub(r"\b(" + names + r")\b(?=(?:\s+" + EDGE_NAME + r"(?![\w,]))?[- ](?:edge|onset))", _symbol, low)
    said: list[tuple[str, str | None]] = []
    for found in EDGE_SAID.finditer(low):
        element = found.group("element") or found.group("bare") or found.group("edged")
        if element in ELEMENTS:
            edge = found.group("edge")
            said.append((element.capitalize(), edge.upper() if edge else None))
    named = [(element, edge) for element, edge in said if edge]  # "about the sulfur edge: ... the S L2,3 edge"
    return (named or said)[0] if said else None


def without_edge_names(low: str) -> str:
    """The text with its edge labels blanked ("s l2,3" keeps its length, loses its digits)."""
    return re.sub(r"\b[a-z]+\s+" + EDGE_NAME + r"(?![\w,])", lambda m: " " * len(m.group(0)), low)


def _symbol(found: re.Match[str]) -> str:
    return ELEMENT_NAMES[found.group(1)]
