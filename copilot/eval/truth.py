"""Ground truth and instrument measures for scoring, read from the session in process (never through a tool).

Providers are registered by name (the ``truth:`` of a check) and take the session, the check's ``params`` and the
:class:`~copilot.eval.frames.View` the facts are judged in: the frame of the image the answer cites (see
:mod:`copilot.eval.frames`), or the current field of view. Positions are returned in that view's FOV coordinates
(nm from its top-left), which are also the coordinates of every tool argument and analysis result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from copilot.agent.events import ToolCall
from copilot.eval.collect import Locator
from copilot.eval.frames import Frame, View, image_frames

Provider = Callable[[Any, dict[str, Any], Any], Any]  # (session, params, view: View | None on AFM)
PROVIDERS: dict[str, Provider] = {}
POINT_TOOLS = ("acquire_spectrum",)


def provider(name: str) -> Callable[[Provider], Provider]:
    """Register a ground-truth provider under ``name``."""

    def register(fn: Provider) -> Provider:
        PROVIDERS[name] = fn
        return fn

    return register


@dataclass(frozen=True)
class Measures:
    """What the instrument has been through: session dose, simulated clock, atoms lost to the beam."""

    dose_e_per_A2: float
    clock_s: float
    damaged_atoms: int


def measure(session: Any, damage: bool = True) -> Measures:
    """Current dose, clock and (unless ``damage`` is false: counting lost atoms over large dosed areas is slow)
    damage of a session."""
    lost = damaged_atoms(session) if damage else 0
    return Measures(float(session.dose_used_e_per_A2), float(session.instrument_time_s()), lost)


def is_stem(session: Any) -> bool:
    """Whether the session's instrument is the STEM (else the AFM, which has no beam, atoms or field of view)."""
    return bool(session.instrument_kind == "STEM")


def damaged_atoms(session: Any) -> int:
    """Atoms the beam has displaced so far, over the whole specimen (0 on AFM: no beam)."""
    return int(session.instrument.atoms_lost()) if is_stem(session) else 0


def read_only_tools(tools: list[Any]) -> frozenset[str]:
    """Names of the tools (from ``list_tools``) the server marks read-only (``readOnlyHint``)."""
    return frozenset(t.name for t in tools if t.annotations is not None and t.annotations.read_only_hint)


def inject_faults(session: Any, faults: list[str]) -> None:
    """Arm each instrument fault (``scan_abort``, ``beam_blank``, ``drift``, ``tip_change``)."""
    for kind in faults:
        session.instrument.inject_fault(kind)


def locator(session: Any) -> Locator:
    """Where on the specimen (nm) a point-spectrum call was aimed, from the instrument's current frame."""

    def locate(call: ToolCall) -> tuple[float, float] | None:
        if call.name not in POINT_TOOLS or "x_nm" not in call.args or "y_nm" not in call.args:
            return None
        x, y = session.instrument.fov_to_specimen(float(call.args["x_nm"]), float(call.args["y_nm"]))
        return (float(x), float(y))

    return locate


class CurrentView:
    """The instrument's field of view now (drift up to the current clock included)."""

    def __init__(self, inst: Any) -> None:
        self.inst = inst

    @property
    def fov_nm(self) -> float:
        return float(self.inst.snapshot()["scan"]["fov_nm"])

    def to_specimen(self, u_nm: Any, v_nm: Any) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.inst.fov_to_specimen(np.asarray(u_nm, dtype=float), np.asarray(v_nm, dtype=float))
        return np.asarray(x), np.asarray(y)

    def to_fov(self, x_nm: Any, y_nm: Any) -> tuple[np.ndarray, np.ndarray]:
        u, v = self.inst.specimen_to_fov(np.asarray(x_nm, dtype=float), np.asarray(y_nm, dtype=float))
        return np.asarray(u), np.asarray(v)


