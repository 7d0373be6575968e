"""Short, unit-aware summaries of tool results: ``label value unit`` for each scalar field, as the tool gave it."""

from __future__ import annotations

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
    ("_nn", "nN"),
    ("_hz", "Hz"),
    ("_percent", "%"),
    ("_pct", "%"),
)
MAX_FIELDS = 10
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
