"""What the page draws from a stored acquisition: an image with a scale bar (STEM counts in grey, AFM heights in
colour, with a trace/retrace line profile) or a spectrum with its element edges.

``view_of`` reads an acquisition as the session returns it (an array plus calibration metadata) and decides
which of those it is; drawing stays in ``panel`` and ``render``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from copilot.ui.images import render_image, to_png


@dataclass(frozen=True)
class ImageView:
    png: bytes
    caption: str
    fov_nm: float
    profiles: dict[str, np.ndarray] = field(default_factory=dict)  # AFM: trace/retrace along the middle row
    profile_axis_nm: np.ndarray | None = None


@dataclass(frozen=True)
class SpectrumView:
    energy: np.ndarray
    counts: np.ndarray
    edges: dict[str, float]
    energy_unit: str
    caption: str


AcquisitionView = ImageView | SpectrumView


def _field(obj: Any, *names: str) -> Any:
    """The first of ``names`` found as a key or attribute of ``obj`` (None when none is)."""
    for name in names:
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
        if not isinstance(obj, Mapping) and hasattr(obj, name):
            return getattr(obj, name)
    return None


def _metadata(acquisition: Any) -> Mapping[str, Any]:
    meta = _field(acquisition, "metadata", "meta", "attrs")
    return meta if isinstance(meta, Mapping) else {}


def _channels(acquisition: Any) -> dict[str, np.ndarray]:
    """Named 2-D arrays: ``channels`` when the acquisition has several (AFM), else its one image."""
    channels = _field(acquisition, "channels")
    if isinstance(channels, Mapping):
        return {str(k): np.asarray(v) for k, v in channels.items()}
    data = _field(acquisition, "data", "image", "array")
    return {"image": np.asarray(data)} if data is not None else {}


def _edges(meta: Mapping[str, Any]) -> dict[str, float]:
    edges = meta.get("edges_eV") or meta.get("edges") or meta.get("lines_keV") or meta.get("lines") or {}
    if isinstance(edges, Mapping):
        return {str(k): float(v) for k, v in edges.items()}
    return {}


def _energy_axis(acquisition: Any, meta: Mapping[str, Any]) -> tuple[np.ndarray, str] | None:
    """The energy axis of a spectrum and its unit, from the acquisition or its metadata."""
    for source in (acquisition, meta):
        for name, unit in (("energy_eV", "eV"), ("energy_keV", "keV")):
            value = _field(source, name)
            if value is not None:
                return np.asarray(value, dtype=np.float64), unit
    return None


def view_of(acquisition: Any, acq_id: str) -> AcquisitionView | None:
    """How to show an acquisition, or None when it holds nothing displayable."""
    meta = _metadata(acquisition)
    axis = _energy_axis(acquisition, meta)
    data = _field(acquisition, "data", "counts", "spectrum")
    if axis is not None and data is not None and np.ndim(data) == 1:
        energy, unit = axis
        caption = f"{acq_id} · {meta.get('signal') or meta.get('kind') or 'spectrum'}"
        return SpectrumView(energy, np.asarray(data, float), _edges(meta), unit, caption)
    channels = _channels(acquisition)
    pixel_size_nm = meta.get("pixel_size_nm")
    if not channels or pixel_size_nm is None:
        return None
    height_keys = [name for name in channels if "height" in name.lower()]
    main_key = height_keys[0] if height_keys else next(iter(channels))
    main = channels[main_key]
    if main.ndim != 2:
        return None
    is_afm = bool(height_keys)
    fov_nm = float(meta.get("fov_nm") or main.shape[1] * float(pixel_size_nm))
    png = to_png(render_image(main, float(pixel_size_nm), height_map=is_afm))
    signal = meta.get("signal") or meta.get("detector") or main_key
    caption = f"{acq_id} · {signal} · FOV {fov_nm:g} nm · {main.shape[1]}×{main.shape[0]} px"
    profiles: dict[str, np.ndarray] = {}
    position_nm: np.ndarray | None = None
    if is_afm:
        row = main.shape[0] // 2
        profiles = {name: channels[name][row] for name in height_keys if channels[name].shape == main.shape}
        position_nm = (np.arange(main.shape[1]) + 0.5) * float(pixel_size_nm)
    return ImageView(png, caption, fov_nm, profiles, position_nm)


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