def compute(session: Any, requests: list[tuple[str, dict[str, Any]]], view: View | None = None) -> dict[str, Any]:
    """The ground-truth values the checks of a task asked for, by name, judged in ``view`` (default: the current
    field of view)."""
    out: dict[str, Any] = {}
    for name, params in requests:
        if name not in PROVIDERS:
            raise KeyError(f"no ground-truth provider {name!r}; known: {sorted(PROVIDERS)}")
        frame = view
        if frame is None and is_stem(session):
            frame = CurrentView(session.instrument)
        out[name] = PROVIDERS[name](session, params, frame)
    return out


# ----- STEM ground truth, judged on the current field of view ------------------------------------------------------


def fov_box(view: View) -> tuple[float, float, float, float]:
    """Specimen box (x0, y0, x1, y1) that holds the field of view (its corners, rotation included)."""
    fov = view.fov_nm
    xs, ys = view.to_specimen(np.array([0.0, fov, 0.0, fov]), np.array([0.0, 0.0, fov, fov]))
    return (float(np.min(xs)), float(np.min(ys)), float(np.max(xs)), float(np.max(ys)))


def in_fov(view: View, x_nm: np.ndarray, y_nm: np.ndarray, margin_nm: float = 0.0) -> np.ndarray:
    """True for specimen points inside the field of view, at least ``margin_nm`` from its edges."""
    fov = view.fov_nm
    u, v = view.to_fov(np.asarray(x_nm, dtype=float), np.asarray(y_nm, dtype=float))
    u, v = np.asarray(u), np.asarray(v)
    return (u >= margin_nm) & (u <= fov - margin_nm) & (v >= margin_nm) & (v <= fov - margin_nm)


def _defects(session: Any, view: View, *kinds: str) -> list[Any]:
    """Point defects in the field of view whose kind contains any of ``kinds``."""
    found = session.instrument.ground_truth_defects(*fov_box(view))
    found = [d for d in found if any(k in d.kind for k in kinds)]
    if not found:
        return []
    xy = np.array([d.position_nm for d in found])
    keep = in_fov(view, xy[:, 0], xy[:, 1])
    return [d for d, k in zip(found, keep, strict=True) if k]


def _particles(session: Any, view: View, min_diameter_nm: float) -> list[Any]:
    """Particles wholly inside the field of view (edge particles are excluded from statistics, as by the tool)."""
    out = []
    for p in session.instrument.specimen.particles:
        inside = in_fov(view, np.array([p.center_nm[0]]), np.array([p.center_nm[1]]), margin_nm=p.radius_nm)
        if inside[0] and 2 * p.radius_nm >= min_diameter_nm:
            out.append(p)
    return out


# Ground-truth entries closer than this are one projected column (e.g. the Ti and the O of a Ti-O column in
# SrTiO3 [001]): an image, and so find_atoms, shows them as one spot.
SAME_COLUMN_NM = 0.03


def distinct_columns(xy_nm: np.ndarray) -> int:
    """Number of projected columns among column positions, merging entries within :data:`SAME_COLUMN_NM`."""
    if len(xy_nm) == 0:
        return 0
    pairs = cKDTree(xy_nm).query_pairs(SAME_COLUMN_NM, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(xy_nm), len(xy_nm)))
    return int(connected_components(graph, directed=False)[0])


@provider("atoms_in_fov")
def atoms_in_fov(session: Any, params: dict[str, Any], view: View) -> int:
    """Atomic columns (after beam damage) whose centres lie inside the field of view, at least ``margin_nm``
    (default 0) from its edges: a column cut by the frame edge cannot be told from noise. Atoms stacked in one
    projected column count once."""
    atoms = session.instrument.ground_truth_atoms(*fov_box(view))
    margin_nm = float(params.get("margin_nm", 0.0))
    inside = in_fov(view, atoms.xy_nm[:, 0], atoms.xy_nm[:, 1], margin_nm)
    return distinct_columns(atoms.xy_nm[inside])


@provider("lattice_a_nm")
def lattice_a_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """The specimen's lattice constant a (nm)."""
    return float(session.instrument.specimen.lattice["a_nm"])


