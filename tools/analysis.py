"""Analysis tools: thin MCP wrappers over :mod:`copilot.analysis` working on stored acquisitions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from fastmcp import FastMCP
from fastmcp.tools import ToolResult
from pydantic import Field

from copilot.analysis.atoms import find_atoms as _find_atoms
from copilot.analysis.defects import detect_defects as _detect_defects
from copilot.analysis.drift import estimate_drift as _estimate_drift
from copilot.analysis.errors import AnalysisError
from copilot.analysis.fft import compute_fft as _compute_fft
from copilot.analysis.filters import DenoiseMethod
from copilot.analysis.filters import denoise_image as _denoise_image
from copilot.analysis.focus import focus_quality as _focus_quality
from copilot.analysis.lattice import measure_lattice as _measure_lattice
from copilot.analysis.lattice_drift import corrected_lattice as _corrected_lattice
from copilot.analysis.overlays import atoms_overlay, defects_overlay, fft_overlay, particles_overlay
from copilot.analysis.particles import segment_particles as _segment_particles
from copilot.analysis.plots import profile_plot, spectrum_plot
from copilot.analysis.profile import line_profile as _line_profile
from copilot.analysis.spectra import identify_elements as _identify_elements

from .analysis_afm import register_afm_analysis_tools
from .common import ACQUIRE, READ_ONLY, Result, add_tool, image_content, with_images

AcqId = Annotated[
    str | None, Field(description="acquisition id such as a0001; omit for the latest", pattern=r"^a\d{4,8}$")
]
Nm = Annotated[float, Field(description="position in nm from the image's top-left corner", ge=0, le=1e5)]


def _image(session: Any, acq_id: str | None) -> tuple[str, np.ndarray, float]:
    """(id, image, pixel size nm) of an image acquisition (the latest when ``acq_id`` is None)."""
    chosen = acq_id or session.latest_acquisition_id
    if chosen is None:
        raise AnalysisError("there is no acquisition yet.", hint="Acquire an image first (acquire_image).")
    acq = session.get_acquisition(chosen)
    if "image" not in acq.arrays:
        raise AnalysisError(f"{chosen} is a {acq.kind}, not an image.", hint="Pass the id of an image acquisition.")
    return chosen, np.asarray(acq.arrays["image"], dtype=np.float64), float(acq.metadata["pixel_size_nm"])


def _image_or_height(session: Any, acq_id: str | None) -> tuple[str, np.ndarray, float, str]:
    """(id, image, pixel size nm, units) of a STEM image, or of an AFM image's trace height channel in nm."""
    chosen = acq_id or session.latest_acquisition_id
    if chosen is not None and session.get_acquisition(chosen).kind == "afm_image":
        acq = session.get_acquisition(chosen)
        return (
            chosen,
            np.asarray(acq.arrays["height_trace"], dtype=np.float64),
            float(acq.metadata["pixel_size_nm"]),
            "nm",
        )
    return (*_image(session, acq_id), "counts")


RELIABLE = (
    "true when the measurement can be trusted as it stands; false when the image does not support it (low "
    "signal, too few columns or sites, drift shear, aliasing, ...): then reliability_note says why and what to do"
)


class Reliability(Result):
    """The verdict every measuring tool returns with its numbers."""

    reliable: bool = Field(description=RELIABLE)
    reliability_note: str = Field(description="why the result is not reliable (empty when it is)")


class Sublattice(Result):
    relative_intensity: float = Field(description="median column intensity over the brightest sub-lattice's")
    spread: float = Field(description="robust relative scatter of its column intensities (noise included)")
    sites: int
    judged: bool = Field(description="false when too noisy for an empty site to stand out (no defects judged)")


def _raw_image(session: Any, acq_id: str) -> np.ndarray | None:
    """The recorded image an acquisition was derived from (through any chain of denoising); None if it is one."""
    meta = session.get_acquisition(acq_id).metadata
    if not meta.get("derived_from"):
        return None
    source = str(meta["derived_from"])
    while session.get_acquisition(source).metadata.get("derived_from"):
        source = str(session.get_acquisition(source).metadata["derived_from"])
    return np.asarray(session.get_acquisition(source).arrays["image"], dtype=np.float64)


