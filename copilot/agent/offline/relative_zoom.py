"""Zoom by a factor of the present field of view: "zoom out by a factor of four", or without a number: "lower the
magnification a bit", "zoom in a little", "higher magnification".

The new field of view is the current one (from the status read first) divided by the factor said for a zoom in,
times it for a zoom out, or ``ZOOM_STEP`` when no number is said; a request that names the field of view ("zoom in
to 20 nm") is not relative. A zoom without a number is a look (a frame is taken at the new field); a zoom by a
number said sets the scan, as a setting said by its value does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from copilot.agent.offline.outcomes import Outcome, current_fov_nm

ZOOM_STEP = 2.0
"""An unquantified zoom changes the field of view by this factor: a visible change that keeps the area in view."""
ZOOM_OUT = (
    r"zoom(ed|ing)? (back )?out|(lower|less|decrease|reduce|drop)( the)? mag(nification)?|wider (field|view)|"
    r"widen(?! (?:the )?(?:probe|convergence|aperture|angle|beam))"
)
ZOOM_IN = (
    r"zoom(ed|ing)? in\b|(higher|more|increase|raise|up)( the)? mag(nification)?|\bmagnify|closer (look|view)|"
    r"\bmag(nification)? up\b|\bgo in\b(?= by|\s+\d)"
)


ZOOM_BY = r"(?:\s+(?:by\s+)?(?:a factor (?:of )?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:x|×|times|fold)(?![a-z\d])|"
ZOOM_BY += r"x\s*(\d+(?:\.\d+)?)))?"
"""A zoom by a number ("zoom in 2x", "zoom out by a factor of 4", "zoom in x3"): the field of view over or times it."""


def relative_zoom_factor(low: str) -> tuple[float, bool] | None:
    """The factor on the field of view a zoom with no field of view asks for, and whether a number said it: the
    number said ("zoom in 4x": 1/4), else ``ZOOM_STEP`` out or 1 / ``ZOOM_STEP`` in."""
    for pattern, way in ((ZOOM_OUT, 1.0), (ZOOM_IN, -1.0)):
        if found := re.search("(?:" + pattern + ")" + ZOOM_BY, low):
            said = next((float(n) for n in found.groups()[-3:] if n), None)
            step = said if said is not None and said > 1 else ZOOM_STEP
            return step**way, said is not None
    if found := re.search(r"\b(\d+(?:\.\d+)?)\s*(?:x|×|times|fold) zoom(?: in)?\b", low):
        return (1.0 / float(found.group(1)), True) if float(found.group(1)) > 1 else None
    return None


def zoomed_scan(factor: float) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """``set_scan`` arguments: the current field of view times ``factor``."""

    def args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        fov_nm = current_fov_nm(outcomes)
        if fov_nm is None:
            return "the current field of view is unknown, so the zoom was not made (name the field of view in nm)"
        return {"fov_nm": round(fov_nm * factor, 3)}

    return args
