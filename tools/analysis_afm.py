"""AFM analysis tools: thin MCP wrappers over the AFM routines of :mod:`copilot.analysis` on stored AFM images."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from fastmcp import FastMCP
from fastmcp.tools import ToolResult
from pydantic import Field

from copilot.analysis.afm_verdicts import (
    domain_verdict,
    grating_verdict,
    level_verdict,
    roughness_verdict,
    step_verdict,
    tip_verdict,
)
from copilot.analysis.domains import domain_fraction as _domain_fraction
from copilot.analysis.errors import AnalysisError
from copilot.analysis.grating import grating_pitch as _grating_pitch
from copilot.analysis.level import plane_level as _plane_level
from copilot.analysis.overlays import height_overlay
from copilot.analysis.roughness import roughness as _roughness
from copilot.analysis.steps import step_height as _step_height
from copilot.analysis.tipcheck import tip_artifact_check as _tip_artifact_check
from copilot.twin.afm import CHANNEL_UNITS
from copilot.twin.afm.state import LIMITS

from .analysis_common import Reliability, finite_or_none
from .common import READ_ONLY, add_tool, image_content, with_images

MAX_REGION_NM = LIMITS["size_nm"][1]
"""Region arguments stay inside the largest AFM scan (the twin's own limit)."""

AfmId = Annotated[
    str | None,
    Field(description="AFM acquisition id such as a0003; omit for the latest AFM image", pattern=r"^a\d{4,8}$"),
]
Channel = Annotated[
    Literal["height", "phase", "amplitude", "error", "piezo_amplitude", "piezo_phase"],
    Field(description="channel to analyse"),
]
Direction = Annotated[Literal["trace", "retrace"], Field(description="scan direction of the channel")]
Order = Annotated[int, Field(description="polynomial order of the background: 0 offset, 1 plane, 2-3 bow", ge=0, le=3)]


def _afm_channel(session: Any, acq_id: str | None, channel: str, direction: str) -> tuple[str, np.ndarray, float]:
    """(id, channel array, pixel size nm) of an AFM image (the latest AFM image when ``acq_id`` is None)."""
    if acq_id is None:
        afm_ids = [a["id"] for a in session.list_acquisitions() if a["kind"] == "afm_image"]
        if not afm_ids:
            raise AnalysisError("there is no AFM image yet.", hint="Acquire one first (acquire_afm_image).")
        acq_id = afm_ids[-1]
    acq = session.get_acquisition(acq_id)
    if acq.kind != "afm_image":
        raise AnalysisError(f"{acq_id} is a {acq.kind}, not an AFM image.", hint="Pass the id of an AFM image.")
    name = f"{channel}_{direction}"
    if name not in acq.arrays:
        raise AnalysisError(
            f"{acq_id} has no {name} channel; it holds {sorted(acq.arrays)}.",
            hint="Pick one of those channels, or acquire an image with this channel.",
        )
    return acq_id, np.asarray(acq.arrays[name], dtype=np.float64), float(acq.metadata["pixel_size_nm"])


class LevelResult(Reliability):
    acquisition_id: str
    channel: str
    order: int
    flat_regions: int
    flat_fraction: float
    residual_rms_nm: float
    background_uncertainty_nm: float = Field(
        description="about one standard deviation of the removed background (residual over the independent flat "
        "patches it was fitted on)"
    )
    range_nm: float


class RoughnessResult(Reliability):
    acquisition_id: str
    Ra_nm: float
    Rq_nm: float
    Rq_uncertainty_nm: float = Field(
        description="one standard deviation of Rq from region to region (Rq over the root of twice the region's "
        "independent patches, the surface's correlation area counted once)"
    )
    Rz_nm: float
    skewness: float
    kurtosis: float
    pixels: int


class StepResult(Reliability):
    acquisition_id: str
    step_nm: float
    step_std_nm: float
    step_uncertainty_nm: float = Field(
        description="one standard deviation of step_nm (scatter of the levels about whole steps; with two levels, "
        "the terrace noise)"
    )
    levels_nm: list[float]
    multiples: list[int]
    terrace_fractions: list[float]


class TipCheckResult(Reliability):
    acquisition_id: str
    double_tip: bool
    confidence: float
    ghost_dx_nm: float
    ghost_dy_nm: float
    ghost_distance_nm: float
    ghost_distance_uncertainty_nm: float = Field(description="one standard deviation of the ghost offset")
    feature_pairs: int
    features: int


class DomainResult(Reliability):
    acquisition_id: str
    channel: str
    fractions: list[float] = Field(description="area fraction of each class, lowest channel values first")
    fraction_uncertainties: list[float] = Field(
        description="one standard deviation of each fraction: pixels within the noise of a class boundary"
    )
    class_means: list[float]
    thresholds: list[float]


class GratingResult(Reliability):
    acquisition_id: str
    pitch_nm: float
    pitch_std_nm: float
    pitch_uncertainty_nm: float | None = Field(
        description="one standard deviation of pitch_nm (fit of the edge positions); null with too few edges"
    )
    depth_nm: float
    angle_deg: float
    duty_cycle: float


def Region(description: str, *, ge: float | None = None, gt: float | None = None) -> Any:
    """A finite region coordinate in nm, at most :data:`MAX_REGION_NM`."""
    return Field(description=description, ge=ge, gt=gt, le=MAX_REGION_NM, allow_inf_nan=False)


def register_afm_analysis_tools(mcp: FastMCP, session: Any) -> None:
    """Register the AFM analysis tools over ``session``."""

    def plane_level(
        acq_id: AfmId = None, channel: Channel = "height", direction: Direction = "trace", order: Order = 1
    ) -> ToolResult:
        """Remove the sample tilt (order 1) or bow (2-3) from an AFM channel, robust to steps, trenches and
        particles (each flat area keeps its own level). Use it first to see the true topography; the other AFM
        tools level on their own. background_uncertainty_nm is the standard error of the removed background;
        reliable is false when little of the map is flat (the fit may follow the features)."""
        chosen, z, _ = _afm_channel(session, acq_id, channel, direction)
        lev = _plane_level(z, order=order)
        v = level_verdict(lev)
        result = LevelResult(
            acquisition_id=chosen,
            channel=f"{channel}_{direction}",
            order=order,
            flat_regions=lev.region_count,
            flat_fraction=float(lev.flat_mask.mean()),
            residual_rms_nm=lev.residual_rms_nm,
            background_uncertainty_nm=round(v.uncertainty, 6),
            range_nm=float(np.ptp(lev.height_nm)),
            reliable=v.reliable,
            reliability_note=v.note,
        )
        return with_images(result, image_content(height_overlay(lev.height_nm, CHANNEL_UNITS[channel])))

    def roughness(
        acq_id: AfmId = None,
        direction: Direction = "trace",
        order: Order = 1,
        x_nm: Annotated[float, Region("region left edge, nm from the image's left", ge=0)] = 0.0,
        y_nm: Annotated[float, Region("region top edge, nm from the image's top", ge=0)] = 0.0,
        width_nm: Annotated[float | None, Region("region width, nm; omit for the whole image", gt=0)] = None,
        height_nm: Annotated[float | None, Region("region height, nm; omit for the whole image", gt=0)] = None,
    ) -> RoughnessResult:
        """Surface roughness Ra, Rq, Rz (nm), skewness and kurtosis of the levelled height, over the image or a
        rectangular region (e.g. one terrace or the substrate between particles). Rq_uncertainty_nm is the
        region-to-region standard deviation of Rq; reliable is false when the region holds too few independent
        patches of the surface (features wide for the region)."""
        chosen, z, px = _afm_channel(session, acq_id, "height", direction)
        levelled = _plane_level(z, order=order).height_nm
        rows, cols = np.mgrid[0 : z.shape[0], 0 : z.shape[1]]
        x, y = (cols + 0.5) * px, (rows + 0.5) * px
        x1 = x_nm + width_nm if width_nm is not None else np.inf
        y1 = y_nm + height_nm if height_nm is not None else np.inf
        inside = (x >= x_nm) & (x < x1) & (y >= y_nm) & (y < y1)
        r = _roughness(levelled, inside)
        rows_in, cols_in = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
        region = levelled[rows_in[0] : rows_in[-1] + 1, cols_in[0] : cols_in[-1] + 1]
        v = roughness_verdict(region, r.Rq_nm)
        return RoughnessResult(
            acquisition_id=chosen, Ra_nm=r.Ra_nm, Rq_nm=r.Rq_nm, Rq_uncertainty_nm=round(v.uncertainty, 6),
            Rz_nm=r.Rz_nm, skewness=r.skewness, kurtosis=r.kurtosis, pixels=r.pixels, reliable=v.reliable,
            reliability_note=v.note,
        )  # fmt: skip

    def step_height(acq_id: AfmId = None, direction: Direction = "trace") -> StepResult:
        """Height of the atomic steps between terraces (nm) from the levels of the levelled height histogram,
        with its standard deviation (step_std_nm) and standard error (step_uncertainty_nm). Needs at least two
        terraces in view. reliable is false when the step is near the height noise or the levels are not whole
        multiples of one step."""
        chosen, z, px = _afm_channel(session, acq_id, "height", direction)
        s = _step_height(z, px)
        v = step_verdict(s)
        return StepResult(
            acquisition_id=chosen, step_nm=s.step_nm, step_std_nm=s.step_std_nm,
            step_uncertainty_nm=round(v.uncertainty, 6), levels_nm=list(s.levels_nm), multiples=list(s.multiples),
            terrace_fractions=list(s.terrace_fractions), reliable=v.reliable, reliability_note=v.note,
        )  # fmt: skip

    def tip_artifact_check(acq_id: AfmId = None, direction: Direction = "trace") -> TipCheckResult:
        """Check an AFM image for a double tip: every feature repeated at one fixed offset (ghost copies). Use
        it when features look doubled or smeared; if double_tip is true, change the tip before measuring.
        reliable is false when too few features stand out to tell a double tip from chance."""
        chosen, z, px = _afm_channel(session, acq_id, "height", direction)
        c = _tip_artifact_check(z, px)
        v = tip_verdict(c, px)
        return TipCheckResult(
            acquisition_id=chosen, double_tip=c.double_tip, confidence=c.confidence, ghost_dx_nm=c.ghost_dx_nm,
            ghost_dy_nm=c.ghost_dy_nm, ghost_distance_nm=c.ghost_distance_nm,
            ghost_distance_uncertainty_nm=round(v.uncertainty, 4), feature_pairs=c.pairs, features=c.features,
            reliable=v.reliable, reliability_note=v.note,
        )  # fmt: skip

    def domain_fraction(
        acq_id: AfmId = None,
        channel: Channel = "phase",
        direction: Direction = "trace",
        classes: Annotated[int, Field(description="number of phases or domain kinds", ge=2, le=5)] = 2,
        method: Literal["otsu", "kmeans"] = "otsu",
    ) -> ToolResult:
        """Area fraction of each phase or domain kind: phase channel for blends of soft and hard materials,
        piezo_phase for ferroelectric up/down domains, height for raised domains (levelled first). Each fraction
        has a standard error (pixels within the noise of a class boundary); reliable is false when neighbouring
        classes overlap."""
        chosen, values, _ = _afm_channel(session, acq_id, channel, direction)
        if channel == "height":
            values = _plane_level(values).height_nm
        d = _domain_fraction(values, classes=classes, method=method)
        spreads, reliable, note = domain_verdict(d, values)
        result = DomainResult(
            acquisition_id=chosen, channel=f"{channel}_{direction}", fractions=list(d.fractions),
            fraction_uncertainties=[round(u, 5) for u in spreads], class_means=list(d.class_means),
            thresholds=list(d.thresholds), reliable=reliable, reliability_note=note,
        )  # fmt: skip
        return with_images(result, image_content(height_overlay(d.labels, "class")))

    def grating_pitch(acq_id: AfmId = None, direction: Direction = "trace") -> GratingResult:
        """Pitch (nm), depth (nm), direction and duty cycle of a line grating, e.g. to calibrate the scanner
        against a calibration standard. Needs at least two periods in view. pitch_uncertainty_nm is the standard
        error of the pitch; reliable is false with too few line edges in view."""
        chosen, z, px = _afm_channel(session, acq_id, "height", direction)
        g = _grating_pitch(z, px)
        v = grating_verdict(g)
        return GratingResult(
            acquisition_id=chosen, pitch_nm=g.pitch_nm, pitch_std_nm=g.pitch_std_nm,
            pitch_uncertainty_nm=finite_or_none(v.uncertainty), depth_nm=g.depth_nm, angle_deg=g.angle_deg,
            duty_cycle=g.duty_cycle, reliable=v.reliable, reliability_note=v.note,
        )  # fmt: skip

    for tool, model in (
        (plane_level, LevelResult),
        (roughness, None),
        (step_height, None),
        (tip_artifact_check, None),
        (domain_fraction, DomainResult),
        (grating_pitch, None),
    ):
        add_tool(mcp, tool, READ_ONLY, model)
