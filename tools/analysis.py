"""Analysis tools: thin MCP wrappers over :mod:`copilot.analysis` working on stored acquisitions.

This module holds the structure tools (atoms, lattice, defects, particles, denoising) and registers the others:
image measurements (:mod:`.analysis_image`), spectra (:mod:`.analysis_spectra`) and AFM (:mod:`.analysis_afm`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from fastmcp import FastMCP
from fastmcp.tools import ToolResult
from pydantic import Field

from copilot.analysis.atoms import find_atoms as _find_atoms
from copilot.analysis.defects import detect_defects as _detect_defects
from copilot.analysis.errors import AnalysisError
from copilot.analysis.filters import DenoiseMethod
from copilot.analysis.filters import denoise_image as _denoise_image
from copilot.analysis.lattice import measure_lattice as _measure_lattice
from copilot.analysis.lattice_drift import corrected_lattice as _corrected_lattice
from copilot.analysis.overlays import atoms_overlay, defects_overlay, particles_overlay
from copilot.analysis.particles import segment_particles as _segment_particles

from .analysis_afm import register_afm_analysis_tools
from .analysis_common import AcqId, Reliability, image_of, image_or_height, raw_image
from .analysis_image import register_image_measurement_tools
from .analysis_spectra import register_spectra_analysis_tools
from .common import ACQUIRE, READ_ONLY, Result, add_tool, image_content, with_images


class Sublattice(Result):
    relative_intensity: float = Field(description="median column intensity over the brightest sub-lattice's")
    spread: float = Field(description="robust relative scatter of its column intensities (noise included)")
    sites: int
    judged: bool = Field(description="false when too noisy for an empty site to stand out (no defects judged)")


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
        chosen, img, px = image_of(session, acq_id)
        a = _find_atoms(img, px, raw=raw_image(session, chosen))
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
        chosen, img, px = image_of(session, acq_id)
        if rotated_acq_id is None:
            lat = _measure_lattice(img, px)
        else:
            _, img2, px2 = image_of(session, rotated_acq_id)
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
        chosen, img, px = image_of(session, acq_id)
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
        chosen, img, px, units = image_or_height(session, acq_id)
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

    def denoise_image(
        acq_id: AcqId = None,
        method: Annotated[DenoiseMethod, Field(description="gaussian, median, wiener or nl_means")] = "gaussian",
        strength_nm: Annotated[
            float, Field(description="filter length scale, nm (below the feature size)", gt=0, le=100)
        ] = 0.05,
    ) -> ToolResult:
        """Denoise an image and store the result as a new derived acquisition (no dose, the original is kept);
        use it before find_atoms or segment_particles on noisy low-dose images. Returns the new id."""
        chosen, img, px = image_of(session, acq_id)
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
    ):
        add_tool(mcp, tool, READ_ONLY, model)
    register_image_measurement_tools(mcp, session)
    register_spectra_analysis_tools(mcp, session)
    add_tool(mcp, denoise_image, ACQUIRE, DenoiseResult)
    register_afm_analysis_tools(mcp, session)
