"""An acquisition as HyperSpy signal dictionaries: calibrated axes (nm, eV) and the metadata tree HyperSpy knows.

The store writes these with rosettasciio's ``.hspy`` writer, so ``hyperspy.api.load`` opens an acquisition file
as a calibrated signal: STEM images as ``Signal2D`` (nm axes), EELS spectra as ``EELSSpectrum`` and EDS spectra as
``EDSTEMSpectrum`` (eV axis, exspy), spectrum images as 3-D signals (two nm navigation axes, one eV signal axis),
AFM channels as ``Signal2D`` with nm axes (one signal per channel). Beam energy, current, convergence angle, dwell
time, stage, detector (collection angles of the imaging detector and of the EELS spectrometer) and dose sit where
HyperSpy and exspy look for them (``Acquisition_instrument.TEM``); the full record metadata is kept as
``original_metadata``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from copilot.store.acquisition import Acquisition

SIGNAL_TYPE = {"EELS": "EELS", "EDS": "EDS_TEM"}
_QUANTITY = {"nm": "Height (nm)", "deg": "Phase (deg)", "V": "Amplitude (V)"}


def signal_dicts(acq: Acquisition) -> list[tuple[str, dict[str, Any]]]:
    """``(array name, signal dictionary)`` for every array of ``acq`` that is a signal of its own.

    Images and AFM channels give one signal per array; a spectrum or spectrum image gives one signal (``counts``)
    whose energy axis is ``energy_eV``.
    """
    meta = acq.metadata
    if acq.kind == "image":
        detector = str(meta.get("detector", "HAADF"))
        instrument = _tem(meta, dwell_s=_get(meta, "settings", "scan", "dwell_us", scale=1e-6), detector=detector)
        axes = _image_axes(acq.arrays["image"].shape, meta.get("pixel_size_nm"), 0.0, 0.0)
        return [("image", _signal(acq, f"{acq.id} {detector}", "image", axes, instrument, "", "Intensity (counts)"))]
    if acq.kind in ("spectrum", "spectrum_image"):
        return [("counts", _spectrum_signal(acq))]
    if acq.kind == "afm_image":
        units = meta.get("units") or {}
        out = []
        for name, data in acq.arrays.items():
            axes = _image_axes(data.shape, meta.get("pixel_size_nm"), 0.0, 0.0)
            quantity = _QUANTITY.get(str(units.get(name, "")), name)
            out.append((name, _signal(acq, f"{acq.id} {name}", name, axes, _afm(meta), "", quantity)))
        return out
    raise ValueError(f"unknown acquisition kind {acq.kind!r}")


def _spectrum_signal(acq: Acquisition) -> dict[str, Any]:
    meta = acq.metadata
    kind = str(meta.get("spectrum_kind", meta.get("kind", "")))
    counts = acq.arrays["counts"]
    axes: list[dict[str, Any]] = []
    region = meta.get("region") or {}
    if counts.ndim == 3:
        step = meta.get("pixel_size_nm")
        xs, ys = region.get("points_x_nm") or [], region.get("points_y_nm") or []
        axes = _image_axes(counts.shape[:2], step, ys[0] if ys else 0.0, xs[0] if xs else 0.0, navigate=True)
    axes.append(_energy_axis(acq.arrays["energy_eV"], binned=True))
    points = int(np.prod(counts.shape[:-1]))
    dwell_s = float(meta.get("live_time_s", 0.0)) / max(points, 1)
    detector: dict[str, Any] = {
        "dwell_time": dwell_s,
        "collection_angle": _get(meta, "settings", "detectors", "eels_collection_mrad"),
    }
    if kind == "EDS":
        detector = {"live_time": dwell_s, "real_time": dwell_s, "solid_angle": _get(meta, "solid_angle_sr")}
    instrument = _tem(meta, dwell_s=dwell_s, spectrometer={kind: detector} if kind in SIGNAL_TYPE else {})
    what = "spectrum image" if counts.ndim == 3 else "spectrum"
    title = f"{acq.id} {kind} {what}".replace("  ", " ")
    return _signal(acq, title, "counts", axes, instrument, SIGNAL_TYPE.get(kind, ""), "Intensity (counts)")


def _signal(
    acq: Acquisition,
    title: str,
    array: str,
    axes: list[dict[str, Any]],
    instrument: dict[str, Any],
    signal_type: str,
    quantity: str,
) -> dict[str, Any]:
    date, _, time = acq.created_utc.partition("T")
    general = {"title": title, "date": date, "time": time[:8], "time_zone": "UTC", "original_filename": acq.id}
    metadata = {
        "General": general,
        "Signal": {"signal_type": signal_type, "quantity": quantity},
        "Acquisition_instrument": instrument,
        "Sample": {"description": str(acq.metadata.get("specimen", ""))},
    }
    return {
        "data": acq.arrays[array],
        "axes": axes,
        "metadata": metadata,
        "original_metadata": {"copilot": acq.metadata},
        "learning_results": {},
        "attributes": {"_lazy": False},
        "models": {},
        "tmp_parameters": {},
        "package_info": {"package": "exspy" if signal_type else "hyperspy", "package_version": ""},
    }


def _image_axes(
    shape: tuple[int, ...], step_nm: Any, y0_nm: float, x0_nm: float, *, navigate: bool = False
) -> list[dict[str, Any]]:
    scale, units = (float(step_nm), "nm") if step_nm else (1.0, "px")
    return [
        _axis("y", units, scale, float(y0_nm), shape[0], navigate),
        _axis("x", units, scale, float(x0_nm), shape[1], navigate),
    ]


def _energy_axis(energy_eV: np.ndarray, *, binned: bool) -> dict[str, Any]:
    energy = np.asarray(energy_eV, dtype=np.float64)
    step = np.diff(energy)
    if energy.size > 1 and np.allclose(step, step[0], rtol=1e-9, atol=0.0):
        axis = _axis("Energy", "eV", float(step[0]), float(energy[0]), energy.size, False)
    else:
        axis = {"_type": "DataAxis", "name": "Energy", "units": "eV", "axis": energy, "navigate": False}
    return {**axis, "is_binned": binned}


def _axis(name: str, units: str, scale: float, offset: float, size: int, navigate: bool) -> dict[str, Any]:
    return {
        "_type": "UniformDataAxis",
        "name": name,
        "units": units,
        "scale": scale,
        "offset": offset,
        "size": int(size),
        "navigate": navigate,
        "is_binned": False,
    }


def _get(meta: dict[str, Any], *keys: str, scale: float = 1.0) -> float | None:
    value: Any = meta
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) * scale if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _tem(
    meta: dict[str, Any],
    *,
    dwell_s: float | None,
    detector: str | None = None,
    spectrometer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``Acquisition_instrument`` of a STEM record (HyperSpy units: keV, nA, mrad, s, mm, deg)."""
    tem: dict[str, Any] = {
        "microscope": "Microscope Copilot digital twin (STEM)",
        "acquisition_mode": "STEM",
        "beam_energy": _get(meta, "settings", "beam", "energy_kv"),
        "beam_current": _get(meta, "settings", "beam", "current_pa", scale=1e-3),
        "convergence_angle": _get(meta, "settings", "optics", "convergence_mrad"),
        "dwell_time": dwell_s,
        "dose_e_per_A2": _get(meta, "dose_e_per_A2"),
        "Stage": {
            "x": _get(meta, "settings", "stage", "x_um", scale=1e-3),
            "y": _get(meta, "settings", "stage", "y_um", scale=1e-3),
            "z": _get(meta, "settings", "stage", "z_um", scale=1e-3),
            "tilt_alpha": _get(meta, "settings", "stage", "alpha_deg"),
            "tilt_beta": _get(meta, "settings", "stage", "beta_deg"),
        },
        "Detector": dict(spectrometer or {}),
    }
    if detector is not None:
        tem["detector"] = detector
        tem["Detector"][detector] = _collection_angles(meta, detector)
    return {"TEM": _drop_none(tem)}


