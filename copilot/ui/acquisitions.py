"""What the page draws from a stored acquisition: an image with a scale bar (STEM counts in grey, AFM heights in
colour, with a trace/retrace line profile) or a spectrum with the element edges in its energy range.

``view_of`` reads a ``copilot.store.Acquisition`` (``kind``, ``metadata``, named ``arrays``) and decides which of
those it is; drawing stays in ``panel``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from copilot.agent.events import ImageRef
from copilot.ui.images import add_scale_bar, display_range, height_colormap, stretch_to_uint8, to_png


@dataclass(frozen=True)
class ImageView:
    png: bytes  # for the chat: display image with a scale bar burned in
    caption: str
    fov_nm: float
    acq_id: str = ""
    plain_png: bytes = b""  # for the viewer: every pixel, no scale bar (the viewer draws its own)
    shape_px: tuple[int, int] = (0, 0)  # rows, columns
    value_range: tuple[float, float] = (0.0, 0.0)  # the values shown at the two ends of the colour bar
    value_label: str = "counts"
    colormap: str = "grey"  # or "afmhot" for heights
    profiles: dict[str, np.ndarray] = field(default_factory=dict)  # AFM: height channels along the middle line
    profile_axis_nm: np.ndarray | None = None


@dataclass(frozen=True)
class SpectrumView:
    energy_eV: np.ndarray
    counts: np.ndarray
    edges_eV: dict[str, float]  # every known edge (or X-ray line) in the energy range, label -> eV
    caption: str
    acq_id: str = ""
    kind: str = "EELS"
    element_of: dict[str, str] = field(default_factory=dict)  # edge label -> element symbol

    def edges_of(self, elements: Collection[str]) -> dict[str, float]:
        """The edges in range of these elements only (the ones identified in, or asked about, this spectrum)."""
        return {label: e for label, e in self.edges_eV.items() if self.element_of.get(label) in elements}


AcquisitionView = ImageView | SpectrumView

ELEMENT_NAMES = {
    "C": "carbon",
    "N": "nitrogen",
    "O": "oxygen",
    "Si": "silicon",
    "S": "sulfur|sulphur",
    "Ti": "titanium",
    "Sr": "strontium",
    "Mo": "molybdenum",
    "W": "tungsten",
    "Re": "rhenium",
    "Au": "gold",
}


_FORMULA = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z][a-z]?\d*)+(?![A-Za-z])")
_PART = re.compile(r"([A-Z][a-z]?)\d*")


def named_elements(texts: Iterable[str], symbols: Iterable[str]) -> set[str]:
    """Elements a person asked about: by name (``molybdenum``), by symbol or in a formula (``Mo``, ``MoS2``);
    a word that is not made of known symbols only (``STEM``, ``EELS``) names none.

    >>> sorted(named_elements(["Is there Mo or sulphur here? A STEM image of MoS2"], ["Mo", "S", "C"]))
    ['Mo', 'S']
    """
    known = set(symbols)
    found: set[str] = set()
    for text in texts:
        for formula in _FORMULA.findall(text):
            parts = _PART.findall(formula)
            if parts and all(part in known for part in parts):
                found.update(parts)
        for symbol in known:
            name = ELEMENT_NAMES.get(symbol)
            if name and re.search(rf"\b({name})\b", text, re.IGNORECASE):
                found.add(symbol)
    return found


def reference_edges(kind: str) -> dict[str, tuple[str, float]]:
    """Label → (element, energy in eV) of every EELS edge (or, for ``EDS``, every X-ray line) the twin knows."""
    from copilot.twin.edges import EELS_EDGES  # the twin loads with the first spectrum, not with the page
    from copilot.twin.elements import EDS_LINES

    if kind.upper() == "EDS":
        return {ln.label: (el, ln.energy_keV * 1000.0) for el, lines in EDS_LINES.items() for ln in lines}
    return {edge.label: (el, edge.onset_eV) for el, edges in EELS_EDGES.items() for edge in edges}


def reference_edges_eV(kind: str) -> dict[str, float]:
    """Label → energy in eV of every EELS edge (or, for ``EDS``, every X-ray line) the twin knows."""
    return {label: energy for label, (_, energy) in reference_edges(kind).items()}


def _spectrum_view(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], acq_id: str) -> SpectrumView:
    energy = np.asarray(arrays["energy_eV"], dtype=np.float64)
    counts = np.asarray(arrays["counts"], dtype=np.float64)
    if counts.ndim > 1:  # a spectrum image or line: show the sum over its positions
        counts = counts.reshape(-1, counts.shape[-1]).sum(axis=0)
    kind = str(meta.get("spectrum_kind") or meta.get("kind") or "EELS")
    low, high = float(energy.min()), float(energy.max())
    known = {label: pair for label, pair in reference_edges(kind).items() if low <= pair[1] <= high}
    edges = {label: energy for label, (_, energy) in known.items()}
    where = f" at ({meta['x_nm']:g}, {meta['y_nm']:g}) nm" if "x_nm" in meta and "y_nm" in meta else ""
    element_of = {label: element for label, (element, _) in known.items()}
    return SpectrumView(energy, counts, edges, f"{acq_id} · {kind}{where}", acq_id, kind.upper(), element_of)


def _image_view(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], acq_id: str) -> ImageView | None:
    planes = {name: a for name, a in arrays.items() if np.ndim(a) == 2}
    pixel_size_nm = meta.get("pixel_size_nm")
    if not planes or not isinstance(pixel_size_nm, int | float) or pixel_size_nm <= 0:
        return None
    heights = [name for name in planes if "height" in name.lower()]
    main_name = heights[0] if heights else next(iter(planes))
    main = planes[main_name]
    fov_nm = float(meta.get("fov_nm") or meta.get("size_nm") or main.shape[1] * pixel_size_nm)
    plain = Image.fromarray(height_colormap(main) if heights else stretch_to_uint8(main))
    png = to_png(add_scale_bar(plain, float(pixel_size_nm)))
    signal = meta.get("detector") or main_name
    caption = f"{acq_id} · {signal} · FOV {fov_nm:g} nm · {main.shape[1]}×{main.shape[0]} px"
    common: dict[str, Any] = {
        "acq_id": acq_id,
        "plain_png": to_png(plain),
        "shape_px": (int(main.shape[0]), int(main.shape[1])),
        "value_range": display_range(main),
    }
    if not heights:
        return ImageView(png, caption, fov_nm, **common)
    row = main.shape[0] // 2
    profiles = {name: np.asarray(planes[name][row], dtype=np.float64) for name in heights}
    position_nm = (np.arange(main.shape[1]) + 0.5) * float(pixel_size_nm)
    return ImageView(
        png,
        caption,
        fov_nm,
        **common,
        value_label="height (nm)",
        colormap="afmhot",
        profiles=profiles,
        profile_axis_nm=position_nm,
    )


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


def chat_pictures(tool: str, images: tuple[ImageRef, ...], view: AcquisitionView | None) -> list[tuple[bytes, str]]:
    """The pictures to show under a step, as (PNG, caption): an acquisition as the page renders it (a scale bar
    readable at the shown size), an analysis overlay of it with the same scale bar; others as the tool sent them."""
    if not isinstance(view, ImageView):
        return [(image.png, image.caption or image.uri or "") for image in images]
    if tool.startswith("acquire"):
        return [(view.png, view.caption)]
    pictures = []
    for image in images:
        picture = Image.open(io.BytesIO(image.png))
        rows, cols = view.shape_px
        same_field = cols > 0 and abs(picture.width / picture.height - cols / rows) < 0.01 and "fft" not in tool
        if same_field:
            marked = add_scale_bar(picture, view.fov_nm / picture.width)
            pictures.append((to_png(marked), f"{tool.replace('_', ' ')} on {view.caption}"))
        else:
            pictures.append((image.png, image.caption or image.uri or ""))
    return pictures