class AtomsResult(Reliability):
    acquisition_id: str
    atom_count: int
    atom_count_uncertainty: float = Field(
        description="about one standard deviation of the count: columns a different noise draw would add or drop"
    )
    spacing_nm: float | None = Field(description="median nearest-neighbour spacing; null with fewer than 2 atoms")
    class_counts: list[int]
    class_mean_intensities: list[float]


class LatticeResult(Reliability):
    acquisition_id: str
    rotated_acquisition_id: str | None = Field(description="the second frame, when the cell is drift-corrected")
    a_nm: float
    b_nm: float
    a_uncertainty_nm: float | None = Field(description="one standard deviation of a (scatter of the indexed peaks)")
    b_uncertainty_nm: float | None
    gamma_deg: float
    d_spacings_nm: list[float]
    peaks_indexed: int
    fast_scan_axis: Literal["x"] = Field(
        description="image axis scanned fast (along each row); drift during a frame distorts the cell along the "
        "slow axis (y) only"
    )
    drift_corrected: bool


class DefectsResult(Reliability):
    acquisition_id: str
    vacancies: int
    substitutions: int
    partial_vacancies: int
    interstitials: int
    sites_judged: int
    margin_nm: float = Field(description="band along the frame edges left unjudged (cut columns look empty)")
    sublattices: list[Sublattice] = Field(description="the motif's sub-lattices, 0 = the brightest columns")
    positions_nm: list[tuple[str, float, float, int]] = Field(
        description="(kind, x_nm, y_nm, sublattice) of up to 50 defects; sublattice -1 for interstitials"
    )


class ParticlesResult(Reliability):
    acquisition_id: str
    image_units: str = Field(description="units of threshold and heights: detector counts, or nm on AFM heights")
    particle_count: int = Field(description="particles not cut by the image edge")
    particle_count_uncertainty: float = Field(
        description="about one standard deviation of the count: particles so close to the detection threshold that "
        "a different noise draw could add or drop them"
    )
    edge_particles_excluded: int
    mean_diameter_nm: float | None
    mean_diameter_uncertainty_nm: float | None = Field(
        description="one standard deviation of the mean diameter (sampling spread and each particle's fit error)"
    )
    std_diameter_nm: float | None
    mean_height: float | None = Field(
        description="mean peak height above the support, in image_units (on AFM heights: nm, the true size of a "
        "round particle, while lateral sizes are broadened by the tip)"
    )
    detection_limit_nm: float = Field(description="smallest diameter that stands out of the noise here (0: unknown)")
    threshold: float = Field(description="detection level used, image_units above the local background")
    histogram_counts: list[int]
    histogram_edges_nm: list[float]
    offset: int
    particles_nm: list[tuple[float, float, float]] = Field(
        description="(x_nm, y_nm, diameter_nm) of the particles not cut by the edge, largest first, from offset, at "
        "most limit; x, y are the centre in the FOV, nm from the top-left corner"
    )
    heights: list[float] = Field(description="peak height of each listed particle, image_units, same order")


class FFTSummary(Result):
    acquisition_id: str
    d_spacings_nm: list[float]
    angles_deg: list[float]


class ProfileResult(Result):
    acquisition_id: str
    image_units: str = Field(description="units of the values: detector counts, or nm on an AFM height image")
    length_nm: float
    samples: int
    minimum: float
    maximum: float
    mean: float


class DriftResult(Reliability):
    dx_nm: float = Field(description="shift of the features from the first to the second image, +x to the right")
    dy_nm: float = Field(description="+y downwards, as in the image")
    uncertainty_nm: float = Field(description="about one standard deviation of the shift")
    dt_s: float = Field(description="time between the two frames' starts (from their metadata unless given)")
    rate_nm_per_s: float
    direction_deg: float = Field(description="direction of the drift from +x, y downwards (0-360)")
    confidence: float


class FocusResult(Result):
    acquisition_id: str
    sharpness: float
    brenner: float
    laplacian_variance: float


class ElementsResult(Reliability):
    acquisition_id: str
    kind: str
    present: list[str]
    evidence: list[tuple[str, str, float, float]] = Field(description="(element, edge/line, energy_eV, sigmas)")


