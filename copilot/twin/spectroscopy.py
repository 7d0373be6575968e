"""EELS and EDS at a point, along a line and over an area, from the atoms under the probe.

Each spectrum feature (an EELS edge, an EDS line or an element's bremsstrahlung) samples the atoms around the probe
position with a Gaussian footprint: the probe, the delocalisation of that energy loss (d50 = 0.5 lambda /
theta_E^(3/4)) and the beam broadening through the specimen (Goldstein single scattering, depth-averaged) added
in quadrature. The footprint-weighted areal density (atoms/nm^2) times a cross-section (nm^2) is the signal per
electron, so a thick crystal shows its neighbouring columns and a monolayer shows its composition wherever the
probe sits. Counts follow the number of electrons (current x dwell) with Poisson noise.

EELS: zero-loss peak and plasmons with Poisson weights ``(t/L)^n exp(-t/L) / n!`` (inelastic mean free path
L ~ 100 nm at 200 kV), a power-law valence background, and core-loss edges as power-law tails with a smoothed
(or, for M4,5 edges, delayed) onset. EDS: ionisation cross-sections (Bethe) times the photons per ionisation of
each line, over a thin-target bremsstrahlung background (Bethe-Heitler, ~Z^2/E), seen by a 0.7 sr silicon drift
detector through a polymer window; lines broadened to the detector resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from copilot.twin.damage import surviving_atoms
from copilot.twin.dose import Exposure, dose_e_per_A2, electrons, exposures
from copilot.twin.drift import Drift
from copilot.twin.elements import ATOMIC_NUMBER, EDS_LINES, EELS_EDGES
from copilot.twin.errors import InvalidSettingError
from copilot.twin.imaging import Scene, frame_geometry
from copilot.twin.probe import Aberrations, probe_size_nm, wavelength_nm
from copilot.twin.results import Spectrum, SpectrumImage
from copilot.twin.specimens.base import AMORPHOUS_C_PER_NM3
from copilot.twin.state import InstrumentState, Limit, check_int, check_real

EELS_ENERGY_EV = np.arange(-20.0, 3000.0, 1.0)
EDS_ENERGY_EV = np.arange(5.0, 20000.0, 10.0)
KINDS = ("EELS", "EDS")

ELECTRON_REST_EV = 510998.95
PLASMON_EV = 24.0
EELS_COLLECTION = 0.5
EELS_ONSET_NM2_PER_EV = 5.0e-8
"""Partial cross-section per atom and eV at the C-K onset inside the spectrometer aperture (5e-6 A^2/eV)."""
VALENCE_TAIL_PER_EV = 0.01
EDS_SOLID_ANGLE_SR = 0.7
EDS_WINDOW_KEV = 0.27
"""Polymer window transmission exp(-(E_w/E)^3): 0.4 at C Ka, 0.87 at O Ka, 1 above 1.5 keV."""
SDD_SI_THICKNESS_CM = 0.045
SI_MU_RHO_10KEV_CM2_PER_G = 34.0
SI_DENSITY_G_PER_CM3 = 2.33
BETHE_CM2_KEV2 = 6.51e-20
ALPHA_RE2_NM2 = 5.795e-14
"""Fine-structure constant times the classical electron radius squared, nm^2."""
AVOGADRO = 6.02214076e23
FOOTPRINT_SEARCH_NM = 1.0
"""Atoms farther than this from the probe do not contribute (3 sigma of the widest footprint)."""
MAX_SHARED_COLUMNS = 1_000_000
CHUNK_POINTS = 4096

_LIMITS = {
    "dwell_ms": Limit(0.01, 60000.0, "ms"),
    "points": Limit(2, 4096, "points"),
    "pixels": Limit(1, 256, "px"),
}
Feature = tuple[str, float]
"""An element and the energy (eV) that sets its delocalisation; inf for bremsstrahlung (no delocalisation)."""


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


def _probe_radius_nm(state: InstrumentState, aberrations: Aberrations) -> float:
    return probe_size_nm(aberrations, state.beam.energy_kv, state.optics.convergence_mrad * 1e-3) / 2


def _to_specimen(state: InstrumentState, drift: Drift, fov_xy: np.ndarray) -> np.ndarray:
    """Specimen coordinates (N, 2) of FOV points (N, 2) at the current instrument time."""
    geo = frame_geometry(state, drift, state.clock_s)
    return (np.asarray(fov_xy, dtype=np.float64) - geo.fov_nm / 2) @ geo.axes().T + np.asarray(geo.center_nm)


def _pv_eV(energy_kv: float) -> float:
    """Momentum times velocity of the beam electrons (eV): gamma m v^2, 344 keV at 200 kV."""
    t = energy_kv * 1e3
    return t * (t + 2 * ELECTRON_REST_EV) / (t + ELECTRON_REST_EV)


def delocalisation_sigma_nm(energy_eV: float, energy_kv: float) -> float:
    """Gaussian sigma of the inelastic delocalisation of a loss ``energy_eV``: d50 = 0.5 lambda / theta_E^(3/4)."""
    if not math.isfinite(energy_eV):
        return 0.0
    theta_e = energy_eV / _pv_eV(energy_kv)
    return 0.5 * wavelength_nm(energy_kv) / theta_e**0.75 / 2.355


def broadening_sigma_nm(z_mean: np.ndarray, mol_per_cm3: np.ndarray, thickness_nm: np.ndarray, kv: float) -> np.ndarray:
    """Depth-averaged sigma of the beam broadening (Goldstein: b = 7.21e5 Z/E0 (rho/A)^1/2 t^3/2, cgs, eV)."""
    b_cm = 7.21e5 * z_mean / (kv * 1e3) * np.sqrt(mol_per_cm3) * (thickness_nm * 1e-7) ** 1.5
    return b_cm * 1e7 / (2 * 2.146) / 2  # 90 % radius -> sigma at the exit surface -> rms over the depth


def _densities(
    state: InstrumentState, scene: Scene, aberrations: Aberrations, pts: np.ndarray, features: list[Feature]
) -> tuple[np.ndarray, np.ndarray]:
    """Footprint-weighted areal density (atoms/nm^2) of each feature's element at specimen points (N, F), and
    the thickness (nm) there."""
    specimen, ledger = scene.specimen, scene.ledger
    kv = state.beam.energy_kv
    r = FOOTPRINT_SEARCH_NM
    box = (pts[:, 0].min() - r, pts[:, 1].min() - r, pts[:, 0].max() + r, pts[:, 1].max() + r)
    grown = np.zeros(len(pts))
    for e in ledger.near(box):
        grown += e.contamination_nm * e.covers(pts[:, 0], pts[:, 1])
    thickness = np.array([specimen.thickness_nm(float(x), float(y)) for x, y in pts]) + grown
    elements = sorted(ATOMIC_NUMBER)
    z_of = np.array([ATOMIC_NUMBER[e] for e in elements], dtype=np.float64)
    feat_el = np.array([elements.index(el) for el, _ in features])
    deloc2 = np.array([delocalisation_sigma_nm(en, kv) ** 2 for _, en in features])
    probe2 = (_probe_radius_nm(state, aberrations) * 2 / 2.355) ** 2
    dens = np.zeros((len(pts), len(features)))
    compact = (box[2] - box[0]) * (box[3] - box[1]) * specimen.columns_per_nm2 <= MAX_SHARED_COLUMNS
    groups = (
        np.array_split(np.arange(len(pts)), max(1, len(pts) // CHUNK_POINTS))
        if compact
        else np.arange(len(pts))[:, None]
    )
    for idx in groups:
        sel = pts[idx]
        atoms = surviving_atoms(
            specimen, ledger, (sel[:, 0].min() - r, sel[:, 1].min() - r, sel[:, 0].max() + r, sel[:, 1].max() + r)
        )
        if len(atoms) == 0:
            continue
        hits = cKDTree(atoms.xy_nm).query_ball_point(sel, r)
        lens = np.array([len(h) for h in hits])
        if lens.sum() == 0:
            continue
        pt = np.repeat(np.arange(len(idx)), lens)
        at = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
        r2 = np.sum((atoms.xy_nm[at] - sel[pt]) ** 2, axis=1)
        col = np.searchsorted(elements, atoms.elements)[at]
        cnt = atoms.count[at].astype(np.float64)
        n_atoms = np.bincount(pt, cnt, len(idx))
        z_mean = np.bincount(pt, cnt * z_of[col], len(idx)) / np.maximum(n_atoms, 1.0)
        t = np.maximum(thickness[idx], 1e-3)
        mol_per_cm3 = n_atoms / (math.pi * r * r * t) * 1e21 / AVOGADRO
        broad2 = broadening_sigma_nm(z_mean, mol_per_cm3, thickness[idx], kv) ** 2
        for f, el in enumerate(feat_el):
            mine = col == el
            s2 = (probe2 + deloc2[f] + broad2)[pt[mine]]
            w = cnt[mine] * np.exp(-r2[mine] / (2 * s2)) / (2 * math.pi * s2)
            dens[idx, f] = np.bincount(pt[mine], w, len(idx))
    carbon = np.array([el == "C" for el, _ in features])
    dens[:, carbon] += (grown * AMORPHOUS_C_PER_NM3)[:, None]
    return dens, thickness


def _edge_shape(e: np.ndarray, onset_eV: float, exponent: float, delay_eV: float) -> np.ndarray:
    """Edge profile, 1 at a sharp onset: smoothed step, power-law tail, and the slow rise of a delayed edge."""
    step = 0.5 * (1.0 + np.tanh((e - onset_eV) / 2.0))
    shape = step * (np.maximum(e, 1.0) / onset_eV) ** -exponent
    if delay_eV > 0:
        x = np.clip(e - onset_eV, 0.0, None) / delay_eV
        shape *= x * x / (1.0 + x * x)
    return shape


def _eels(state: InstrumentState, scene: Scene, aberrations: Aberrations, pts: np.ndarray) -> np.ndarray:
    """Expected EELS counts per electron per channel at specimen points (N, n_E)."""
    kv = state.beam.energy_kv
    edges = [(el, edge) for el in sorted(EELS_EDGES) for edge in EELS_EDGES[el]]
    dens, thickness = _densities(state, scene, aberrations, pts, [(el, edge.onset_eV) for el, edge in edges])
    e = EELS_ENERGY_EV
    templates = np.array(
        [EELS_ONSET_NM2_PER_EV * ed.strength * _edge_shape(e, ed.onset_eV, ed.exponent, ed.delay_eV) for _, ed in edges]
    )
    return EELS_COLLECTION * (_eels_low_loss(thickness, kv) + dens @ templates)


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


def _bethe_energy_keV(energy_kv: float) -> float:
    """Kinetic energy m v^2 / 2 (keV) that the non-relativistic Bethe and Bethe-Heitler formulae take."""
    gamma = 1.0 + energy_kv * 1e3 / ELECTRON_REST_EV
    return ELECTRON_REST_EV / 2 * (1.0 - 1.0 / gamma**2) / 1e3


def ionisation_cross_section_nm2(edge_keV: float, shell_nb: float, energy_kv: float) -> float:
    """Bethe ionisation cross-section of a shell, 6.51e-20 n_s b_s ln(U) / (U E_c^2) cm^2 (0 below threshold)."""
    u = _bethe_energy_keV(energy_kv) / edge_keV
    return 0.0 if u <= 1.0 else BETHE_CM2_KEV2 * shell_nb * math.log(u) / (u * edge_keV**2) * 1e14


def eds_efficiency(energy_eV: np.ndarray) -> np.ndarray:
    """Detected fraction of photons entering the detector: window transmission times absorption in the Si."""
    e_kev = np.asarray(energy_eV, dtype=np.float64) / 1e3
    window = np.exp(-((EDS_WINDOW_KEV / e_kev) ** 3))
    mu_t = SI_MU_RHO_10KEV_CM2_PER_G * (10.0 / e_kev) ** 2.8 * SI_DENSITY_G_PER_CM3 * SDD_SI_THICKNESS_CM
    return window * -np.expm1(-mu_t)


def _bremsstrahlung_nm2_per_eV(z: int, energy_eV: np.ndarray, energy_kv: float) -> np.ndarray:
    """Thin-target bremsstrahlung cross-section per atom (Bethe-Heitler, non-relativistic), nm^2 per eV."""
    t = _bethe_energy_keV(energy_kv) * 1e3
    k = np.clip(energy_eV, 1.0, t * (1 - 1e-9))
    log = np.log((math.sqrt(t) + np.sqrt(t - k)) ** 2 / k)
    return 16.0 / 3.0 * ALPHA_RE2_NM2 * z * z * (ELECTRON_REST_EV / t) / k * log


def _eds(state: InstrumentState, scene: Scene, aberrations: Aberrations, pts: np.ndarray) -> np.ndarray:
    """Expected EDS counts per electron per channel at specimen points (N, n_E)."""
    kv = state.beam.energy_kv
    e = EDS_ENERGY_EV
    step = float(e[1] - e[0])
    seen = EDS_SOLID_ANGLE_SR / (4 * math.pi) * eds_efficiency(e)
    lines = [(el, ln) for el in sorted(EDS_LINES) for ln in EDS_LINES[el]]
    features = [(el, ln.edge_keV * 1e3) for el, ln in lines] + [(el, math.inf) for el in sorted(ATOMIC_NUMBER)]
    dens, _ = _densities(state, scene, aberrations, pts, features)
    rows = []
    for _, ln in lines:
        energy = ln.energy_keV * 1e3
        fwhm = math.sqrt(50.0**2 + 2.5 * energy)
        sigma = ionisation_cross_section_nm2(ln.edge_keV, ln.shell_nb, kv)
        rows.append(sigma * ln.photons_per_ionisation * _gauss(e, energy, fwhm / 2.355) * seen)
    for el in sorted(ATOMIC_NUMBER):
        rows.append(_bremsstrahlung_nm2_per_eV(ATOMIC_NUMBER[el], e, kv) * step * seen)
    return dens @ np.array(rows)


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
        model = _eels if kind == "EELS" else _eds
        expected = n_e * model(self.state, self.scene, self.how.aberrations, pts)
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
    return max(_probe_radius_nm(state, aberrations), 0.05)


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
    width = max(2 * _probe_radius_nm(state, how.aberrations), 0.1, length / max(n - 1, 1))
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
