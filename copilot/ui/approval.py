"""The words of an approval card: what the microscope wants to do, why it asks (the figures with their units)
and the safe setting it could use instead.

A request is a dict from ``ApprovalNeeded.requests``: ``call_id``, ``name``, ``args`` and ``reason`` always;
``message`` (a plain sentence), ``figures`` (numbers with units in their key names, e.g.
``dose_would_reach_e_per_A2``) and ``safe_alternative`` (tool arguments, or None) when the server gives them.
No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from copilot.ui.summaries import format_value

# Unit suffixes of key names, longest first, and how a person writes them.
UNITS = (
    ("_e_per_A2_per_s", "e⁻/Å²/s"),
    ("_e_per_A2", "e⁻/Å²"),
    ("_e_per_nm2", "e⁻/nm²"),
    ("_mrad", "mrad"),
    ("_deg", "°"),
    ("_kv", "kV"),
    ("_kV", "kV"),
    ("_pA", "pA"),
    ("_pa", "pA"),
    ("_nN", "nN"),
    ("_eV", "eV"),
    ("_um", "µm"),
    ("_nm", "nm"),
    ("_pm", "pm"),
    ("_us", "µs"),
    ("_ms", "ms"),
    ("_s", "s"),
    ("_px", "px"),
)
HIDDEN_ARGS = ("approved",)  # the approval flag itself is not something a person chose


def split_unit(key: str) -> tuple[str, str]:
    """``dwell_us`` -> ("dwell", "µs"); a key without a known unit keeps its name and no unit."""
    for suffix, unit in UNITS:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)], unit
    return key, ""


def quantity(key: str, value: Any) -> tuple[str, str]:
    """A key and its value as (words, value with unit): ``("dose would reach", "1.2e+04 e⁻/Å²")``."""
    name, unit = split_unit(key)
    text = format_value(value) if not isinstance(value, list | tuple) else ", ".join(map(format_value, value))
    return name.replace("_", " "), f"{text} {unit}".strip()


def describe_args(args: Mapping[str, Any]) -> str:
    """Tool arguments in words: ``dwell 2 µs, FOV 20 nm``."""
    parts = []
    for key, value in args.items():
        if key in HIDDEN_ARGS or isinstance(value, Mapping) or value is None:
            continue
        name, text = quantity(key, value)
        parts.append(f"{name} {text}")
    return ", ".join(parts)


def what(request: Mapping[str, Any]) -> str:
    """The plain sentence of the request, or one made from the tool's name and arguments."""
    message = str(request.get("message") or "").strip()
    if message:
        return message
    name = str(request.get("name") or "an action").replace("_", " ")
    args = describe_args(request.get("args") or {})
    return f"Run {name}" + (f" ({args})." if args else ".")


def why(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The figures behind the request as rows of (what, value with unit), in the server's order."""
    figures = request.get("figures")
    if not isinstance(figures, Mapping):
        return []
    return [quantity(key, value) for key, value in figures.items() if isinstance(value, int | float | str)]


def reason(request: Mapping[str, Any]) -> str:
    """The short reason, when there is no plain message (it repeats the call otherwise)."""
    return "" if request.get("message") else str(request.get("reason") or "").strip()


def safer_option(request: Mapping[str, Any]) -> str:
    """What to do instead, in words: the safe alternative's arguments, or the safe limits among the figures."""
    alternative = request.get("safe_alternative")
    if isinstance(alternative, Mapping) and alternative:
        return f"{str(request.get('name') or 'the action').replace('_', ' ')} with {describe_args(alternative)}"
    safe = [quantity(k, v) for k, v in (request.get("figures") or {}).items() if "safe" in k or "max" in k]
    return ", ".join(f"{name} {value}" for name, value in safe)


def safe_prompt(request: Mapping[str, Any]) -> str:
    """A request the person can send to run the safe setting after rejecting the risky one."""
    option = safer_option(request)
    return f"Use the safe setting instead: {option}." if option else ""
