"""Short, unit-aware summaries of tool results: ``label value unit`` for each scalar field, as the tool gave it."""

from __future__ import annotations

import re
from typing import Any

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
    ("_mrad", "mrad"),
    ("_nn", "nN"),
    ("_hz", "Hz"),
    ("_percent", "%"),
    ("_pct", "%"),
)
RATE = re.compile(r"^(.+?)_([a-zA-Z]+)_per_([a-zA-Z0-9]+)$")
"""``drift_nm_per_min`` -> ("drift", "nm/min")."""
UNIT_TOKENS = {"nm", "um", "pm", "mm", "e", "s", "ms", "us", "deg", "nN", "pN", "V", "mV", "Hz", "counts", "eV"}
UNIT_WORDS = {"um": "µm", "us": "µs", "A2": "Å²", "deg": "°"}
MAX_FIELDS = 14
SKIP_KEYS = {"uri", "resource_uri", "png", "preview_path", "image"}


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
    rate = RATE.match(key)
    if rate and not key.lower().endswith("_e_per_a2"):
        label, numerator, denominator = rate.groups()
        per = UNIT_WORDS.get(denominator, denominator)
        if numerator in UNIT_TOKENS:
            return label.replace("_", " "), f"{UNIT_WORDS.get(numerator, numerator)}/{per}"
        return f"{label} {numerator}".replace("_", " "), f"/{per}"
    for suffix, unit in UNIT_SUFFIXES:
        if key.lower().endswith(suffix.lower()) and len(key) > len(suffix):
            return key[: -len(suffix)].replace("_", " "), unit
    return key.replace("_", " "), ""


def summarize(data: dict[str, Any], limit: int = MAX_FIELDS) -> list[str]:
    """``label value unit`` items for the scalar fields of a result, nested groups included (``statistics``,
    ``settings``); short lists of numbers or names are shown whole, longer lists by their length."""
    items: list[str] = []
    for key, value in data.items():
        if len(items) >= limit:
            break
        if key in SKIP_KEYS or key.endswith("_uri") or key.endswith("_path") or value is None:
            continue
        label, unit = label_and_unit(key)
        suffix = f" {unit}" if unit else ""
        if isinstance(value, bool | int | float):
            items.append(f"{label} {format_number(value)}{suffix}")
        elif isinstance(value, str) and len(value) <= 40:
            items.append(f"{label} {value}")
        elif isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
            items.append(f"{label}: {', '.join(str(v['name']) for v in value)}")
        elif isinstance(value, list) and len(value) <= 6 and all(isinstance(v, int | float | str) for v in value):
            shown = ", ".join(v if isinstance(v, str) else format_number(v) for v in value)
            items.append(f"{label} [{shown}]{suffix}")
        elif isinstance(value, list):
            items.append(f"{label}: {len(value)} entries")
        elif isinstance(value, dict):
            items += summarize(value, limit - len(items))
    return items
