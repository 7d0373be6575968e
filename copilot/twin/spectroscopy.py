"""EELS and EDS at a point, along a line and over an area, from the atoms under the probe.

The probe collects the atoms within ``probe diameter / 2 + 0.1 nm`` of each position (damage applied), plus
beam-grown contamination. Counts follow the number of electrons (current x dwell) with Poisson noise.

EELS: zero-loss peak and plasmons with Poisson weights ``(t/L)^n exp(-t/L) / n!`` (inelastic mean free path
L ~ 100 nm at 200 kV), a power-law valence background, and core-loss edges as power-law tails with a smoothed
onset. EDS: characteristic lines broadened to the detector resolution over a Kramers bremsstrahlung background
absorbed by the detector window at low energy.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial import cKDTree

from copilot.twin.dose import AMORPHOUS_C_PER_NM3, dose_e_per_A2, electrons, exposures
from copilot.twin.elements import ATOMIC_NUMBER, EDS_LINES, EELS_EDGES
from copilot.twin.errors import InvalidSettingError
from copilot.twin.probe import probe_size_nm
from copilot.twin.results import Spectrum, SpectrumImage
from copilot.twin.state import Limit, check_int, check_real

if TYPE_CHECKING:
    from copilot.twin.microscope import Microscope

EELS_ENERGY_EV = np.arange(-20.0, 3000.0, 1.0)
EDS_ENERGY_EV = np.arange(5.0, 20000.0, 10.0)
KINDS = ("EELS", "EDS")

PLASMON_EV = 24.0
EELS_COLLECTION = 0.5
EDGE_PER_ATOM_PER_EV = 1.0e-6
VALENCE_TAIL_PER_EV = 0.05
EDS_LINE_PER_ATOM = 3.0e-7
EDS_BREMS_PER_ATOM = 2.0e-11
MAX_SHARED_COLUMNS = 1_000_000

_LIMITS = {
    "dwell_ms": Limit(0.01, 60000.0, "ms"),
    "points": Limit(2, 4096, "points"),
    "pixels": Limit(1, 256, "px"),
}


def _check_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise InvalidSettingError(f"Unknown spectrum kind {kind!r}; choose one of {list(KINDS)}.")
    return str(kind)


def _check_fov_point(m: Microscope, name: str, value: Any) -> float:
    fov = m.state.scan.fov_nm
    return check_real(name, value, {name: Limit(0.0, fov, "nm (FOV coordinates)")})


def _probe_radius_nm(m: Microscope) -> float:
    st = m.state
    return probe_size_nm(m.aberrations(), st.beam.energy_kv, st.optics.convergence_mrad * 1e-3) / 2


def _composition(m: Microscope, fov_xy: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Elements, atoms of each element under the probe at each point (N, n_el), and thickness (N,) in nm."""
    radius = _probe_radius_nm(m) + 0.1
    sx, sy = m.fov_to_specimen(fov_xy[:, 0], fov_xy[:, 1])
    pts = np.column_stack([np.atleast_1d(sx), np.atleast_1d(sy)])
    box = (pts[:, 0].min() - radius, pts[:, 1].min() - radius, pts[:, 0].max() + radius, pts[:, 1].max() + radius)
    elements = sorted(ATOMIC_NUMBER)
    comp = np.zeros((len(pts), len(elements)))
    # A compact set of points shares one look-up; a sparse one (a wide map) looks up each probe footprint.
    compact = (box[2] - box[0]) * (box[3] - box[1]) * m.specimen.columns_per_nm2 <= MAX_SHARED_COLUMNS
    groups = [np.arange(len(pts))] if compact else [np.array([i]) for i in range(len(pts))]
    for idx in groups:
        sel = pts[idx]
        atoms = m.ground_truth_atoms(
            sel[:, 0].min() - radius, sel[:, 1].min() - radius, sel[:, 0].max() + radius, sel[:, 1].max() + radius
        )
        if len(atoms) == 0:
            continue
        col = np.searchsorted(elements, atoms.elements)
        for i, hits in zip(idx, cKDTree(atoms.xy_nm).query_ball_point(sel, radius), strict=True):
            np.add.at(comp[i], col[hits], atoms.count[hits])
    grown = np.zeros(len(pts))
    for e in m.ledger.near(box):
        grown += e.contamination_nm * e.covers(pts[:, 0], pts[:, 1])
    comp[:, elements.index("C")] += grown * AMORPHOUS_C_PER_NM3 * math.pi * radius**2
    thickness = np.array([m.specimen.thickness_nm(float(x), float(y)) for x, y in pts]) + grown
    return elements, comp, thickness