MARGINAL_SIGMAS = (3.0, 7.0)  # an edge or line this significant could go either way with another noise draw


def _elements_verdict(evidence: list[tuple[str, str, float, float]]) -> tuple[bool, str]:
    """Unreliable when an edge or line sits near the 5-sigma detection level (present or absent by chance)."""
    lo, hi = MARGINAL_SIGMAS
    marginal = [f"{el} {feat} ({sig:.1f} sigma)" for el, feat, _, sig in evidence if lo <= sig < hi]
    if not marginal:
        return True, ""
    return False, (
        f"near the 5-sigma detection level: {', '.join(marginal)}; a longer dwell (more counts) would decide"
    )


class DenoiseResult(Result):
    acquisition_id: str = Field(description="id of the new, denoised acquisition")
    derived_from: str
    method: str
    strength_nm: float


def register_analysis_tools(mcp: FastMCP, session: Any) -> None:
    """Register the image and spectrum analysis tools over ``session``."""

    def find_atoms(acq_id: AcqId = None) -> ToolResult:
        """Find atomic columns in an atomic-resolution image: count (with its uncertainty), spacing and intensity
        classes (heavier columns are brighter in HAADF, roughly as Z^1.7). Only columns that stand above the
        noise count: on a denoised image, significance is judged on the original acquisition, so denoised noise
        gives no columns. reliable is false at low signal (columns near the noise), with too few columns, or
        when many columns sit at the detection threshold."""
        chosen, img, px = _image(session, acq_id)
        a = _find_atoms(img, px, raw=_raw_image(session, chosen))
        result = AtomsResult(
            acquisition_id=chosen,
            atom_count=a.count,
            atom_count_uncertainty=round(a.count_uncertainty, 1),
            reliable=a.reliable,
            reliability_note=a.reliability_note,
            spacing_nm=a.spacing_nm if np.isfinite(a.spacing_nm) else None,
            class_counts=list(a.class_counts),
            class_mean_intensities=list(a.class_mean_intensities),
        )
        return with_images(result, image_content(atoms_overlay(img, a, px)))

    def measure_lattice(
        acq_id: AcqId = None,
        rotated_acq_id: Annotated[
            str | None,
            Field(
                description="a second image of the same area with the scan rotated (e.g. rotation_deg 90): gives "
                "the drift-corrected cell",
                pattern=r"^a\d{4,8}$",
            ),
        ] = None,
    ) -> LatticeResult:
        """Lattice constants (nm, with uncertainties) and angle (deg) from the Fourier peaks of an
        atomic-resolution image. The image's x axis is the fast scan axis: drift during the frame shears and
        stretches the cell along y. reliable is false when the cell looks like a square or hexagonal one sheared
        that way; then acquire the same area again with set_scan rotation_deg 90 and pass that id as
        rotated_acq_id: the fast-axis components of both frames give the cell free of (constant) drift."""
        chosen, img, px = _image(session, acq_id)
        if rotated_acq_id is None:
            lat = _measure_lattice(img, px)
        else:
            _, img2, px2 = _image(session, rotated_acq_id)
            if img2.shape != img.shape or not np.isclose(px2, px, rtol=1e-6):
                raise AnalysisError(
                    f"{chosen} and {rotated_acq_id} differ in pixels or pixel size.",
                    hint="Acquire the rotated frame with the same fov_nm and pixels, changing only rotation_deg.",
                )
            rotations = [
                float(session.get_acquisition(i).metadata.get("rotation_deg", 0.0)) for i in (chosen, rotated_acq_id)
            ]
            lat = _corrected_lattice(img, img2, px, rotations[0], rotations[1])
        return LatticeResult(
            acquisition_id=chosen,
            rotated_acquisition_id=rotated_acq_id,
            a_nm=lat.a_nm,
            b_nm=lat.b_nm,
            a_uncertainty_nm=lat.a_uncertainty_nm if np.isfinite(lat.a_uncertainty_nm) else None,
            b_uncertainty_nm=lat.b_uncertainty_nm if np.isfinite(lat.b_uncertainty_nm) else None,
            gamma_deg=lat.gamma_deg,
            d_spacings_nm=list(lat.d_spacings_nm),
            peaks_indexed=lat.n_peaks_indexed,
            fast_scan_axis="x",
            drift_corrected=rotated_acq_id is not None,
            reliable=lat.reliable,
            reliability_note=lat.reliability_note,
        )

    def detect_defects(acq_id: AcqId = None) -> ToolResult:
        """Vacancies, substitutions (brighter = heavier atom), partial vacancies (a dimmer, partly empty column)
        and interstitials on the lattice sites of an atomic-resolution image, with their positions in nm and the
        sub-lattice each sits on. Sites within one lattice spacing of the frame edge are not judged. A site is a
        defect only when its column intensity departs from its sub-lattice's by more than noise could explain;
        a sub-lattice too noisy for that (low dose) is not judged and reliable is false."""
        chosen, img, px = _image(session, acq_id)
        d = _detect_defects(img, px)
        c = d.counts
        result = DefectsResult(
            acquisition_id=chosen,
            vacancies=c["vacancy"],
            substitutions=c["substitution"],
            partial_vacancies=c["partial_vacancy"],
            interstitials=c["interstitial"],
            sites_judged=len(d.sites_nm),
            margin_nm=round(d.margin_nm, 4),
            sublattices=[
                Sublattice(
                    relative_intensity=round(s.relative_intensity, 3),
                    spread=round(s.spread, 3),
                    sites=s.sites,
                    judged=s.judged,
                )
                for s in d.sublattices
            ],
            positions_nm=[(x.kind, round(x.x_nm, 4), round(x.y_nm, 4), x.sublattice) for x in d.defects[:50]],
            reliable=d.reliable,
            reliability_note=d.reliability_note,
        )
        return with_images(result, image_content(defects_overlay(img, d, px)))

    def segment_particles(
        acq_id: AcqId = None,
        min_diameter_nm: Annotated[float, Field(description="smallest particle kept, nm", gt=0, le=1000)] = 1.0,
        max_diameter_nm: Annotated[
            float | None, Field(description="largest particle kept, nm (omit: no limit)", gt=0, le=1e5)
        ] = None,
        threshold_sigmas: Annotated[
            float, Field(description="detection level in noise standard deviations above the support", gt=0, le=100)
        ] = 5.0,
        threshold: Annotated[
            float | None,
            Field(description="detection level in image units above the support (overrides threshold_sigmas)", gt=0),
        ] = None,
        offset: Annotated[int, Field(description="first particle listed (paging), 0 = the largest", ge=0)] = 0,
        limit: Annotated[int, Field(description="most particles listed", ge=1, le=500)] = 50,
    ) -> ToolResult:
        """Count particles and measure their diameters (nm) on a STEM image or an AFM height image (then also their
        heights in nm). Particles are detected against the noise of the local support, down to about 1.5 nm where
        the pixel is small enough; each diameter comes from a fit of the particle's profile. Particles cut by the
        image edge are left out of the statistics. Lists the particles largest first (page with offset and limit;
        particle_count is the total), to centre one with move_stage. reliable is false when particles of
        min_diameter_nm would not stand out of the noise, or when particles span too few pixels to be sized."""
        chosen, img, px, units = _image_or_height(session, acq_id)
        p = _segment_particles(
            img, px, threshold, None, min_diameter_nm, max_diameter_nm, threshold_sigmas=threshold_sigmas
        )
        d = p.diameters_nm
        interior = sorted(p.interior, key=lambda q: -q.diameter_nm)
        result = ParticlesResult(
            acquisition_id=chosen,
            image_units=units,
            particle_count=p.count,
            particle_count_uncertainty=round(p.count_uncertainty, 1),
            edge_particles_excluded=len(p.particles) - p.count,
            mean_diameter_nm=float(d.mean()) if d.size else None,
            mean_diameter_uncertainty_nm=round(p.mean_diameter_uncertainty_nm, 4) if d.size else None,
            std_diameter_nm=float(d.std()) if d.size else None,
            mean_height=float(np.mean([q.height for q in interior])) if interior else None,
            detection_limit_nm=round(p.detection_limit_nm, 3),
            threshold=float(p.threshold),
            histogram_counts=list(p.histogram_counts),
            histogram_edges_nm=list(p.histogram_edges_nm),
            offset=offset,
            particles_nm=[
                (round(q.x_nm, 3), round(q.y_nm, 3), round(q.diameter_nm, 3)) for q in interior[offset : offset + limit]
            ],
            heights=[round(q.height, 4) for q in interior[offset : offset + limit]],
            reliable=p.reliable,
            reliability_note=p.reliability_note,
        )
        return with_images(result, image_content(particles_overlay(img, p, px)))

    def compute_fft(acq_id: AcqId = None) -> ToolResult:
        """Power spectrum of an image with its main peaks as d-spacings (nm) and directions (deg)."""
        chosen, img, px = _image(session, acq_id)
        f = _compute_fft(img, px)
        result = FFTSummary(
            acquisition_id=chosen,
            d_spacings_nm=[p.d_spacing_nm for p in f.peaks],
            angles_deg=[p.angle_deg for p in f.peaks],
        )
        return with_images(result, image_content(fft_overlay(f)))

    def line_profile(
        x0_nm: Nm,
        y0_nm: Nm,
        x1_nm: Nm,
        y1_nm: Nm,
        width_nm: Annotated[float, Field(description="averaging width across the line, nm", ge=0, le=1000)] = 0.0,
        acq_id: AcqId = None,
    ) -> ToolResult:
        """Intensity profile along a line between two points of a STEM image, or height profile (nm) along a line of
        an AFM height image (trace); points in nm from the image's top-left corner."""
        chosen, img, px, units = _image_or_height(session, acq_id)
        p = _line_profile(img, px, x0_nm, y0_nm, x1_nm, y1_nm, width_nm)
        result = ProfileResult(
            acquisition_id=chosen,
            image_units=units,
            length_nm=float(p.distance_nm[-1]),
            samples=len(p.values),
            minimum=float(p.values.min()),
            maximum=float(p.values.max()),
            mean=float(p.values.mean()),
        )
        return with_images(result, image_content(profile_plot(p.distance_nm, p.values)))

    def estimate_drift(
        first_acq_id: Annotated[str, Field(description="earlier image, e.g. a0001", pattern=r"^a\d{4,8}$")],
        second_acq_id: Annotated[str, Field(description="later image of the same area", pattern=r"^a\d{4,8}$")],
        dt_s: Annotated[
            float | None,
            Field(
                description="override: time between the frames, s (default: from their start times)",
                ge=1e-3,
                le=1e6,
                allow_inf_nan=False,
            ),
        ] = None,
    ) -> DriftResult:
        """Specimen drift between two images of the same area and settings: shift (nm), rate (nm/s) and direction
        (deg); the time between them comes from the acquisitions' start times. On a crystal, the lattice repeats:
        the shift is unwrapped with the non-repeating features (defects, contamination, edges); without any,
        reliable is false (the shift is known only modulo a lattice vector): register two coarse frames instead,
        or frames taken closer in time."""
        _, a, px = _image(session, first_acq_id)
        _, b, _ = _image(session, second_acq_id)
        if dt_s is None:
            starts = [session.get_acquisition(i).metadata.get("started_s") for i in (first_acq_id, second_acq_id)]
            if not all(isinstance(t, (int, float)) for t in starts) or float(starts[1]) <= float(starts[0]):
                raise AnalysisError(
                    f"the start times of {first_acq_id} and {second_acq_id} do not give a positive interval.",
                    hint="Pass the earlier image first, or give dt_s.",
                )
            dt_s = float(starts[1]) - float(starts[0])
        d = _estimate_drift(a, b, px, dt_s)
        return DriftResult(
            dx_nm=d.dx_nm, dy_nm=d.dy_nm, uncertainty_nm=round(d.uncertainty_nm, 5), dt_s=dt_s,
            rate_nm_per_s=d.rate_nm_per_s, direction_deg=round(d.direction_deg, 2), confidence=d.confidence,
            reliable=d.reliable, reliability_note=d.reliability_note,
        )  # fmt: skip

    def focus_quality(acq_id: AcqId = None) -> FocusResult:
        """Unitless sharpness of an image (higher is sharper); compare images of the same field at different
        focus."""
        chosen, img, px = _image(session, acq_id)
        f = _focus_quality(img, px)
        return FocusResult(
            acquisition_id=chosen, sharpness=f.sharpness, brenner=f.brenner, laplacian_variance=f.laplacian_variance
        )

    def identify_elements(acq_id: AcqId = None, kind: Literal["auto", "EELS", "EDS"] = "auto") -> ToolResult:
        """Elements present in a stored EELS or EDS spectrum, with the significance (sigmas) of each edge/line the
        twin's spectra can hold (EELS: e.g. Si-L2,3 at 99 eV and Si-K; EDS: K, L and M lines). An element is
        present at 5 sigmas; reliable is false when an edge or line lies near that level (3-7 sigmas), so that
        more counts could change the answer."""
        chosen = acq_id or session.latest_acquisition_id
        if chosen is None:
            raise AnalysisError("there is no acquisition yet.", hint="Acquire a spectrum first (acquire_spectrum).")
        acq = session.get_acquisition(chosen)
        if acq.kind != "spectrum":
            raise AnalysisError(f"{chosen} is a {acq.kind}, not a spectrum.", hint="Pass a spectrum's id.")
        stored_kind = acq.metadata.get("spectrum_kind")
        if kind != "auto" and stored_kind not in (None, kind):
            raise AnalysisError(
                f"{chosen} is an {stored_kind} spectrum; it cannot be read as {kind}.",
                hint=f"Use kind='auto' (or '{stored_kind}'), or pass an {kind} spectrum's id.",
            )
        spectrum_kind = (stored_kind or "EELS") if kind == "auto" else kind
        energy, counts = acq.arrays["energy_eV"], acq.arrays["counts"]
        r = _identify_elements(energy, counts, spectrum_kind)
        evidence = [(e.element, e.feature, e.energy_eV, round(e.significance, 2)) for e in r.evidence]
        reliable, note = _elements_verdict(evidence)
        result = ElementsResult(
            acquisition_id=chosen,
            kind=r.kind,
            present=list(r.present),
            evidence=evidence,
            reliable=reliable,
            reliability_note=note,
        )
        markers = [(e.energy_eV, f"{e.element} {e.feature}") for e in r.evidence if e.present]
        plot = spectrum_plot(energy, counts, markers, title=f"{r.kind} {chosen}", log_counts=r.kind == "EELS")
        return with_images(result, image_content(plot))

    def denoise_image(
        acq_id: AcqId = None,
        method: Annotated[DenoiseMethod, Field(description="gaussian, median, wiener or nl_means")] = "gaussian",
        strength_nm: Annotated[
            float, Field(description="filter length scale, nm (below the feature size)", gt=0, le=100)
        ] = 0.05,
    ) -> ToolResult:
        """Denoise an image and store the result as a new derived acquisition (no dose, the original is kept);
        use it before find_atoms or segment_particles on noisy low-dose images. Returns the new id."""
        chosen, img, px = _image(session, acq_id)
        source = session.get_acquisition(chosen)

        def run() -> Any:
            out = _denoise_image(img, px, method, strength_nm)
            meta = {**source.metadata, "dose_e_per_A2": 0.0, "derived_from": chosen, "operation": "denoise_image"}
            meta.update(method=method, strength_nm=strength_nm)
            return session.store.add("image", meta, {"image": out})

        args = {"acq_id": chosen, "method": method, "strength_nm": strength_nm}
        acq = session.call("denoise_image", args, run)
        result = DenoiseResult(acquisition_id=acq.id, derived_from=chosen, method=method, strength_nm=strength_nm)
        return with_images(result, image_content(acq.arrays["image"], px))

    for tool, model in (
        (find_atoms, AtomsResult),
        (measure_lattice, None),
        (detect_defects, DefectsResult),
        (segment_particles, ParticlesResult),
        (compute_fft, FFTSummary),
        (line_profile, ProfileResult),
        (estimate_drift, None),
        (focus_quality, None),
        (identify_elements, ElementsResult),
    ):
        add_tool(mcp, tool, READ_ONLY, model)
    add_tool(mcp, denoise_image, ACQUIRE, DenoiseResult)
    register_afm_analysis_tools(mcp, session)
