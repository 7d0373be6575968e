"""What the page draws from a stored acquisition: an image with a scale bar (STEM counts in grey, AFM heights in
colour, with a trace/retrace line profile) or a spectrum with the element edges in its energy range.

``view_of`` reads a ``copilot.store.Acquisition`` (``kind``, ``metadata``, named ``arrays``) and decides which of
those it is; drawing stays in ``panel``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from copilot.twin.edges import EELS_EDGES
from copilot.twin.elements import EDS_LINES
from copilot.ui.images import render_image, to_png


@dataclass(frozen=True)
class ImageView:
    png: bytes
    caption: str
    fov_nm: float
    profiles: dict[str, np.ndarray] = field(default_factory=dict)  # AFM: height channels along the middle line
    profile_axis_nm: np.ndarray | None = None


@dataclass(frozen=True)
class SpectrumView:
    energy_eV: np.ndarray
    counts: np.ndarray
    edges_eV: dict[str, float]
    caption: str


AcquisitionView = ImageView | SpectrumView


def reference_edges_eV(kind: str) -> dict[str, float]:
    """Label → energy in eV of every EELS edge (or, for ``EDS``, every X-ray line) the twin knows."""
    if kind.upper() == "EDS":
        return {line.label: line.energy_keV * 1000.0 for lines in EDS_LINES.values() for line in lines}
    return {edge.label: edge.onset_eV for edges in EELS_EDGES.values() for edge in edges}


def _spectrum_view(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], acq_id: str) -> SpectrumView:
    energy = np.asarray(arrays["energy_eV"], dtype=np.float64)
    counts = np.asarray(arrays["counts"], dtype=np.float64)
    if counts.ndim > 1:  # a spectrum image or line: show the sum over its positions
        counts = counts.reshape(-1, counts.shape[-1]).sum(axis=0)
    kind = str(meta.get("spectrum_kind") or meta.get("kind") or "EELS")
    low, high = float(energy.min()), float(energy.max())
    edges = {label: e for label, e in reference_edges_eV(kind).items() if low <= e <= high}
    where = f" at ({meta['x_nm']:g}, {meta['y_nm']:g}) nm" if "x_nm" in meta and "y_nm" in meta else ""
    return SpectrumView(energy, counts, edges, f"{acq_id} · {kind}{where}")


def _image_view(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], acq_id: str) -> ImageView | None:
    planes = {name: a for name, a in arrays.items() if np.ndim(a) == 2}
    pixel_size_nm = meta.get("pixel_size_nm")
    if not planes or not isinstance(pixel_size_nm, int | float) or pixel_size_nm <= 0:
        return None
    heights = [name for name in planes if "height" in name.lower()]
    main_name = heights[0] if heights else next(iter(planes))
    main = planes[main_name]
    fov_nm = float(meta.get("fov_nm") or meta.get("size_nm") or main.shape[1] * pixel_size_nm)
    png = to_png(render_image(main, float(pixel_size_nm), height_map=bool(heights)))
    signal = meta.get("detector") or main_name
    caption = f"{acq_id} · {signal} · FOV {fov_nm:g} nm · {main.shape[1]}×{main.shape[0]} px"
    if not heights:
        return ImageView(png, caption, fov_nm)
    row = main.shape[0] // 2
    profiles = {name: np.asarray(planes[name][row], dtype=np.float64) for name in heights}
    position_nm = (np.arange(main.shape[1]) + 0.5) * float(pixel_size_nm)
    return ImageView(png, caption, fov_nm, profiles, position_nm)


def view_of(acquisition: Any, acq_id: str) -> AcquisitionView | None:
    """How to show an acquisition, or None when it holds nothing displayable."""
    arrays: Mapping[str, np.ndarray] = getattr(acquisition, "arrays", {}) or {}
    meta: Mapping[str, Any] = getattr(acquisition, "metadata", {}) or {}
    if "energy_eV" in arrays and "counts" in arrays:
        return _spectrum_view(arrays, meta, acq_id)
    return _image_view(arrays, meta, acq_id)


def acquisition_id(data: Mapping[str, Any]) -> str | None:
    """The stored acquisition a tool result refers to (its id, or the id in an ``acq://`` URI)."""
    for key in ("acquisition_id", "acq_id", "id"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    uri = data.get("uri") or data.get("resource_uri")
    if isinstance(uri, str) and uri.startswith("acq://"):
        return uri.removeprefix("acq://")
    return None