def _eels_templates(elements: list[str]) -> np.ndarray:
    """Core-loss signal per atom per 1 eV channel for each element (n_el, n_E)."""
    e = EELS_ENERGY_EV
    out = np.zeros((len(elements), len(e)))
    safe = np.maximum(e, 1.0)
    for i, el in enumerate(elements):
        for edge in EELS_EDGES.get(el, ()):
            onset = 0.5 * (1.0 + np.tanh((e - edge.onset_eV) / 2.0))
            out[i] += EDGE_PER_ATOM_PER_EV * edge.strength * onset * (safe / edge.onset_eV) ** -edge.exponent
    return out


def _eels_low_loss(thickness_nm: np.ndarray, energy_kv: float) -> np.ndarray:
    """Zero loss, plasmons and valence tail per electron per channel (N, n_E)."""
    e = EELS_ENERGY_EV
    mfp = 100.0 * (energy_kv / 200.0) ** 0.7
    tl = thickness_nm[:, None] / mfp
    out = np.exp(-tl) * _gauss(e, 0.0, 0.35)[None, :]
    for n in range(1, 7):
        weight = tl**n * np.exp(-tl) / math.factorial(n)
        out += weight * _gauss(e, n * PLASMON_EV, 3.0 * math.sqrt(n))[None, :]
    tail = VALENCE_TAIL_PER_EV * (np.maximum(e, 50.0) / 50.0) ** -3.0 * (e > 40.0)
    return out + tl * tail[None, :]