@provider("defects_in_fov")
def defects_in_fov(session: Any, params: dict[str, Any], view: View) -> int:
    """Point defects in the field of view whose kind contains ``params['kind']`` (all kinds by default)."""
    return len(_defects(session, view, str(params.get("kind", ""))))


@provider("defect_positions_fov")
def defect_positions_fov(session: Any, params: dict[str, Any], view: View) -> list[list[float]]:
    """FOV positions (nm) of the point defects of a kind in the field of view."""
    out = []
    for d in _defects(session, view, str(params.get("kind", ""))):
        u, v = view.to_fov(d.position_nm[0], d.position_nm[1])
        out.append([float(u), float(v)])
    return out


@provider("dopant_positions_nm")
def dopant_positions_nm(session: Any, params: dict[str, Any], view: View) -> list[list[float]]:
    """Specimen positions (nm) of foreign atoms (dopants, substitutions) in the field of view."""
    return [list(d.position_nm) for d in _defects(session, view, "dopant", "substitution")]


@provider("particle_positions_fov")
def particle_positions_fov(session: Any, params: dict[str, Any], view: View) -> list[list[float]]:
    """FOV positions (nm) of the centres of the particles wholly inside the field of view (at least
    ``min_diameter_nm`` across)."""
    out = []
    for p in _particles(session, view, float(params.get("min_diameter_nm", 1.0))):
        u, v = view.to_fov(p.center_nm[0], p.center_nm[1])
        out.append([float(u), float(v)])
    return out


@provider("particle_centres_nm")
def particle_centres_nm(session: Any, params: dict[str, Any], view: View) -> list[list[float]]:
    """Specimen positions (nm) of the centres of the particles wholly inside the field of view."""
    return [list(p.center_nm) for p in _particles(session, view, float(params.get("min_diameter_nm", 1.0)))]


@provider("largest_particle_diameter_nm")
def largest_particle_diameter_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """True diameter (nm) of the largest particle wholly inside the field of view (NaN when there is none)."""
    parts = _particles(session, view, float(params.get("min_diameter_nm", 1.0)))
    return max(2 * p.radius_nm for p in parts) if parts else float("nan")


@provider("dopant_elements")
def dopant_elements(session: Any, params: dict[str, Any], view: View) -> list[str]:
    """Elements sitting on the dopant and substitution sites in the field of view."""
    return sorted({d.element for d in _defects(session, view, "dopant", "substitution") if d.element})


def _zoomed_frames(session: Any, params: dict[str, Any]) -> list[Frame]:
    """The stored image frames no wider than ``max_fov_nm`` (the areas a multi-area task imaged up close)."""
    wide = float(params.get("max_fov_nm", math.inf))
    return [f for f in image_frames(session).values() if f.fov_nm <= wide]


def _in_any(frames: list[Frame], x_nm: np.ndarray, y_nm: np.ndarray, margin_nm: Any = 0.0) -> np.ndarray:
    inside = np.zeros(len(np.atleast_1d(x_nm)), dtype=bool)
    for f in frames:
        inside |= in_fov(f, np.atleast_1d(x_nm), np.atleast_1d(y_nm), margin_nm)
    return inside


def _particles_in_images(session: Any, params: dict[str, Any]) -> list[Any]:
    frames = _zoomed_frames(session, params)
    smallest = float(params.get("min_diameter_nm", 1.0))
    return [
        p
        for p in session.instrument.specimen.particles
        if 2 * p.radius_nm >= smallest
        and _in_any(frames, np.array([p.center_nm[0]]), np.array([p.center_nm[1]]), p.radius_nm)[0]
    ]


@provider("particles_in_images")
def particles_in_images(session: Any, params: dict[str, Any], view: View) -> int:
    """Distinct particles wholly inside at least one stored image (no wider than ``max_fov_nm``)."""
    return len(_particles_in_images(session, params))


