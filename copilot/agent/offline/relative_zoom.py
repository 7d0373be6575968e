"""Zoom without a number: "lower the magnification a bit", "zoom in a little", "higher magnification".

The new field of view is the current one (from the status read first) times ``ZOOM_STEP`` for a zoom out, or
divided by it for a zoom in; a request that names the field of view ("zoom in to 20 nm") is not relative.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from copilot.agent.offline.outcomes import Outcome, current_fov_nm

ZOOM_STEP = 2.0
"""An unquantified zoom changes the field of view by this factor: a visible change that keeps the area in view."""
ZOOM_OUT = r"zoom(ed|ing)? (back )?out|(lower|less|decrease|reduce|drop)( the)? mag|wider (field|view)|widen"
ZOOM_IN = r"zoom(ed|ing)? in\b|(higher|more|increase|raise|up)( the)? mag|\bmagnify|closer (look|view)"


def relative_zoom_factor(low: str) -> float | None:
    """The factor on the field of view an unquantified zoom asks for (``ZOOM_STEP`` out, 1 / ``ZOOM_STEP`` in)."""
    if re.search(ZOOM_OUT, low):
        return ZOOM_STEP
    if re.search(ZOOM_IN, low):
        return 1.0 / ZOOM_STEP
    return None


def zoomed_scan(factor: float) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """``set_scan`` arguments: the current field of view times ``factor``."""

    def args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        fov_nm = current_fov_nm(outcomes)
        if fov_nm is None:
            return "the current field of view is unknown, so the zoom was not made (name the field of view in nm)"
        return {"fov_nm": round(fov_nm * factor, 3)}

    return args
