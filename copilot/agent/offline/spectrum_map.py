"""Map a region with a spectrum at every pixel (``acquire_spectrum_image``): "map the Ti distribution over a 4 nm
square with EELS", "an EDS spectrum image of x 0-10 nm, y 0-10 nm".

The region is the one the request draws (``x 0-10 nm, y 0-10 nm``), else a square of the size it names centred in
the current field of view. Every pixel's dwell is short by default: a map puts the whole dwell on each pixel, so a
point spectrum's dwell would give it many times the dose of a frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from copilot.agent.offline.outcomes import Outcome, current_fov_nm

SENTENCE = r"(?:[^.]|(?<=\d)\.(?=\d))*"
"""The rest of a sentence (a decimal point does not end it)."""
MAP_PATTERN = (
    r"spectr(um|al|o?scopic) image|\b(elemental|element|chemical|eels|eds|edx) map(?:s|ping)?\b|"
    r"\bmap(s|ping)?\b" + SENTENCE + r"\b(distribution|elements?|eels|eds|edx)\b|"
    r"\bdistribution of\b" + SENTENCE + r"\b(eels|eds|edx)\b|"
    r"\b(eels|eds|edx)\s+sis?\b(?=\s*(?:of|over|across|on|covering|with|at|x\b|,|;|$))"
)
"""Words that ask for a map of a region rather than one spectrum at a point ("EDX SI of a 5 nm square"; "EELS Si
L2,3 edge" names silicon, not a spectrum image)."""
MAP_PIXELS = 16
MAP_DWELL_MS = 0.5
MAX_MAP_PIXELS = 128


def asks_for_map(low: str) -> bool:
    """Whether the request asks for a spectrum image (a map or distribution over a region)."""
    return bool(re.search(MAP_PATTERN, low)) and not re.search(r"\bdose map|size distribution", low)


CORNERS = {"top": 0.0, "upper": 0.0, "bottom": 1.0, "lower": 1.0, "left": 0.0, "right": 1.0}


def map_place(low: str) -> tuple[float, float]:
    """Where in the field of view a map of a named size goes, as shares of the free room (x, y; image y runs down):
    "the top-left 5 nm square" is (0, 0), "the bottom-right corner" (1, 1); the centre unless a corner is said."""
    found = re.search(r"\b(top|upper|bottom|lower)[- ]?(left|right)\b", low)
    if found is None:
        return (0.5, 0.5)
    return (CORNERS[found.group(2)], CORNERS[found.group(1)])


def map_args(
    kind: str,
    region_nm: tuple[float, float, float, float] | None,
    side_nm: float | None,
    pixels: int | None,
    dwell_ms: float | None,
    place: tuple[float, float] = (0.5, 0.5),
) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """The ``acquire_spectrum_image`` arguments: the drawn region, else a ``side_nm`` square (the whole field of
    view without one) centred in the current field of view, or at the corner ``place`` says (see ``map_place``)."""

    def args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        settings = {"pixels": min(pixels or MAP_PIXELS, MAX_MAP_PIXELS), "dwell_ms": dwell_ms or MAP_DWELL_MS}
        if region_nm is not None:
            x_nm, y_nm, width_nm, height_nm = region_nm
            return {"kind": kind, "x_nm": x_nm, "y_nm": y_nm, "width_nm": width_nm, "height_nm": height_nm, **settings}
        fov_nm = current_fov_nm(outcomes)
        if fov_nm is None:
            return "the size of the current field of view is unknown, so the map region could not be placed"
        side = fov_nm if side_nm is None else side_nm
        if side > fov_nm:
            return (
                f"a {side:g} nm map does not fit in the {fov_nm:g} nm field of view: widen the field of view first "
                "or map a smaller region"
            )
        x_nm, y_nm = (round(share * (fov_nm - side), 3) for share in place)
        return {"kind": kind, "x_nm": x_nm, "y_nm": y_nm, "width_nm": side, "height_nm": side, **settings}

    return args
