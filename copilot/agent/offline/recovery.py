"""What to do when the instrument refuses a step: the calls that clear a known fault before the step is retried.

A microscopist reads the error and fixes its cause: an aborted scan is simply taken again, a blanked beam is
unblanked, a tip that is not on the surface is approached, an engaged tip is withdrawn before it is changed.
Anything else (a wrong argument, a dose guard, an analysis that found nothing) is not retried.
"""

from __future__ import annotations

from typing import Any

Call = tuple[str, dict[str, Any]]

MAX_RECOVERIES = 2
"""Recoveries per planned step: a fault that comes back after that is reported, not fought."""


def fixes_for(tool: str, error_text: str) -> list[Call] | None:
    """The calls that clear the fault ``error_text`` reports for ``tool`` (empty: just retry), or ``None``."""
    text = error_text.lower()
    if "scanabortederror" in text or "scan was aborted" in text or ("aborted" in text and "acquire" in tool):
        return []
    if "beamblankederror" in text or "beam is blanked" in text:
        return [("set_beam", {"blanked": False})]
    if "probenotengagederror" in text or "not on the surface" in text:
        return [("approach", {})]
    if ("probeengagederror" in text or "engaged" in text) and tool == "change_tip":
        return [("withdraw", {})]
    return None


def already_done(tool: str, error_text: str) -> bool:
    """An approach refused because the tip is already engaged has reached its goal."""
    text = error_text.lower()
    return tool == "approach" and "already engaged" in text
