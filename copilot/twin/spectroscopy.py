"""EELS and EDS at a point, along a line and over an area: requests, probe positions and dose bookkeeping.

The atoms under the probe come from :mod:`copilot.twin.footprint`, the spectra per electron from
:mod:`copilot.twin.eels` and :mod:`copilot.twin.eds`. Counts follow the number of electrons (current x dwell)
with Poisson noise. Nothing here holds instrument state: every acquisition gets the state, the scene (specimen,
dose ledger, drift) and a :class:`Spectrometer`, and returns its result with the ledger entries it delivered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from copilot.twin.dose import Exposure, dose_e_per_A2, electrons, exposures
from copilot.twin.drift import Drift
from copilot.twin.eds import EDS_ENERGY_EV, eds_features, eds_per_electron
from copilot.twin.eels import EELS_ENERGY_EV, edge_list, eels_per_electron
from copilot.twin.errors import InvalidSettingError
from copilot.twin.footprint import footprint, probe_radius_nm
from copilot.twin.imaging import Scene, frame_geometry
from copilot.twin.probe import Aberrations
from copilot.twin.results import Spectrum, SpectrumImage
from copilot.twin.state import InstrumentState, Limit, check_int, check_real

KINDS = ("EELS", "EDS")
EELS_FEATURES = [(el, edge.onset_eV) for el, edge in edge_list()]

_LIMITS = {
    "dwell_ms": Limit(0.01, 60000.0, "ms"),
    "points": Limit(2, 4096, "points"),
    "pixels": Limit(1, 256, "px"),
}


def _check_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise InvalidSettingError(f"Unknown spectrum kind {kind!r}; choose one of {list(KINDS)}.")
    return str(kind)


def _check_fov_point(fov_nm: float, name: str, value: Any) -> float:
    return check_real(name, value, {name: Limit(0.0, fov_nm, "nm (FOV coordinates)")})


@dataclass(frozen=True)
class Spectrometer:
    """How spectra are taken: the residual aberrations that size the probe, the noise generator (None:
    noise-free) and the settings recorded with the result."""

    aberrations: Aberrations
    rng: np.random.Generator | None
    settings: dict[str, Any]


def _to_specimen(state: InstrumentState, drift: Drift, fov_xy: np.ndarray) -> np.ndarray:
    """Specimen coordinates (N, 2) of FOV points (N, 2) at the current instrument time."""
    geo = frame_geometry(state, drift, state.clock_s)
    return (np.asarray(fov_xy, dtype=np.float64) - geo.fov_nm / 2) @ geo.axes().T + np.asarray(geo.center_nm)


def _axis(kind: str) -> np.ndarray:
    return EELS_ENERGY_EV.copy() if kind == "EELS" else EDS_ENERGY_EV.copy()


@dataclass(frozen=True)
class _Take:
    """The expected-spectrum model, the noise and the beam of one acquisition."""

    state: InstrumentState
    scene: Scene
    how: Spectrometer

    def counts(self, kind: str, fov_xy: np.ndarray, n_e: float) -> np.ndarray:
        """Spectra (N, n_E) for ``n_e`` electrons at each FOV point, Poisson noise unless noise-free."""
        pts = _to_specimen(self.state, self.scene.drift, fov_xy)
        kv = self.state.beam.energy_kv
        if kind == "EELS":
            seen = footprint(self.state, self.scene, self.how.aberrations, pts, EELS_FEATURES)
            beta = self.state.detectors.eels_collection_mrad
            model = eels_per_electron(
                self.scene.specimen.name, seen.thickness_nm, seen.grown_nm, seen.densities, kv, beta
            )
        else:
            model = eds_per_electron(
                footprint(self.state, self.scene, self.how.aberrations, pts, eds_features()).densities, kv
            )
        expected = n_e * model
        rng = self.how.rng
        return expected if rng is None else rng.poisson(expected).astype(np.float64)

    def exposure(
        self, fov_xy: tuple[float, float], half_w: float, half_h: float, dose: float, time_s: float, angle: float = 0.0
    ) -> list[Exposure]:
        """Ledger entries of an exposure centred at a FOV point (rectangle turned by ``angle`` degrees)."""
        cx, cy = _to_specimen(self.state, self.scene.drift, np.array([fov_xy]))[0]
        rotation = self.state.scan.rotation_deg + angle
        kv = self.state.beam.energy_kv
        return exposures((float(cx), float(cy)), half_w, half_h, rotation, dose, time_s, kv)

    @property
    def electrons_per_s(self) -> float:
        return electrons(self.state.beam.current_pa, 1.0)


def _spot_half_nm(state: InstrumentState, aberrations: Aberrations) -> float:
    """Half side of the square a parked probe irradiates."""
    return max(probe_radius_nm(state, aberrations), 0.05)


def _check_dwell_s(dwell_ms: Any) -> float:
    return check_real("dwell_ms", dwell_ms, _LIMITS) * 1e-3


def planned_spot_dose(state: InstrumentState, aberrations: Aberrations, dwell_ms: Any) -> float:
    """Dose (e-/A^2) of a spectrum of ``dwell_ms`` at one spot with the current beam and optics."""
    half = _spot_half_nm(state, aberrations)
    return dose_e_per_A2(electrons(state.beam.current_pa, _check_dwell_s(dwell_ms)), 4 * half * half)


@dataclass(frozen=True)
class PointRequest:
    """A validated spot spectrum: kind, FOV position (nm) and dwell (s)."""

    kind: str
    x_nm: float
    y_nm: float
    dwell_s: float


@dataclass(frozen=True)
class LineRequest:
    """A validated line of spectra: kind, end points in FOV nm (x0, y0, x1, y1), points and dwell per point."""

    kind: str
    ends_nm: tuple[float, float, float, float]
    points: int
    dwell_s: float


@dataclass(frozen=True)
class AreaRequest:
    """A validated spectrum image: kind, top-left FOV corner and size (nm), pixels (nx, ny), dwell per pixel."""

    kind: str
    x_nm: float
    y_nm: float
    width_nm: float
    height_nm: float
    nx: int
    ny: int
    dwell_s: float


def plan_point(fov_nm: float, kind: Any, x_nm: Any, y_nm: Any, dwell_ms: Any) -> PointRequest:
    """Check a spot request against the field of view; raise InvalidSettingError otherwise."""
    return PointRequest(
        _check_kind(kind),
        _check_fov_point(fov_nm, "x_nm", x_nm),
        _check_fov_point(fov_nm, "y_nm", y_nm),
        _check_dwell_s(dwell_ms),
    )


def plan_line(fov_nm: float, kind: Any, x0: Any, y0: Any, x1: Any, y1: Any, points: Any, dwell_ms: Any) -> LineRequest:
    """Check a line request against the field of view; raise InvalidSettingError otherwise."""
    k = _check_kind(kind)
    e = [_check_fov_point(fov_nm, n, v) for n, v in (("x0_nm", x0), ("y0_nm", y0), ("x1_nm", x1), ("y1_nm", y1))]
    return LineRequest(k, (e[0], e[1], e[2], e[3]), int(check_int("points", points, _LIMITS)), _check_dwell_s(dwell_ms))


def plan_area(
    fov_nm: float, kind: Any, x: Any, y: Any, width: Any, height: Any, pixels: Any, dwell_ms: Any
) -> AreaRequest:
    """Check a spectrum-image request (top-left x, y; ``pixels`` along the width, square steps)."""
    k = _check_kind(kind)
    x0, y0 = _check_fov_point(fov_nm, "x_nm", x), _check_fov_point(fov_nm, "y_nm", y)
    w = check_real("width_nm", width, {"width_nm": Limit(1e-3, fov_nm - x0, "nm (inside the FOV)")})
    h = check_real("height_nm", height, {"height_nm": Limit(1e-3, fov_nm - y0, "nm (inside the FOV)")})
    nx = int(check_int("pixels", pixels, _LIMITS))
    dwell_s = _check_dwell_s(dwell_ms)
    return AreaRequest(k, x0, y0, w, h, nx, max(1, round(h / (w / nx))), dwell_s)


def point(
    state: InstrumentState, scene: Scene, how: Spectrometer, req: PointRequest
) -> tuple[Spectrum, list[Exposure]]:
    """One spectrum with the probe parked at a FOV point, and the ledger entries it delivered."""
    take = _Take(state, scene, how)
    n_e = take.electrons_per_s * req.dwell_s
    counts = take.counts(req.kind, np.array([[req.x_nm, req.y_nm]]), n_e)[0]
    half = _spot_half_nm(state, how.aberrations)
    dose = dose_e_per_A2(n_e, 4 * half * half)
    entries = take.exposure((req.x_nm, req.y_nm), half, half, dose, req.dwell_s)
    spectrum = Spectrum(req.kind, _axis(req.kind), counts, req.x_nm, req.y_nm, dose, req.dwell_s, how.settings)
    return spectrum, entries


def line(
    state: InstrumentState, scene: Scene, how: Spectrometer, req: LineRequest
) -> tuple[SpectrumImage, list[Exposure]]:
    """Spectra at evenly spaced points along a line; counts are (1, points, n_E)."""
    take = _Take(state, scene, how)
    x0, y0, x1, y1 = req.ends_nm
    n = req.points
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    n_e = take.electrons_per_s * req.dwell_s
    counts = take.counts(req.kind, np.column_stack([xs, ys]), n_e)
    length = math.hypot(x1 - x0, y1 - y0)
    width = max(2 * probe_radius_nm(state, how.aberrations), 0.1, length / max(n - 1, 1))
    dose = dose_e_per_A2(n_e * n, max(length, width) * width)
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    mid = ((x0 + x1) / 2, (y0 + y1) / 2)
    entries = take.exposure(mid, max(length, width) / 2, width / 2, dose, n * req.dwell_s, angle)
    region = {"x0_nm": x0, "y0_nm": y0, "x1_nm": x1, "y1_nm": y1, "points_x_nm": xs, "points_y_nm": ys}
    result = SpectrumImage(req.kind, _axis(req.kind), counts[None, :, :], region, dose, n * req.dwell_s, how.settings)
    return result, entries


def area(
    state: InstrumentState, scene: Scene, how: Spectrometer, req: AreaRequest
) -> tuple[SpectrumImage, list[Exposure]]:
    """Spectrum image over a FOV rectangle; counts are (ny, nx, n_E)."""
    take = _Take(state, scene, how)
    nx, ny, w, h = req.nx, req.ny, req.width_nm, req.height_nm
    xs = req.x_nm + (np.arange(nx) + 0.5) * (w / nx)
    ys = req.y_nm + (np.arange(ny) + 0.5) * (h / ny)
    gx, gy = np.meshgrid(xs, ys)
    n_e = take.electrons_per_s * req.dwell_s
    counts = take.counts(req.kind, np.column_stack([gx.ravel(), gy.ravel()]), n_e).reshape(ny, nx, -1)
    dose = dose_e_per_A2(n_e * nx * ny, w * h)
    time_s = nx * ny * req.dwell_s
    entries = take.exposure((req.x_nm + w / 2, req.y_nm + h / 2), w / 2, h / 2, dose, time_s)
    region = {"x_nm": req.x_nm, "y_nm": req.y_nm, "width_nm": w, "height_nm": h, "points_x_nm": xs, "points_y_nm": ys}
    return SpectrumImage(req.kind, _axis(req.kind), counts, region, dose, time_s, how.settings), entries


__all__ = [
    "EDS_ENERGY_EV",
    "EELS_ENERGY_EV",
    "KINDS",
    "AreaRequest",
    "LineRequest",
    "PointRequest",
    "Spectrometer",
    "area",
    "line",
    "plan_area",
    "plan_line",
    "plan_point",
    "planned_spot_dose",
    "point",
]
