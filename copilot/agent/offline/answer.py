"""Write the planner's final answer from the tool outcomes: only numbers the tools returned, with their units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.outcomes import Outcome

UNIT_SUFFIXES = (
    ("_e_per_A2", "e⁻/Å²"),
    ("_nm2", "nm²"),
    ("_nm", "nm"),
    ("_pm", "pm"),
    ("_um", "µm"),
    ("_us", "µs"),
    ("_ms", "ms"),
    ("_s", "s"),
    ("_kv", "kV"),
    ("_pa", "pA"),
    ("_ev", "eV"),
    ("_kev", "keV"),
    ("_deg", "°"),
    ("_nn", "nN"),
    ("_hz", "Hz"),
    ("_percent", "%"),
    ("_pct", "%"),
)
MAX_FIELDS = 10
SKIP_KEYS = {"uri", "resource_uri", "png", "preview_path", "image"}
CAPABILITIES = (
    "load a specimen (list_specimens shows them)",
    "set the field of view, pixels, dwell, defocus, beam energy and current",
    "acquire HAADF/ABF/BF images, autofocus",
    "find atoms or defects, measure the lattice, count and size particles",
    "take an EELS/EDS spectrum at a point or at a found feature",
    "survey at low dose and zoom into the most interesting region",
    "AFM: approach, image, roughness, step height, grating pitch, force curves, tip checks",
)


def format_number(value: float) -> str:
    """Four significant digits, as the tool reported it (integers stay whole)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:.0f}"
    return f"{value:.4g}"


def label_and_unit(key: str) -> tuple[str, str]:
    """``"pixel_size_nm"`` -> ``("pixel size", "nm")``; ``"n_atoms"`` -> ``("number of atoms", "")``."""
    if key.startswith("n_"):
        key = "number_of_" + key[2:]
    for suffix, unit in UNIT_SUFFIXES:
        if key.lower().endswith(suffix.lower()) and len(key) > len(suffix):
            return key[: -len(suffix)].replace("_", " "), unit
    return key.replace("_", " "), ""


def summarize(data: dict[str, Any], prefix: str = "") -> list[str]:
    """``label value unit`` items for the scalar fields of a result; lists are reported by their length."""
    items: list[str] = []
    for key, value in data.items():
        if key in SKIP_KEYS or key.endswith("_uri") or key.endswith("_path"):
            continue
        label, unit = label_and_unit(prefix + key)
        if isinstance(value, bool | int | float):
            items.append(f"{label} {format_number(value)}{(' ' + unit) if unit else ''}")
        elif isinstance(value, str) and len(value) <= 40:
            items.append(f"{label} {value}")
        elif isinstance(value, list):
            items.append(f"{label}: {len(value)}")
        elif isinstance(value, dict) and not prefix:
            items += summarize(value, prefix=f"{key}_")
    return items[:MAX_FIELDS]


def outcome_line(outcome: Outcome) -> str:
    """One line per successful tool call."""
    items = summarize(outcome.data)
    return f"- {outcome.name}: " + ("; ".join(items) if items else "done")


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
