"""Vega-Lite chart specs: spectra with element edges marked, and AFM trace/retrace line profiles.

Specs are plain dicts (with the data inline) so they are tested without a browser and drawn with
``st.vega_lite_chart(spec=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

MAX_POINTS = 2000  # a chart with more points is decimated (by taking every n-th) before it is sent to the browser


def _decimate(n_points: int) -> slice:
    step = max(1, -(-n_points // MAX_POINTS))
    return slice(None, None, step)


def spectrum_spec(
    energy: Sequence[float] | np.ndarray,
    counts: Sequence[float] | np.ndarray,
    edges: Mapping[str, float] | None = None,
    *,
    energy_unit: str = "eV",
    title: str = "",
) -> dict[str, Any]:
    """A line chart of counts against energy, with a labelled vertical rule at each edge inside the range."""
    x = np.asarray(energy, dtype=np.float64)
    y = np.asarray(counts, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(
            f"energy and counts must be 1-D of the same length >= 2, got {x.shape} and {y.shape}; "
            "pass the spectrum's energy axis and its counts"
        )
    keep = _decimate(x.size)
    x_title = f"energy ({energy_unit})"
    points = [{"energy": float(e), "counts": float(c)} for e, c in zip(x[keep], y[keep], strict=True)]
    low, high = float(np.min(x)), float(np.max(x))
    rules = [
        {"energy": float(position), "label": name}
        for name, position in (edges or {}).items()
        if low <= float(position) <= high
    ]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": points},
            "mark": {"type": "line", "strokeWidth": 1},
            "encoding": {
                "x": {"field": "energy", "type": "quantitative", "title": x_title},
                "y": {"field": "counts", "type": "quantitative", "title": "counts"},
            },
        }
    ]
    if rules:
        layers += [
            {
                "data": {"values": rules},
                "mark": {"type": "rule", "color": "#d62728", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "energy", "type": "quantitative"}},
            },
            {
                "data": {"values": rules},
                "mark": {"type": "text", "color": "#d62728", "align": "left", "dx": 3, "dy": -4, "y": 8},
                "encoding": {"x": {"field": "energy", "type": "quantitative"}, "text": {"field": "label"}},
            },
        ]
    spec: dict[str, Any] = {"layer": layers, "height": 220}
    if title:
        spec["title"] = title
    return spec


def line_profile_spec(
    position_nm: Sequence[float] | np.ndarray,
    series: Mapping[str, Sequence[float] | np.ndarray],
    *,
    value_title: str = "height (nm)",
    title: str = "",
) -> dict[str, Any]:
    """Several profiles along one line (e.g. trace and retrace) as coloured lines against position in nm."""
    x = np.asarray(position_nm, dtype=np.float64)
    keep = _decimate(x.size)
    points: list[dict[str, Any]] = []
    for name, values in series.items():
        y = np.asarray(values, dtype=np.float64)
        if y.shape != x.shape:
            raise ValueError(f"profile {name!r} has shape {y.shape}, the position axis {x.shape}; they must match")
        points += [
            {"position": float(p), "value": float(v), "profile": name} for p, v in zip(x[keep], y[keep], strict=True)
        ]
    spec: dict[str, Any] = {
        "data": {"values": points},
        "mark": {"type": "line", "strokeWidth": 1},
        "encoding": {
            "x": {"field": "position", "type": "quantitative", "title": "position (nm)"},
            "y": {"field": "value", "type": "quantitative", "title": value_title},
            "color": {"field": "profile", "type": "nominal", "title": None},
        },
        "height": 180,
    }
    if title:
        spec["title"] = title
    return spec
