"""Turning twin results into store records: JSON-friendly metadata, image statistics, journal summaries."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from copilot.store.acquisition import Acquisition


def result_fields(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Non-array fields of a twin result (dataclass or plain object) as a dict.

    Ground truth (``ground_truth*`` fields) never leaves the process through the store or a tool.
    """
    names = [f.name for f in dataclasses.fields(obj)] if dataclasses.is_dataclass(obj) else list(vars(obj))
    return {
        k: plain(getattr(obj, k))
        for k in names
        if k not in skip and not k.startswith("ground_truth") and not isinstance(getattr(obj, k), np.ndarray)
    }


def plain(value: Any) -> Any:
    """JSON-friendly copy: small nested arrays become lists, large ones a shape note, numpy scalars Python ones."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist() if value.size <= 1024 else f"<array shape={list(value.shape)}>"
    if isinstance(value, np.generic):
        return value.item()
    return value


def image_statistics(arr: np.ndarray) -> dict[str, float]:
    """Minimum, maximum, mean and standard deviation of an image (float64 accumulation)."""
    a = np.asarray(arr)
    mean = float(a.mean(dtype=np.float64))
    return {"min": float(a.min()), "max": float(a.max()), "mean": mean, "std": float(a.std(dtype=np.float64))}


def acquisition_summary(acq: Acquisition) -> dict[str, Any]:
    """The journal's short result of an acquisition: id, kind and dose."""
    return {"id": acq.id, "kind": acq.kind, "dose_e_per_A2": acq.metadata.get("dose_e_per_A2")}


def short_result(value: Any, *, depth: int = 3, max_items: int = 8, max_chars: int = 200) -> Any:
    """A journal-sized copy of a tool's structured result.

    Scalars stay; strings are cut to ``max_chars``; lists of up to ``max_items`` scalars stay and longer or nested
    lists become ``"<N items>"``; mappings lose their null fields and are followed ``depth`` levels deep (deeper
    ones become ``"<N keys>"``).
    """
    if isinstance(value, Mapping):
        if depth <= 0:
            return f"<{len(value)} keys>"
        return {
            str(k): short_result(v, depth=depth - 1, max_items=max_items, max_chars=max_chars)
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value)
        if len(items) <= max_items and all(_is_scalar(v) for v in items):
            return [short_result(v, max_chars=max_chars) for v in items]
        return f"<{len(items)} items>"
    if isinstance(value, str):
        return value if len(value) <= max_chars else value[: max_chars - 3] + "..."
    return plain(value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str, np.generic))
