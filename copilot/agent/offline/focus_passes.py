"""Autofocus in passes: widen a series whose sharpest frame is at its edge, refine a coarse one.

An autofocus series samples ``steps`` defoci across ``range_nm`` about the present defocus. When its sharpest
frame is at the edge of the series, the best focus lies outside it: the series is run again twice as wide (the
routine's own advice), at most ``MAX_WIDENINGS`` times in a row. A widened series coarser than ``FINE_STEP_NM``
between frames finds the focus only to within a fraction of its step, more than the depth of field of a converged
probe (about lambda / alpha^2, 4-5 nm at 80-200 kV and 25-30 mrad), so a fine series two coarse steps wide follows
around the focus it found. A series the user asked for ("searching ±75 nm in 15 steps") is run as asked: only
the widening it needed is refined.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.followups import Context, FollowUp
from copilot.agent.offline.outcomes import Outcome
from copilot.agent.summary import format_number

DEFAULT_RANGE_NM = 100.0
DEFAULT_STEPS = 11
"""The autofocus defaults when the server's schema does not give them."""
FINE_STEP_NM = 10.0
"""The default series' spacing (100 nm in 11 frames): finer series land within the depth of field."""
MAX_WIDENINGS = 2


def series(args: dict[str, Any], context: Context) -> tuple[float, int]:
    """(range_nm, steps) an autofocus call used: its arguments, else the schema's defaults."""
    properties = context.schemas.get("autofocus", {}).get("properties") or {}
    range_nm = args.get("range_nm", (properties.get("range_nm") or {}).get("default", DEFAULT_RANGE_NM))
    steps = args.get("steps", (properties.get("steps") or {}).get("default", DEFAULT_STEPS))
    return float(range_nm), int(steps)


def at_edge(outcome: Outcome) -> bool:
    """An autofocus that found its sharpest frame at the edge of its series."""
    message = str(outcome.data.get("message") or outcome.text).lower()
    return outcome.name == "autofocus" and outcome.ok and outcome.data.get("success") is False and "edge" in message


def focus_follow_up(outcome: Outcome, seen: Sequence[Outcome], context: Context) -> FollowUp | None:
    """The next autofocus pass after ``outcome``, if it needs one (see the module docstring)."""
    if outcome.name != "autofocus" or not outcome.ok:
        return None
    range_nm, steps = series(outcome.args, context)
    if at_edge(outcome):
        in_a_row = 0
        for earlier in reversed(seen):
            if not at_edge(earlier):
                break
            in_a_row += 1
        top = context.maximum("autofocus", "range_nm") or 2000.0
        if in_a_row > MAX_WIDENINGS or range_nm >= top:
            return None
        wider = min(2 * range_nm, top)
        return FollowUp(
            [("autofocus", {"range_nm": wider, "steps": steps})],
            retry=False,
            reason=(
                f"autofocus: the sharpest frame of the {format_number(range_nm)} nm series was at its edge, so the "
                f"series was run again {format_number(wider)} nm wide"
            ),
        )
    step_nm = range_nm / max(steps - 1, 1)
    widened = any(at_edge(earlier) for earlier in seen[:-1])
    if outcome.data.get("success") is True and step_nm > FINE_STEP_NM and widened:
        fine = round(2 * step_nm, 3)
        return FollowUp(
            [("autofocus", {"range_nm": fine, "steps": steps})],
            retry=False,
            reason=(
                f"autofocus: the {format_number(range_nm)} nm series samples the focus every "
                f"{format_number(step_nm)} nm, coarser than the depth of field, so a fine {format_number(fine)} nm "
                "series followed around the focus it found"
            ),
        )
    return None