def _collection_angles(meta: dict[str, Any], detector: str) -> dict[str, Any]:
    """Inner and outer collection angle (mrad) of an imaging detector."""
    if detector == "BF":
        return {"inner_angle": 0.0, "outer_angle": _get(meta, "settings", "detectors", "bf_outer_mrad")}
    key = detector.lower()
    return {
        "inner_angle": _get(meta, "settings", "detectors", f"{key}_inner_mrad"),
        "outer_angle": _get(meta, "settings", "detectors", f"{key}_outer_mrad"),
    }


def _afm(meta: dict[str, Any]) -> dict[str, Any]:
    """``Acquisition_instrument.AFM`` of an AFM record (scan rate in Hz, lengths in nm)."""
    afm = {
        "microscope": "Microscope Copilot digital twin (AFM)",
        "scan_rate": _get(meta, "settings", "scan", "rate_hz"),
        "scan_angle": _get(meta, "settings", "scan", "angle_deg"),
        "setpoint_nm": _get(meta, "settings", "feedback", "setpoint_nm"),
        "free_amplitude_nm": _get(meta, "settings", "feedback", "free_amplitude_nm"),
        "tip_radius_nm": _get(meta, "settings", "tip", "radius_nm"),
        "frame_time": _get(meta, "frame_time_s"),
    }
    return {"AFM": _drop_none(afm)}


def _drop_none(tree: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            value = _drop_none(value)
        if value is not None and value != {}:
            out[key] = value
    return out
