"""A drift check "over 10 seconds": the frames are taken back to back, and the answer says the interval used.

The tools have no way to wait: the instrument clock advances only with acquisitions, so a longer gap would cost
extra frames (dose) or a slower first frame (dose, and drift smeared within it). The pair stays back to back and
the answer names the real interval next to the requested one, instead of silently ignoring it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from copilot.agent.offline.outcomes import Outcome
from copilot.agent.summary import format_number

TIME_TO_S = {"s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0, "min": 60.0, "mins": 60.0}
TIME_TO_S |= {"minute": 60.0, "minutes": 60.0}
INTERVAL = r"(?:over|for|across|during|in|after|within|interval of|apart by|every)\s*(?:a|an|the)?\s*"
INTERVAL += r"(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|mins?|minutes?)\b"


def requested_interval_s(low: str) -> float | None:
    """The time a drift check is asked to span ("over 10 seconds", "for 2 min"), in seconds."""
    found = re.search(INTERVAL, low)
    return float(found.group(1)) * TIME_TO_S[found.group(2)] if found else None


def interval_line(outcomes: Sequence[Outcome], requested_s: float) -> str | None:
    """How the measured interval compares with the requested one (None until the drift is measured)."""
    measured = next((o for o in reversed(outcomes) if o.ok and o.name == "estimate_drift"), None)
    dt_s = measured.args.get("dt_s") if measured else None
    if not isinstance(dt_s, int | float):
        return None
    if abs(dt_s - requested_s) <= 0.1 * requested_s:
        return f"The two frames were {format_number(dt_s)} s apart, as requested."
    return (
        f"The requested {format_number(requested_s)} s interval was not honoured: the tools cannot wait between "
        f"frames, so the two frames were taken back to back, {format_number(float(dt_s))} s apart (the drift rate "
        "is per second, so it still applies; repeat the check later to see a longer span)."
    )
