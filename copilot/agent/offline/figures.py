"""The figures a request is after, first in the answer: per measuring tool, its labelled values with their
uncertainty when the tool gives one, a warning when it says its result is not reliable, and no figure from a
routine that says it failed (an autofocus with ``success: false`` found no best focus)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.agent.offline.outcomes import Outcome
from copilot.agent.summary import format_number, summarize

UNCERTAINTY_WORDS = ("uncertainty", "err", "sigma", "ci", "std")
"""``a_nm`` has the uncertainty ``a_uncertainty_nm`` / ``a_err_nm`` / ``a_std_nm`` / ``a_nm_std``..., in this order
of preference: a tool's stated uncertainty of the value before the spread of what it averaged."""


HEADLINES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "measure_lattice": (("Lattice constant a", "a_nm", "nm"), ("b", "b_nm", "nm"), ("gamma", "gamma_deg", "°")),
    "compute_fft": (("Strongest FFT d-spacing", "d_spacings_nm[0]", "nm"), ("first-order", "first_order_d_nm", "nm")),
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
    "measure_edge_onset": (
        ("Edge onset", "onset_eV", "eV"),
        ("tabulated", "tabulated_onset_eV", "eV"),
        ("shift", "shift_eV", "eV"),
    ),
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
    newest = {o.name: o for o in outcomes if o.ok and o.data.get("success") is not False}
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


def has_headline(outcome: Outcome) -> bool:
    """Whether the headline gives a figure of this result (else the answer gives its fields)."""
    fields = HEADLINES.get(outcome.name, ())
    return outcome.data.get("success") is not False and any(_figure(outcome.data, *field) for field in fields)


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
        spread = uncertainty(data, name)
        plus = f" ± {format_number(spread)}" if spread is not None else ""
        return f"{label} {format_number(value)}{plus}{' ' + unit if unit else ''}".replace(" °", "°")
    return ""


def uncertainty(data: dict[str, Any], key: str) -> float | None:
    """The uncertainty a result gives for its field ``key`` (see ``UNCERTAINTY_WORDS``), if any."""
    stem, _, unit = key.rpartition("_")
    names = [f"{stem}_{word}_{unit}" for word in UNCERTAINTY_WORDS] if stem else []
    names += [f"{key}_{word}" for word in UNCERTAINTY_WORDS]
    lowered = {k.lower(): v for k, v in data.items()}
    nested = data.get("uncertainty") or data.get("uncertainties")
    found = [lowered.get(name.lower()) for name in names]
    if isinstance(nested, dict):
        found.append(nested.get(key))
    return next((float(v) for v in found if isinstance(v, int | float) and not isinstance(v, bool)), None)


def warnings(outcomes: Sequence[Outcome]) -> list[str]:
    """A warning per result that says it is not reliable, and per routine that says it failed."""
    lines = []
    for outcome in (o for o in outcomes if o.ok):
        data = outcome.data
        if data.get("reliable") is False:
            note = data.get("reliability_note") or "the tool gives no reason"
            lines.append(f"Warning: the {outcome.name} result is not reliable: {note}.")
        if data.get("success") is False:
            why = data.get("message") or "it gives no reason"
            focus = data.get("defocus_nm")
            kept = f" The defocus stays at {format_number(focus)} nm." if isinstance(focus, int | float) else ""
            lines.append(f"{outcome.name} failed: {str(why).rstrip('.')}.{kept}")
    return lines
