"""Vega-Lite chart specs: spectra with element edges marked, and AFM trace/retrace line profiles.

Specs are plain dicts (with the data inline) so they are tested without a browser and drawn with
``st.vega_lite_chart(spec=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

LABEL_GAP_FRACTION = 0.08  # labels on one row are at least this fraction of the energy axis apart
LABEL_TOP_PX = 12
LABEL_ROW_PX = 14
MAX_POINTS = 2000  # a chart with more points is decimated (by taking every n-th) before it is sent to the browser


def _decimate(n_points: int) -> slice:
    step = max(1, -(-n_points // MAX_POINTS))
    return slice(None, None, step)


def label_rows(energies: Sequence[float], span: float, gap_fraction: float = LABEL_GAP_FRACTION) -> list[int]:
    """A text row for each edge label (in the order given, sorted by energy) so that labels on one row are at
    least ``gap_fraction`` of the axis apart: close edges go on the next row down instead of overlapping.

    >>> label_rows([284.0, 285.0, 401.0, 456.0, 462.0], span=500.0)
    [0, 1, 0, 0, 1]
    """
    last: list[float] = []  # the energy of the last label placed on each row
    rows = []
    for energy in energies:
        row = next((i for i, x in enumerate(last) if energy - x >= gap_fraction * span), len(last))
        if row == len(last):
            last.append(energy)
        last[row] = energy
        rows.append(row)
    return rows


def spectrum_spec(
    energy: Sequence[float] | np.ndarray,
    counts: Sequence[float] | np.ndarray,
    edges: Mapping[str, float] | None = None,
    *,
    energy_unit: str = "eV",
    title: str = "",
    zero_loss_below: float | None = None,
) -> dict[str, Any]:
    """Counts against energy on a log scale (so a zero-loss peak does not flatten the edges), with a labelled
    rule at each edge inside the range, labels staggered in rows so they never overlap.

    ``zero_loss_below``: an EELS spectrum's zero-loss region ends here (eV); a checkbox under the chart hides it
    (ticked at first), in the browser, without a rerun.
    """
    x = np.asarray(energy, dtype=np.float64)
    y = np.asarray(counts, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(
            f"energy and counts must be 1-D of the same length >= 2, got {x.shape} and {y.shape}; "
            "pass the spectrum's energy axis and its counts"
        )
    keep = _decimate(x.size)
    floor = max(float(np.min(y[y > 0])) if np.any(y > 0) else 1.0, 1e-3) / 2  # log scale: no zero counts
    points = [{"energy": float(e), "counts": max(float(c), floor)} for e, c in zip(x[keep], y[keep], strict=True)]
    low, high = float(np.min(x)), float(np.max(x))
    inside = sorted((float(e), name) for name, e in (edges or {}).items() if low <= float(e) <= high)
    rows = label_rows([e for e, _ in inside], span=high - low)
    rules = [
        {"energy": e, "label": name, "label_y": LABEL_TOP_PX + LABEL_ROW_PX * row}
        for (e, name), row in zip(inside, rows, strict=True)
    ]
    x_axis = {"field": "energy", "type": "quantitative", "title": f"energy ({energy_unit})"}
    line: dict[str, Any] = {
        "data": {"values": points},
        "mark": {"type": "line", "strokeWidth": 1, "clip": True},
        "encoding": {
            "x": x_axis,
            "y": {"field": "counts", "type": "quantitative", "title": "counts (log)", "scale": {"type": "log"}},
        },
    }
    spec: dict[str, Any] = {"height": 240}
    if zero_loss_below is not None and low < zero_loss_below < high:
        spec["params"] = [
            {"name": "hide_zero_loss", "value": True, "bind": {"input": "checkbox", "name": "Hide the zero loss "}}
        ]
        line["transform"] = [{"filter": f"!hide_zero_loss || datum.energy >= {zero_loss_below}"}]
    layers: list[dict[str, Any]] = [line]
    if rules:
        layers += [
            {
                "data": {"values": rules},
                "mark": {"type": "rule", "color": "#d62728", "strokeDash": [4, 3]},
                "encoding": {"x": x_axis},
            },
            {
                "data": {"values": rules},
                "mark": {"type": "text", "color": "#d62728", "align": "left", "dx": 3, "fontSize": 12},
                "encoding": {
                    "x": x_axis,
                    "y": {"field": "label_y", "type": "quantitative", "scale": None},
                    "text": {"field": "label"},
                },
            },
        ]
    spec["layer"] = layers
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