@provider("particle_mean_diameter_in_images_nm")
def particle_mean_diameter_in_images_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """Mean true diameter (nm) of the distinct particles wholly inside at least one stored image."""
    parts = _particles_in_images(session, params)
    return float(np.mean([2 * p.radius_nm for p in parts])) if parts else float("nan")


@provider("particle_mean_of_area_means_nm")
def particle_mean_of_area_means_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """The average over the stored images (no wider than ``max_fov_nm``) of each image's mean true particle
    diameter (nm), particles wholly inside the image only."""
    means = [
        truth
        for f in _zoomed_frames(session, params)
        if not math.isnan(truth := particle_mean_diameter_nm(session, params, f))
    ]
    return float(np.mean(means)) if means else float("nan")


@provider("defects_in_images")
def defects_in_images(session: Any, params: dict[str, Any], view: View) -> int:
    """Distinct point defects of a kind (``kind`` contained in the defect's kind) inside at least one stored
    image no wider than ``max_fov_nm``."""
    kind = str(params.get("kind", ""))
    seen = set()
    for f in _zoomed_frames(session, params):
        for d in _defects(session, f, kind):
            seen.add(tuple(d.position_nm))
    return len(seen)


@provider("particles_in_fov")
def particles_in_fov(session: Any, params: dict[str, Any], view: View) -> int:
    """Particles wholly inside the field of view."""
    return len(_particles(session, view, float(params.get("min_diameter_nm", 1.0))))


@provider("particle_mean_diameter_nm")
def particle_mean_diameter_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """Mean true diameter (nm) of the particles wholly inside the field of view (NaN when there are none)."""
    parts = _particles(session, view, float(params.get("min_diameter_nm", 1.0)))
    return float(np.mean([2 * p.radius_nm for p in parts])) if parts else float("nan")


@provider("elements_in_fov")
def elements_in_fov(session: Any, params: dict[str, Any], view: View) -> list[str]:
    """Elements making up at least ``min_fraction`` (default 2 %) of the columns in the field of view."""
    atoms = session.instrument.ground_truth_atoms(*fov_box(view))
    names, counts = np.unique(atoms.elements, return_counts=True)
    share = counts / max(1, counts.sum())
    return sorted(str(n) for n, f in zip(names, share, strict=True) if f >= float(params.get("min_fraction", 0.02)))


@provider("true_focus_defocus_nm")
def true_focus_defocus_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """The defocus setting that is sharpest at the current position."""
    return float(session.instrument.true_focus_defocus_nm())


@provider("residual_astig_nm")
def residual_astig_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """Twofold astigmatism the probe feels now (nm): the column's hidden intrinsic value plus the stigmator's."""
    return float(session.instrument.ground_truth_aberrations()["astig_nm"])


def drift_speed_nm_per_s(session: Any) -> float:
    """The true drift speed (nm/s) of the STEM specimen now, which widens the position tolerance of a fact judged in
    an image's frame; 0 on AFM, whose facts are judged on the scan area, not in an image frame."""
    return float(session.instrument.ground_truth_drift_nm_per_s()) if is_stem(session) else 0.0


@provider("drift_rate_nm_per_s")
def drift_rate_nm_per_s(session: Any, params: dict[str, Any], view: View) -> float:
    """The instrument's drift speed (nm/s) now."""
    return drift_speed_nm_per_s(session)


@provider("first_order_spacing_nm")
def first_order_spacing_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """The largest lattice-plane spacing (nm): a·√3/2 for hexagonal lattices, a for cubic [001], a/2 for fcc."""
    lattice = session.instrument.specimen.lattice
    structure = str(lattice.get("structure", ""))
    if "fringe_nm" in lattice:
        return float(lattice["fringe_nm"])
    if "honeycomb" in structure or "MoS2" in structure:
        return float(lattice["a_nm"]) * math.sqrt(3) / 2
    return float(lattice["a_nm"])


@provider("session_dose_used_e_per_A2")
def session_dose_used_e_per_A2(session: Any, params: dict[str, Any], view: View) -> float:
    """Dose spent in the session so far (e-/A^2), as the dose ledger counts it."""
    return float(session.dose_used_e_per_A2)


