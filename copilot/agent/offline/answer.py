"""Write the planner's final answer from the tool outcomes: only numbers the tools returned, with their units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.clauses import Constraint
from copilot.agent.offline.outcomes import Outcome
from copilot.agent.summary import format_number, summarize

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


def outcome_line(outcome: Outcome) -> str:
    """One line per successful tool call; a setting reports only what was set (and what follows from it), an
    acquisition its record (``ACQUISITION_KEYS``)."""
    data = outcome.data
    if outcome.name.startswith("set_") or outcome.name in ("move_stage", "load_specimen"):
        wanted = set(outcome.args) | DERIVED_KEYS
        data = {key: value for key, value in _flat(outcome.data).items() if key in wanted}
    elif outcome.name.startswith("acquire"):
        data = {key: value for key, value in outcome.data.items() if key.lower() in RECORD_KEYS and value != []}
    items = summarize(data, limit=ANSWER_FIELDS)
    return f"- {outcome.name}: " + ("; ".join(items) if items else "done")


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
) -> str:
    """The final answer: what was done with its numbers, faults recovered on the way, what was skipped, what failed,
    what was not understood, what cannot be done. An answer that ran nothing says what can be done instead."""
    done = [o for o in outcomes if o.ok]
    lines = [f"Done ({len(done)} tool call{'s' if len(done) != 1 else ''}):" if done else "Nothing was run."]
    lines += [outcome_line(o) for o in done]
    lines += [f"Recovered: {line}." for line in recovered]
    lines += [f"Skipped: {note}." for note in notes]
    if failure is not None:
        lines.append(f"Stopped: {failure.name} failed: {failure.text.strip()}")
    if unsupported:
        lines.append("I cannot " + " or ".join(unsupported) + " with this instrument's tools.")
    lines += [f"Not done: I did not understand {what}." for what in unmapped]
    if not done and failure is None and not unsupported:
        lines.append("I can: " + "; ".join(CAPABILITIES) + ".")
    return "\n".join(lines)


HEADLINES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "measure_lattice": (("Lattice constant a", "a_nm", "nm"), ("b", "b_nm", "nm"), ("gamma", "gamma_deg", "°")),
    "compute_fft": (("Strongest FFT d-spacing", "d_spacings_nm[0]", "nm"),),
    "find_atoms": (("Atomic columns found", "atom_count", ""),),
    "segment_particles": (
        ("Particles", "particle_count", ""),
        ("mean diameter", "mean_diameter_nm", "nm"),
        ("std", "std_diameter_nm", "nm"),
    ),
    "detect_defects": (("Vacancies", "vacancies", ""), ("substitutions", "substitutions", "")),
    "roughness": (("RMS roughness Rq", "Rq_nm", "nm"), ("Ra", "Ra_nm", "nm")),
    "step_height": (("Step height", "step_nm", "nm"),),
    "grating_pitch": (("Grating pitch", "pitch_nm", "nm"), ("line depth", "depth_nm", "nm")),
    "domain_fraction": (("Minority phase area fraction", "fractions[min]", ""),),
    "plane_level": (("Height range after levelling (the tallest feature)", "range_nm", "nm"),),
    "estimate_drift": (("Drift rate", "rate_nm_per_s", "nm/s"),),
    "identify_elements": (("Elements present", "present", ""),),
    "focus_quality": (("Sharpness", "sharpness", ""),),
    "autofocus": (("Best focus at defocus", "defocus_nm", "nm"),),
    "tip_artifact_check": (("Double tip", "double_tip", ""),),
    "change_tip": (("After the tip change: double tip", "double_tip", ""), ("tip radius", "radius_nm", "nm")),
    "acquire_spectrum": (("Spectrum recorded at x", "x_nm", "nm"), ("y", "y_nm", "nm")),
    "acquire_force_curve": (("Adhesion (pull-off force)", "adhesion_nN", "nN"), ("snap-in", "snap_in_nm", "nm")),
}
"""The figures a request is after, per tool, as (label, field, unit): they lead the answer."""


def headline(outcomes: Sequence[Outcome]) -> list[str]:
    """The requested figures first, one line per measuring tool (its newest result), as the tools gave them."""
    lines = []
    newest = {o.name: o for o in outcomes if o.ok}
    for tool, fields in HEADLINES.items():
        if tool not in newest:
            continue
        parts = [_figure(newest[tool].data, *field) for field in fields]
        shown = [part for part in parts if part]
        if shown:
            lines.append(", ".join(shown) + ".")
    tuned = [o for o in outcomes if o.ok and o.name == "set_feedback"]
    image = newest.get("acquire_afm_image")
    if tuned and image and isinstance(image.data.get("trace_retrace_rms_nm"), int | float):
        gains = "; ".join(summarize(tuned[-1].args))
        rms = format_number(float(image.data["trace_retrace_rms_nm"]))
        lines.append(f"Trace-retrace mismatch {rms} nm with feedback {gains}.")
    return lines


def _figure(data: dict[str, Any], label: str, key: str, unit: str) -> str:
    name, _, index = key.partition("[")
    value = next((v for k, v in data.items() if k.lower() == name.lower()), None)
    if index and isinstance(value, list) and value:
        value = min(value) if index == "min]" else value[int(index.rstrip("]"))]
    if isinstance(value, list):
        return f"{label}: {', '.join(str(v) for v in value)}" if value else f"{label}: none"
    if isinstance(value, bool):
        return f"{label}: {'yes' if value else 'no'}"
    if isinstance(value, int | float):
        return f"{label} {format_number(value)}{' ' + unit if unit else ''}".replace(" °", "°")
    return ""
