"""Write the planner's final answer from the tool outcomes: only numbers the tools returned, with their units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.outcomes import Outcome
from copilot.agent.summary import summarize

ANSWER_FIELDS = 40
"""The answer lists more of each result than the terminal's one-line summaries."""
DERIVED_KEYS = {"pixel_size_nm", "frame_time_s", "specimen", "instrument"}
"""Reported after a setting besides the arguments themselves."""
CAPABILITIES = (
    "load a specimen (list_specimens shows them)",
    "set the field of view, pixels, dwell, defocus, beam energy and current",
    "acquire HAADF or BF images, autofocus",
    "find atoms or defects, measure the lattice, count and size particles",
    "take an EELS/EDS spectrum at a point or at a found feature",
    "survey at low dose and zoom into the most interesting region",
    "AFM: approach, image, roughness, step height, grating pitch, force curves, tip checks",
)


def outcome_line(outcome: Outcome) -> str:
    """One line per successful tool call; a setting reports only what was set (and what follows from it)."""
    data = outcome.data
    if outcome.name.startswith("set_") or outcome.name in ("move_stage", "load_specimen"):
        wanted = set(outcome.args) | DERIVED_KEYS
        data = {key: value for key, value in _flat(outcome.data).items() if key in wanted}
    items = summarize(data, limit=ANSWER_FIELDS)
    return f"- {outcome.name}: " + ("; ".join(items) if items else "done")


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """Nested groups merged into one level (the first value of a repeated name wins)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        for inner, item in (_flat(value) if isinstance(value, dict) else {key: value}).items():
            flat.setdefault(inner, item)
    return flat


def cannot_do(what: Sequence[str]) -> str:
    """The honest refusal, with what can be done instead."""
    head = (
        "I cannot " + " or ".join(what) + " with this instrument's tools."
        if what
        else ("I did not recognise a microscope task in that request, so I did nothing.")
    )
    return head + " I can: " + "; ".join(CAPABILITIES) + "."


def compose(
    outcomes: Sequence[Outcome], notes: Sequence[str], failure: Outcome | None, unsupported: Sequence[str]
) -> str:
    """The final answer: what was done with its numbers, what was skipped, what failed, what cannot be done."""
    done = [o for o in outcomes if o.ok]
    lines = [f"Done ({len(done)} tool call{'s' if len(done) != 1 else ''}):" if done else "Nothing was run."]
    lines += [outcome_line(o) for o in done]
    lines += [f"Skipped: {note}." for note in notes]
    if failure is not None:
        lines.append(f"Stopped: {failure.name} failed: {failure.text.strip()}")
    if unsupported:
        lines.append("I cannot " + " or ".join(unsupported) + " with this instrument's tools.")
    return "\n".join(lines)
