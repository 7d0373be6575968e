"""The image viewer of the instrument panel: the full-resolution image (every pixel of the stored data, 8-bit for
display), zoom with the wheel or the buttons, pan by dragging, a scale bar redrawn for the zoom with a 13 px
label, a colour bar with the values and units of its ends, and the analysis overlays of the image (atoms,
defects, particles) toggled over the raw data.

``viewer_payload`` builds the data the browser gets (tested without a browser); ``show_viewer`` mounts it as a
Streamlit v2 component (HTML, CSS and JavaScript inline, no iframe).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from typing import Any

import streamlit as st

from copilot.ui.acquisitions import ImageView

COLOUR_STOPS = {
    "grey": ["#000000", "#ffffff"],
    "afmhot": ["#000000", "#800000", "#ff0000", "#ff8000", "#ffff00", "#ffff80", "#ffffff"],
}

CSS = """
.mv-root { font: 13px/1.3 sans-serif; color: var(--st-text-color, #222); }
.mv-bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-bottom: 4px; }
.mv-bar button { min-width: 2.2em; padding: 1px 8px; border: 1px solid #bbb; border-radius: 6px;
  background: var(--st-secondary-background-color, #f0f2f6); color: inherit; cursor: pointer; font: inherit; }
.mv-bar label { display: inline-flex; gap: 3px; align-items: center; cursor: pointer; }
.mv-zoom { margin-left: auto; opacity: 0.75; }
.mv-stage { position: relative; width: 100%; overflow: hidden; background: #000; cursor: grab; touch-action: none;
  border-radius: 4px; }
.mv-stage.dragging { cursor: grabbing; }
.mv-layer { position: absolute; left: 0; top: 0; width: 100%; height: 100%; transform-origin: 0 0;
  user-select: none; -webkit-user-drag: none; pointer-events: none; }
.mv-stage.pixelated .mv-layer { image-rendering: pixelated; }
.mv-scale { position: absolute; left: 10px; bottom: 10px; color: #fff; font-size: 13px; font-weight: 600;
  text-shadow: 0 0 3px #000, 0 0 2px #000; pointer-events: none; }
.mv-scale-line { height: 5px; background: #fff; border: 1px solid #000; margin-top: 2px; }
.mv-colour { display: flex; align-items: center; gap: 6px; margin-top: 4px; font-size: 13px; }
.mv-ramp { flex: 1; height: 12px; border: 1px solid #888; border-radius: 2px; }
.mv-caption { font-size: 13px; opacity: 0.8; margin-top: 2px; overflow-wrap: anywhere; }
"""

JS = """
const NICE = [5, 2, 1];
function niceLength(nm) {
  const decade = Math.pow(10, Math.floor(Math.log10(nm)));
  for (const m of NICE) { if (m * decade <= nm * (1 + 1e-9)) return m * decade; }
  return decade;
}
function formatLength(nm) {
  const g = (x) => String(Number(x.toPrecision(3)));
  if (nm >= 1000) return g(nm / 1000) + " µm";
  if (nm < 1) return g(nm * 1000) + " pm";
  return g(nm) + " nm";
}
export default function (component) {
  const { data, parentElement } = component;
  if (!data) return;
  let root = parentElement.querySelector(".mv-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "mv-root";
    parentElement.appendChild(root);
  }
  if (root.dataset.key === data.key) return;  // same image: keep the zoom the person chose
  root.dataset.key = data.key;
  root.dataset.testid = "image-viewer";
  const layers = data.overlays.map((o, i) =>
    `<label><input type="checkbox" data-layer="${i}" checked> ${o.name}</label>`).join("");
  root.innerHTML = `
    <div class="mv-bar">
      <button data-act="in" title="Zoom in">+</button>
      <button data-act="out" title="Zoom out">−</button>
      <button data-act="fit" title="Fit the whole image">Fit</button>
      ${layers}
      <span class="mv-zoom" title="drag to pan, wheel or + / − to zoom, double-click to fit"></span>
    </div>
    <div class="mv-stage" style="aspect-ratio: ${data.width_px} / ${data.height_px}">
      <img class="mv-layer" alt="${data.caption}" src="data:image/png;base64,${data.png}">
      ${data.overlays.map((o, i) =>
        `<img class="mv-layer" data-overlay="${i}" alt="${o.name}" src="data:image/png;base64,${o.png}">`).join("")}
      <div class="mv-scale"><span class="mv-scale-label"></span><div class="mv-scale-line"></div></div>
    </div>
    <div class="mv-colour"><span>${data.low}</span>
      <div class="mv-ramp" style="background: linear-gradient(to right, ${data.stops.join(", ")})"></div>
      <span>${data.high}</span><span>${data.unit}</span></div>
    <div class="mv-caption">${data.caption}</div>`;
  const stage = root.querySelector(".mv-stage");
  const images = [...root.querySelectorAll(".mv-layer")];
  const label = root.querySelector(".mv-scale-label");
  const line = root.querySelector(".mv-scale-line");
  const zoomText = root.querySelector(".mv-zoom");
  const view = { s: 1, x: 0, y: 0 };
  function clamp() {
    const w = stage.clientWidth, h = stage.clientHeight;
    view.s = Math.min(Math.max(view.s, 1), data.max_zoom);
    view.x = Math.min(0, Math.max(view.x, w - w * view.s));
    view.y = Math.min(0, Math.max(view.y, h - h * view.s));
  }
  function draw() {
    clamp();
    for (const img of images) img.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.s})`;
    const shownPx = stage.clientWidth * view.s;  // CSS px across the whole image
    stage.classList.toggle("pixelated", shownPx > data.width_px);
    const nmPerPx = data.fov_nm / Math.max(shownPx, 1);
    const barNm = niceLength(stage.clientWidth * nmPerPx * 0.2);
    line.style.width = `${barNm / nmPerPx}px`;
    label.textContent = formatLength(barNm);
    zoomText.textContent = `${Math.round(100 * shownPx / data.width_px)} %`;
  }
  function zoomAt(factor, cx, cy) {
    const s = Math.min(Math.max(view.s * factor, 1), data.max_zoom);
    view.x = cx - (cx - view.x) * (s / view.s);
    view.y = cy - (cy - view.y) * (s / view.s);
    view.s = s;
    draw();
  }
  root.querySelector(".mv-bar").addEventListener("click", (e) => {
    const act = e.target.dataset && e.target.dataset.act;
    const w = stage.clientWidth, h = stage.clientHeight;
    if (act === "in") zoomAt(2, w / 2, h / 2);
    if (act === "out") zoomAt(0.5, w / 2, h / 2);
    if (act === "fit") { view.s = 1; view.x = 0; view.y = 0; draw(); }
  });
  root.querySelectorAll("input[data-layer]").forEach((box) => box.addEventListener("change", () => {
    root.querySelector(`img[data-overlay="${box.dataset.layer}"]`).style.display = box.checked ? "" : "none";
  }));
  stage.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = stage.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  let drag = null;
  stage.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX - view.x, y: e.clientY - view.y };
    stage.classList.add("dragging");
    stage.setPointerCapture(e.pointerId);
  });
  stage.addEventListener("pointermove", (e) => {
    if (!drag) return;
    view.x = e.clientX - drag.x; view.y = e.clientY - drag.y; draw();
  });
  const stop = () => { drag = null; stage.classList.remove("dragging"); };
  stage.addEventListener("pointerup", stop);
  stage.addEventListener("pointercancel", stop);
  stage.addEventListener("dblclick", () => { view.s = 1; view.x = 0; view.y = 0; draw(); });
  const resize = new ResizeObserver(draw);
  resize.observe(stage);
  draw();
  return () => resize.disconnect();
}
"""

_viewer = st.components.v2.component("copilot.image_viewer", css=CSS, js=JS)
MAX_ZOOM = 32


def _number(value: float) -> str:
    return f"{value:.3g}"


def viewer_payload(view: ImageView, overlays: Mapping[str, bytes] | None = None) -> dict[str, Any]:
    """What the browser needs to show ``view``: its full-resolution PNG, calibration, colour bar and overlays."""
    low, high = view.value_range
    return {
        "key": view.caption + "|" + "|".join(overlays or {}),
        "png": base64.b64encode(view.plain_png).decode("ascii"),
        "width_px": view.shape_px[1],
        "height_px": view.shape_px[0],
        "fov_nm": view.fov_nm,
        "max_zoom": MAX_ZOOM,
        "low": _number(low),
        "high": _number(high),
        "unit": view.value_label,
        "stops": COLOUR_STOPS[view.colormap],
        "caption": html.escape(view.caption),
        "overlays": [
            {"name": html.escape(name), "png": base64.b64encode(png).decode("ascii")}
            for name, png in (overlays or {}).items()
        ],
    }


def show_viewer(view: ImageView, overlays: Mapping[str, bytes] | None = None, *, key: str = "viewer") -> None:
    """Mount the viewer for ``view`` (with ``overlays``: name -> PNG of the same field of view)."""
    _viewer(data=viewer_payload(view, overlays), key=key)