def _gauss(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Unit-area Gaussian sampled on ``x``, normalised per channel of the axis."""
    step = float(x[1] - x[0])
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) * step / (sigma * math.sqrt(2 * math.pi))


def _eds_templates(elements: list[str], energy_kv: float) -> np.ndarray:
    """Characteristic lines plus bremsstrahlung per atom per electron per channel (n_el, n_E)."""
    e = EDS_ENERGY_EV
    e0 = energy_kv * 1000.0
    window = np.exp(-((400.0 / e) ** 3))
    brems = np.clip(e0 - e, 0.0, None) / e * window
    out = np.zeros((len(elements), len(e)))
    for i, el in enumerate(elements):
        out[i] = EDS_BREMS_PER_ATOM * ATOMIC_NUMBER[el] * brems
        for line in EDS_LINES.get(el, ()):
            energy = line.energy_keV * 1000.0
            fwhm = math.sqrt(50.0**2 + 2.5 * energy)
            out[i] += (
                EDS_LINE_PER_ATOM
                * line.yield_rel
                * window[np.searchsorted(e, energy)]
                * _gauss(e, energy, fwhm / 2.355)
            )
    return out


def _counts(m: Microscope, kind: str, fov_xy: np.ndarray, n_e: float) -> np.ndarray:
    """Spectra (N, n_E) for ``n_e`` electrons at each FOV point, Poisson noise when the twin is noisy."""
    elements, comp, thickness = _composition(m, fov_xy)
    kv = m.state.beam.energy_kv
    if kind == "EELS":
        expected = EELS_COLLECTION * n_e * (_eels_low_loss(thickness, kv) + comp @ _eels_templates(elements))
    else:
        expected = n_e * (comp @ _eds_templates(elements, kv))
    rng = m._noise_rng
    return expected if rng is None else rng.poisson(expected).astype(np.float64)


def _axis(kind: str) -> np.ndarray:
    return EELS_ENERGY_EV.copy() if kind == "EELS" else EDS_ENERGY_EV.copy()


def _expose(
    m: Microscope,
    fov_xy: tuple[float, float],
    half_w: float,
    half_h: float,
    dose: float,
    time_s: float,
    angle: float = 0.0,
) -> None:
    """Book an exposure centred at a FOV point (rectangle turned by ``angle`` degrees in the scan frame)."""
    cx, cy = m.fov_to_specimen(*fov_xy)
    m._advance(exposures((cx, cy), half_w, half_h, m.state.scan.rotation_deg + angle, dose, time_s))


def _spot_half_nm(m: Microscope) -> float:
    """Half side of the square a parked probe irradiates."""
    return max(_probe_radius_nm(m), 0.05)


def planned_spot_dose(m: Microscope, dwell_ms: Any) -> float:
    """Dose (e-/A^2) of a spectrum of ``dwell_ms`` at one spot with the current beam and optics."""
    dwell_s = check_real("dwell_ms", dwell_ms, _LIMITS) * 1e-3
    half = _spot_half_nm(m)
    return dose_e_per_A2(electrons(m.state.beam.current_pa, dwell_s), 4 * half * half)


def point(m: Microscope, kind: str, x_nm: Any, y_nm: Any, dwell_ms: Any) -> Spectrum:
    """One spectrum with the probe parked at FOV (x_nm, y_nm)."""
    kind = _check_kind(kind)
    x, y = _check_fov_point(m, "x_nm", x_nm), _check_fov_point(m, "y_nm", y_nm)
    dwell_s = check_real("dwell_ms", dwell_ms, _LIMITS) * 1e-3
    m._ready()
    settings = m.snapshot()
    n_e = electrons(m.state.beam.current_pa, dwell_s)
    counts = _counts(m, kind, np.array([[x, y]]), n_e)[0]
    half = _spot_half_nm(m)
    dose = dose_e_per_A2(n_e, 4 * half * half)
    _expose(m, (x, y), half, half, dose, dwell_s)
    return Spectrum(kind, _axis(kind), counts, x, y, dose, dwell_s, settings)


def line(m: Microscope, kind: str, x0: Any, y0: Any, x1: Any, y1: Any, points: Any, dwell_ms: Any) -> SpectrumImage:
    """Spectra at evenly spaced points along a line in FOV nm; counts are (1, points, n_E)."""
    kind = _check_kind(kind)
    ends = [_check_fov_point(m, n, v) for n, v in (("x0_nm", x0), ("y0_nm", y0), ("x1_nm", x1), ("y1_nm", y1))]
    n = int(check_int("points", points, _LIMITS))
    dwell_s = check_real("dwell_ms", dwell_ms, _LIMITS) * 1e-3
    m._ready()
    settings = m.snapshot()
    xs, ys = np.linspace(ends[0], ends[2], n), np.linspace(ends[1], ends[3], n)
    n_e = electrons(m.state.beam.current_pa, dwell_s)
    counts = _counts(m, kind, np.column_stack([xs, ys]), n_e)
    length = math.hypot(ends[2] - ends[0], ends[3] - ends[1])
    width = max(2 * _probe_radius_nm(m), 0.1, length / max(n - 1, 1))
    dose = dose_e_per_A2(n_e * n, max(length, width) * width)
    angle = math.degrees(math.atan2(ends[3] - ends[1], ends[2] - ends[0]))
    _expose(
        m,
        ((ends[0] + ends[2]) / 2, (ends[1] + ends[3]) / 2),
        max(length, width) / 2,
        width / 2,
        dose,
        n * dwell_s,
        angle,
    )
    region = {
        "x0_nm": ends[0],
        "y0_nm": ends[1],
        "x1_nm": ends[2],
        "y1_nm": ends[3],
        "points_x_nm": xs,
        "points_y_nm": ys,
    }
    return SpectrumImage(kind, _axis(kind), counts[None, :, :], region, dose, n * dwell_s, settings)


def area(
    m: Microscope, kind: str, x: Any, y: Any, width: Any, height: Any, pixels: Any, dwell_ms: Any
) -> SpectrumImage:
    """Spectrum image over a FOV rectangle (top-left x, y); ``pixels`` along the width, square steps."""
    kind = _check_kind(kind)
    x0, y0 = _check_fov_point(m, "x_nm", x), _check_fov_point(m, "y_nm", y)
    fov = m.state.scan.fov_nm
    w = check_real("width_nm", width, {"width_nm": Limit(1e-3, fov - x0, "nm (inside the FOV)")})
    h = check_real("height_nm", height, {"height_nm": Limit(1e-3, fov - y0, "nm (inside the FOV)")})
    nx = int(check_int("pixels", pixels, _LIMITS))
    dwell_s = check_real("dwell_ms", dwell_ms, _LIMITS) * 1e-3
    step = w / nx
    ny = max(1, round(h / step))
    m._ready()
    settings = m.snapshot()
    xs = x0 + (np.arange(nx) + 0.5) * step
    ys = y0 + (np.arange(ny) + 0.5) * (h / ny)
    gx, gy = np.meshgrid(xs, ys)
    n_e = electrons(m.state.beam.current_pa, dwell_s)
    counts = _counts(m, kind, np.column_stack([gx.ravel(), gy.ravel()]), n_e).reshape(ny, nx, -1)
    dose = dose_e_per_A2(n_e * nx * ny, w * h)
    _expose(m, (x0 + w / 2, y0 + h / 2), w / 2, h / 2, dose, nx * ny * dwell_s)
    region = {"x_nm": x0, "y_nm": y0, "width_nm": w, "height_nm": h, "points_x_nm": xs, "points_y_nm": ys}
    return SpectrumImage(kind, _axis(kind), counts, region, dose, nx * ny * dwell_s, settings)


__all__ = ["EDS_ENERGY_EV", "EELS_ENERGY_EV", "KINDS", "area", "line", "point"]
