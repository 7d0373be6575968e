"""The options an analysis is asked with, beyond its image: a line profile's averaging width ("averaged over 0.6 nm",
"3 px wide" is not read: widths are in nm), a filter's length scale ("with a 0.08 nm length scale", "sigma 0.1 nm")
a background's polynomial order ("a second-order background", "order 2"), a domain split's method and number of
classes ("by k-means", "with three classes"), an autofocus's range and steps ("over a 150 nm range in 15 steps"; "±75
nm" is spelled as that range), a particle threshold in noise sigmas ("a 7.5σ threshold"), and the retrace of an AFM
channel ("the step height from the retrace")."""

from __future__ import annotations

import re

from copilot.agent.offline.lexicon import NUM, to_tool_unit
from copilot.agent.offline.request import Request

LENGTH = r"\s*(nm|å|angstroms?|pm)\b"
LINE_WIDTH = re.compile(
    r"\b(?:averag\w*|integrat\w*|summ?\w*) (?:over|across) (?:a (?:width|band) of )?" + NUM + LENGTH + r"|"
    r"\b(?:a |an )?(?:averaging |integration )?width\s*(?:of|=|:)?\s*"
    + NUM
    + LENGTH
    + r"|"
    + NUM
    + LENGTH
    + r"(?: wide\b| (?:integration |averaging )width\b)"
)
"""The averaging width across a line ("averaged over 0.6 nm", "a width of 1 nm", "1.5 nm wide")."""
FILTER_SCALE = re.compile(
    r"\b(?:length[- ]scale|strength|sigma|radius|kernel|window|filter)(?: of| with)?\s*(?:=|:)?\s*"
    + NUM
    + LENGTH
    + r"|"
    + NUM
    + LENGTH
    + r"\s+(?:length[- ]scale|scale|sigma|radius|kernel|window)\b|"
    r"\b(?:means|median|gaussian|wiener|filter(?:ed)?|denoise[sd]?)\s+(?:it\s+)?(?:at|with)\s+(?:a\s+)?" + NUM + LENGTH
)
"""A filter's length scale ("with a 0.08 nm length scale", "sigma 0.1 nm")."""
TRAILING_SCALE = re.compile(r",\s*" + NUM + LENGTH + r"\s*[.!]?\s*$")
"""A filter's length scale said alone at the end ("gaussian denoise on the latest frame, 0.07nm")."""
RETRACE = r"\b(?:from|on|in|of|using|with) the retrace\b|\bretrace (?:channel|direction|image|line)\b"
"""An AFM analysis asked of the retrace ("the step height from the retrace")."""
ORDERS = {"zeroth": 0, "first": 1, "second": 2, "third": 3, "zero": 0, "one": 1, "two": 2, "three": 3}
BACKGROUND_ORDER = re.compile(
    r"\b(zeroth|first|second|third)[- ]order\b|\border\s*(?:=|:|of)?\s*([0-3])\b|\b([0-3])(?:st|nd|rd|th)[- ]order\b|"
    r"\border\s*(?:=|:|of)?\s*(zero|one|two|three)\b"
)
"""A background's polynomial order ("a second-order background", "order 2", "2nd-order")."""

DOMAIN_METHOD = r"\bk[- ]?means\b|\b(otsu)\b"
"""How the domains are split: k-means clustering or an Otsu threshold."""
COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5}
DOMAIN_CLASSES = re.compile(
    r"\b([2-5]|two|three|four|five) (?:classes|clusters|phases|domain (?:kinds|types)|kinds of domains?|levels)\b|"
    r"\b(?:classes|clusters)\s*(?:=|:)\s*([2-5])\b"
)
"""How many kinds of domain the split finds ("with three classes", "k-means with 4 clusters")."""

FOCUS_RANGE = re.compile(
    r"\b(?:over|across|searching|search|within|scanning|range(?: of)?)\s+(?:a\s+|the\s+)?(?:range of\s+)?"
    + NUM
    + LENGTH
)
"""The defocus range an autofocus searches ("over a 150 nm range", "searching 200 nm")."""
FOCUS_STEPS = re.compile(r"\b(?:in\s+|with\s+|using\s+)?(\d+)\s+(?:focus\s+|trial\s+|defocus\s+)?steps\b")
"""How many trial defocus values an autofocus takes ("in 15 steps")."""
SIGMAS = re.compile(NUM + r"\s*(?:σ|sigmas?|standard deviations?)\b(?![- ]?(?:of|for))")
"""A detection level in noise standard deviations ("a 7.5σ detection threshold", "5 sigma")."""


def read_analysis_options(low: str, request: Request) -> str:
    """Set the options of the analyses the request names (see the module docstring); the text without a line's
    width or a filter's scale, which are no field of view ("1 nm wide", "at a 0.06 nm scale")."""
    if "line_profile" in request.intents and (width := LINE_WIDTH.search(low)):
        value, unit = next((width.group(i), width.group(i + 1)) for i in (1, 3, 5) if width.group(i))
        request.line_width_nm = to_tool_unit(value, unit)
        low = low[: width.start()] + " " * (width.end() - width.start()) + low[width.end() :]
    if "denoise" in request.intents and (scale := FILTER_SCALE.search(low) or TRAILING_SCALE.search(low)):
        value, unit = next((scale.group(i), scale.group(i + 1)) for i in (1, 3, 5) if scale.groups()[i - 1])
        request.denoise_strength_nm = to_tool_unit(value, unit)
        low = low[: scale.start()] + " " * (scale.end() - scale.start()) + low[scale.end() :]  # no field of view
    if re.search(RETRACE, low):
        request.afm_direction = "retrace"
    if "plane_level" in request.intents and (order := BACKGROUND_ORDER.search(low)):
        said = order.group(1) or order.group(4)
        request.plane_order = ORDERS[said] if said else int(order.group(2) or order.group(3))
    if "focus" in request.intents:
        if span := FOCUS_RANGE.search(low):
            request.focus_range_nm = to_tool_unit(span.group(1), span.group(2))
        if steps := FOCUS_STEPS.search(low):
            request.focus_steps = int(steps.group(1))
    if "particles" in request.intents and (sigmas := SIGMAS.search(low)):
        request.threshold_sigmas = float(sigmas.group(1))
    if "domains" in request.intents:
        if method := re.search(DOMAIN_METHOD, low):
            request.domain_method = "otsu" if method.group(1) else "kmeans"
        if classes := DOMAIN_CLASSES.search(low):
            said = classes.group(1) or classes.group(2)
            request.domain_classes = COUNTS.get(said) or int(said)
            rest = low[: classes.start()] + low[classes.end() :]
            if not re.search(r"particles?|clusters", rest):
                request.intents.discard("particles")  # "k-means with 4 clusters" splits domains, it sizes nothing
    return low