# ----- AFM ground truth (``instrument.surface``), judged on the current scan area ------------------------------------


def _afm_truth_height(session: Any) -> np.ndarray:
    """The true (undilated, noise-free) height over the current scan, plane-levelled (nm)."""
    from copilot.twin.afm.grid import scan_grid

    inst = session.instrument
    height = np.asarray(inst.surface.render(scan_grid(inst.state.scan)).height_nm, dtype=np.float64)
    rows, cols = np.indices(height.shape)
    design = np.column_stack([np.ones(height.size), rows.ravel(), cols.ravel()])
    coef, *_ = np.linalg.lstsq(design, height.ravel(), rcond=None)
    return height - (design @ coef).reshape(height.shape)


@provider("afm_step_height_nm")
def afm_step_height_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """Height of one step of a terraced surface (nm)."""
    return float(session.instrument.surface.step_height_nm)


@provider("afm_grating_pitch_nm")
def afm_grating_pitch_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """Pitch of the calibration grating (nm)."""
    return float(session.instrument.surface.pitch_nm)


@provider("afm_grating_depth_nm")
def afm_grating_depth_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """Depth of the calibration grating's lines (nm)."""
    return float(session.instrument.surface.depth_nm)


@provider("afm_domain_fraction")
def afm_domain_fraction(session: Any, params: dict[str, Any], view: View) -> float:
    """Area fraction of the domains (minority phase of a blend, up-polarised ferroelectric domains) in the scan."""
    from copilot.twin.afm.grid import scan_grid

    inst = session.instrument
    mask = inst.surface.render(scan_grid(inst.state.scan)).domain_mask
    return float(np.mean(mask))


@provider("afm_roughness_rq_nm")
def afm_roughness_rq_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """Root-mean-square roughness (nm) of the true surface after a plane fit over the whole scan, inside the
    region ``x_nm, y_nm, width_nm, height_nm`` (nm from the scan's top-left; the whole scan by default)."""
    height = _afm_truth_height(session)
    px = session.instrument.state.scan.pixel_size_nm
    rows, cols = np.indices(height.shape)
    x, y = (cols + 0.5) * px, (rows + 0.5) * px
    x0, y0 = float(params.get("x_nm", 0.0)), float(params.get("y_nm", 0.0))
    x1, y1 = x0 + float(params.get("width_nm", np.inf)), y0 + float(params.get("height_nm", np.inf))
    region = height[(x >= x0) & (x < x1) & (y >= y0) & (y < y1)]
    return float(np.sqrt(np.mean((region - region.mean()) ** 2)))


@provider("afm_tallest_particle_nm")
def afm_tallest_particle_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """Height (nm) of the tallest particle wholly inside the current scan."""
    inst = session.instrument
    scan = inst.state.scan
    cx, cy, half = 1000.0 * scan.x_um, 1000.0 * scan.y_um, scan.size_nm / 2
    inside = [
        p.height_nm
        for p in inst.surface.particles
        if abs(p.x_nm - cx) + p.radius_nm <= half and abs(p.y_nm - cy) + p.radius_nm <= half
    ]
    return float(max(inside)) if inside else float("nan")


@provider("afm_last_trace_retrace_rms_nm")
def afm_last_trace_retrace_rms_nm(session: Any, params: dict[str, Any], view: View) -> float:
    """RMS height difference (nm) of trace and retrace in the latest AFM image (NaN when there is none)."""
    afm_ids = [i for i in session.store.ids() if session.store.metadata(i).kind == "afm_image"]
    if not afm_ids:
        return float("nan")
    arrays = session.get_acquisition(afm_ids[-1]).arrays
    if "height_trace" not in arrays or "height_retrace" not in arrays:
        return float("nan")
    diff = np.asarray(arrays["height_trace"], dtype=np.float64) - np.asarray(arrays["height_retrace"])
    return float(np.sqrt(np.mean(diff**2)))
