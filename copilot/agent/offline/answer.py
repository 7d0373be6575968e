"""Write the planner's final answer from the tool outcomes: only numbers the tools returned, with their units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.clauses import Constraint
from copilot.agent.offline.figures import has_headline
from copilot.agent.offline.outcomes import Outcome
from copilot.agent.summary import summarize

ANSWER_FIELDS = 40
"""The answer lists more of each result than the terminal's one-line summaries."""
DERIVED_KEYS = {"pixel_size_nm", "frame_time_s", "specimen", "instrument"}
"""Reported after a setting besides the arguments themselves."""
ACQUISITION_KEYS = {
    "id",
    "detector",
    "spectrum_kind",
    "fov_nm",
    "size_nm",
    "pixels",
    "pixel_size_nm",
    "x_nm",
    "y_nm",
    "dwell_ms",
    "live_time_s",
    "dose_e_per_A2",
    "frame_time_s",
    "trace_retrace_rms_nm",
    "events",
    "tip_double",
    "adhesion_nN",
    "snap_in_nm",
}
"""What an acquisition line reports: the record a microscopist writes down (statistics stay in the tool output)."""
RECORD_KEYS = {key.lower() for key in ACQUISITION_KEYS}
CAPABILITIES = (
    "load a specimen (list_specimens shows them)",
    "set the field of view, pixels, dwell, defocus, beam energy and current",
    "acquire HAADF or BF images, autofocus",
    "find atoms or defects, measure the lattice, count and size particles",
    "take an EELS/EDS spectrum at a point or at a found feature",
    "survey at low dose and zoom into the most interesting region",
    "AFM: approach, image, roughness, step height, grating pitch, force curves, tip checks",
)


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """Nested groups merged into one level (the first value of a repeated name wins)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        for inner, item in (_flat(value) if isinstance(value, dict) else {key: value}).items():
            flat.setdefault(inner, item)
    return flat


def cannot_do(what: Sequence[str], unmapped: Sequence[str] = (), constraints: Sequence[Constraint] = ()) -> str:
    """The honest refusal, with what was understood (the constraints), what was not, and what can be done."""
    kept = [c.said for c in constraints]
    if kept and not what and not unmapped:
        return (
            "Understood: "
            + "; ".join(kept)
            + ". That asks for nothing to be done, so I ran nothing. I can: "
            + "; ".join(CAPABILITIES)
            + "."
        )
    understood = f" I understood: {'; '.join(kept)}." if kept else ""
    if unmapped and not what:
        return (
            "I did not understand "
            + " or ".join(unmapped)
            + ", so I did nothing."
            + understood
            + " I can: "
            + "; ".join(CAPABILITIES)
            + "."
        )
    head = (
        "I cannot " + " or ".join(what) + " with this instrument's tools."
        if what
        else ("I did not recognise a microscope task in that request, so I did nothing.")
    )
    return head + understood + " I can: " + "; ".join(CAPABILITIES) + "."


def compose(
    outcomes: Sequence[Outcome],
    notes: Sequence[str],
    failure: Outcome | None,
    unsupported: Sequence[str],
    recovered: Sequence[str] = (),
    unmapped: Sequence[str] = (),
    kept: Sequence[str] = (),
) -> str:
    """The final answer in short sentences: what was done with its numbers, faults recovered on the way, the
    limits kept, what was left out and why, what failed, what was not understood or cannot be done, and what may
    come next. An answer that ran nothing says what can be done instead. The full tool log stays in the steps."""
    done = [o for o in outcomes if o.ok]
    loaded = any(o.name == "load_specimen" for o in done)  # the list only fed the choice: not repeated
    lines = [line for line in (sentence(o) for o in done if not (loaded and o.name == "list_specimens")) if line]
    lines += [f"Recovered: {line}." for line in recovered]
    lines += [f"Kept: {line}." for line in kept]
    lines += [f"Skipped: {note}." for note in notes]
    if failure is not None:
        lines.append(f"Stopped: {failure.name} failed: {failure.text.strip()}")
    if unsupported:
        lines.append("I cannot " + " or ".join(unsupported) + " with this instrument's tools.")
    lines += [f"Not done: I did not understand {what}." for what in unmapped]
    if not done and failure is None and not unsupported:
        lines.insert(0, "Nothing was run.")
        lines.append("I can: " + "; ".join(CAPABILITIES) + ".")
    elif hint := next_hint(done, failure):
        lines.append(hint)
    return "\n".join(lines)


SETTING_VERBS = {
    "set_scan": "Scan set:",
    "set_beam": "Beam set:",
    "set_optics": "Optics set:",
    "set_feedback": "Feedback set:",
    "set_afm_scan": "AFM scan set:",
    "move_stage": "Stage moved:",
    "load_specimen": "Loaded:",
}
QUIET = {"list_acquisitions", "autofocus"}
"""Tools that only feed the plan or whose outcome the warnings give: no sentence of their own."""


def sentence(outcome: Outcome) -> str | None:
    """One sentence for a successful call: a setting with what follows from it, an acquisition with its record,
    another result with its first figures (no list dumps)."""
    if outcome.name in QUIET or (has_headline(outcome) and not outcome.name.startswith("acquire")):
        return None  # the headline gives its figures
    if outcome.name == "list_specimens":
        items = next((v for v in outcome.data.values() if isinstance(v, list)), [])
        names = [str(i.get("name") if isinstance(i, dict) else i) for i in items]
        return f"Specimens available: {', '.join(names)}." if names else "No specimens are listed."
    if outcome.name == "get_status":
        ordered: dict[str, Any] = {k: outcome.data[k] for k in ("specimen", "seed", "dose") if k in outcome.data}
        items = summarize({**ordered, **(outcome.data.get("settings") or {})}, limit=24)
        return f"Status: {', '.join(items)}."
    items = [item for item in _items(outcome) if not item.endswith(" entries")][:8]
    if outcome.name in SETTING_VERBS:
        return f"{SETTING_VERBS[outcome.name]} {', '.join(items) or 'done'}."
    if outcome.name.startswith("acquire"):
        kind = outcome.data.get("detector") or outcome.data.get("spectrum_kind") or ""
        what = outcome.name.removeprefix("acquire_").replace("_", " ")
        return _upper_first(f"{kind} {what} recorded{': ' if items else ''}{', '.join(items)}.".strip())
    return _upper_first(f"{outcome.name.replace('_', ' ')}: {', '.join(items) or 'done'}.")


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _items(outcome: Outcome) -> list[str]:
    data = outcome.data
    if outcome.name in SETTING_VERBS:
        wanted = set(outcome.args) | DERIVED_KEYS
        data = {key: value for key, value in _flat(outcome.data).items() if key in wanted}
    elif outcome.name.startswith("acquire"):
        data = {key: value for key, value in outcome.data.items() if key.lower() in RECORD_KEYS and value != []}
        data = {key: value for key, value in data.items() if key not in ("detector", "spectrum_kind")}
    return summarize(data, limit=ANSWER_FIELDS)


NEXT: tuple[tuple[tuple[str, ...], str], ...] = (
    (("find_atoms",), "You may want to measure the lattice or look for defects in the same image next."),
    (("measure_lattice", "compute_fft"), "You may want to count the atoms or look for defects in the same image next."),
    (("detect_defects",), "You may want an EELS spectrum on one of the defects to identify it next."),
    (("segment_particles",), "You may want to zoom on the largest particle next."),
    (("acquire_image",), "You may want to count the atoms, measure the lattice or look for defects in it next."),
    (("acquire_spectrum",), "You may want to identify the elements in this spectrum next."),
    (("acquire_afm_image",), "You may want the roughness, a step height or a tip check of this image next."),
    (("autofocus",), "You may want to take an image now that the probe is focused."),
    (("set_scan", "set_beam", "set_optics", "move_stage", "load_specimen"), "You may want to take an image next."),
)
"""What a microscopist usually does after the last tool of an answer."""


def next_hint(done: Sequence[Outcome], failure: Outcome | None) -> str | None:
    """What the user may want next, from the last tool that ran (nothing after a failure: its message says)."""
    if failure is not None or not done:
        return None
    if done[-1].data.get("success") is False:
        return "You may want to move to an area with structure, or raise the dose per frame, and autofocus again."
    last = done[-1].name
    return next((hint for tools, hint in NEXT if last in tools), None)
