"""One-line summaries of tool steps: the tool's name, its key arguments and the numbers it returned.

A step in the chat shows as ``acquire_image · fov_nm=20, dwell_us=2 → id=a0003, dose_e_per_A2=1.2e+03``; the
full arguments and result sit one click away in the step's details.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from copilot.agent.events import ToolCall, ToolResult

MAX_ARGS = 4
MAX_NUMBERS = 5
MAX_TEXT_CHARS = 32
MAX_ERROR_CHARS = 120
# Keys of a result that identify what was made, shown before the other numbers.
_ID_KEYS = ("id", "acquisition_id", "acq_id")


def format_value(value: Any) -> str:
    """A compact human form of a scalar: 3 significant figures for floats, strings cut to a short length."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:.4g}"
    return clip(str(value), MAX_TEXT_CHARS)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Scalar leaves of nested dicts as ``(dotted.key, value)``; lists and arrays are left out."""
    leaves: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            leaves.extend(_flatten(value, prefix=f"{name}."))
        elif _is_scalar(value) and value is not None:
            leaves.append((name, value))
    return leaves


def key_arguments(args: Mapping[str, Any], limit: int = MAX_ARGS) -> str:
    """The first few scalar arguments as ``name=value``, comma-separated ("" when there are none)."""
    parts = [f"{name}={format_value(value)}" for name, value in _flatten(args)[:limit]]
    hidden = len(_flatten(args)) - len(parts)
    if hidden > 0:
        parts.append(f"+{hidden} more")
    return ", ".join(parts)


def result_numbers(data: Mapping[str, Any], limit: int = MAX_NUMBERS) -> str:
    """Identifiers first, then numeric results (with their unit-bearing names), comma-separated."""
    leaves = _flatten(data)
    ids = [(k, v) for k, v in leaves if k.rsplit(".", 1)[-1] in _ID_KEYS]
    numbers = [(k, v) for k, v in leaves if isinstance(v, int | float) and not isinstance(v, bool)]
    chosen = (ids + [kv for kv in numbers if kv not in ids])[:limit]
    return ", ".join(f"{key.rsplit('.', 1)[-1]}={format_value(value)}" for key, value in chosen)


def describe_call(call: ToolCall) -> str:
    """``name · key arguments``."""
    args = key_arguments(call.args)
    return f"{call.name} · {args}" if args else call.name


def describe_step(call: ToolCall, result: ToolResult | None) -> str:
    """The label of a step: the call, and once it finished its numbers or its error."""
    label = describe_call(call)
    if result is None:
        return f"{label} …"
    if not result.ok:
        message = str(result.data.get("error") or result.text or "failed")
        return f"{label} → error: {clip(message, MAX_ERROR_CHARS)}"
    numbers = result_numbers(result.data)
    return f"{label} → {numbers}" if numbers else label
