"""What the planner reads back from tool results: outcomes, the latest acquisition id, feature positions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

POSITION_KEYS = (("x_nm", "y_nm"), ("x", "y"))


@dataclass(frozen=True)
class Outcome:
    """One tool call and its result, as the planner sees it."""

    name: str
    args: dict[str, Any]
    ok: bool
    data: dict[str, Any]
    text: str


def last_acquisition_id(outcomes: Sequence[Outcome]) -> str | None:
    """The id of the newest acquisition returned in this turn, if any (a denoised frame is one: what follows a
    denoise works on its result)."""
    for outcome in reversed(outcomes):
        if outcome.ok and (
            outcome.name.startswith("acquire") or outcome.name in ("list_acquisitions", "denoise_image")
        ):
            found = _acquisition_id(outcome.data)
            if found:
                return found
    return None


def _acquisition_id(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in ("acquisition_id", "acq_id", "id"):
            if isinstance(data.get(key), str):
                return str(data[key])
        for value in reversed(list(data.values())):
            found = _acquisition_id(value)
            if found:
                return found
    if isinstance(data, list) and data:
        return _acquisition_id(data[-1])
    return None


def _records(data: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside a result (depth first), the result itself included; a ``[kind, x_nm, y_nm]`` triple
    (how ``positions_nm`` lists are sent, perhaps with more numbers after it, such as a sub-lattice index) counts
    as a record too."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _records(value)
    elif _is_position_triple(data):
        yield {"kind": data[0], "x_nm": data[1], "y_nm": data[2]}
    elif isinstance(data, list):
        for item in data:
            yield from _records(item)


def _is_position_triple(data: Any) -> bool:
    return (
        isinstance(data, list | tuple)
        and len(data) >= 3
        and isinstance(data[0], str)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in data[1:])
    )


def recent_acquisitions(outcomes: Sequence[Outcome], count: int) -> list[dict[str, Any]]:
    """The results of the last ``count`` acquisitions of this turn, oldest first."""
    found = [o.data for o in outcomes if o.ok and o.name.startswith("acquire") and _acquisition_id(o.data)]
    return found[-count:]


def position(record: dict[str, Any]) -> tuple[float, float] | None:
    """The (x_nm, y_nm) FOV position a result record names, if it names one."""
    for x_key, y_key in POSITION_KEYS:
        x, y = record.get(x_key), record.get(y_key)
        if isinstance(x, int | float) and isinstance(y, int | float):
            return float(x), float(y)
    return None


def feature_position(data: dict[str, Any], kinds: Sequence[str], fallback: bool = True) -> tuple[float, float] | None:
    """The position of the first located feature whose kind/type/label mentions one of ``kinds``; else (with
    ``fallback``) of the first located feature."""
    located = [r for r in _records(data) if position(r) is not None and r is not data]
    for record in located:
        label = " ".join(str(record.get(k, "")) for k in ("kind", "type", "label", "element", "species")).lower()
        if any(kind in label for kind in kinds):
            return position(record)
    return position(located[0]) if located and fallback else None


def current_fov_nm(outcomes: Sequence[Outcome]) -> float | None:
    """The field of view (STEM ``fov_nm``, AFM scan ``size_nm``) of the newest result in this turn that names one."""
    for outcome in reversed(outcomes):
        data = _newest_listed(outcome.data) if outcome.name == "list_acquisitions" else outcome.data
        for record in _records(data) if outcome.ok else ():
            for key in ("fov_nm", "size_nm"):
                if isinstance(record.get(key), int | float):
                    return float(record[key])
    return None


def _newest_listed(data: dict[str, Any]) -> Any:
    """The newest entry of an acquisition listing (the one ``latest_acquisition_id`` names, else the last)."""
    entries = next((v for v in data.values() if isinstance(v, list)), [])
    latest = data.get("latest_acquisition_id")
    named = [e for e in entries if isinstance(e, dict) and latest is not None and e.get("id") == latest]
    return named[-1] if named else (entries[-1] if entries else {})
