"""AFM analysis tools: thin MCP wrappers over the AFM routines of :mod:`copilot.analysis` on stored AFM images."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from fastmcp import FastMCP
from fastmcp.tools import ToolResult
from pydantic import Field

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

from .common import READ_ONLY, Result, add_tool, image_content, with_images

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


class LevelResult(Result):
    acquisition_id: str
    channel: str
    order: int
    flat_regions: int
    flat_fraction: float
    residual_rms_nm: float
    range_nm: float


class RoughnessResult(Result):
    acquisition_id: str
    Ra_nm: float
    Rq_nm: float
    Rz_nm: float
    skewness: float
    kurtosis: float
    pixels: int


class StepResult(Result):
    acquisition_id: str
    step_nm: float
    step_std_nm: float
    levels_nm: list[float]
    multiples: list[int]
    terrace_fractions: list[float]


class TipCheckResult(Result):
    acquisition_id: str
    double_tip: bool
    confidence: float
    ghost_dx_nm: float
    ghost_dy_nm: float
    ghost_distance_nm: float
    feature_pairs: int
    features: int


class DomainResult(Result):
    acquisition_id: str
    channel: str
    fractions: list[float] = Field(description="area fraction of each class, lowest channel values first")
    class_means: list[float]
    thresholds: list[float]


class GratingResult(Result):
    acquisition_id: str
    pitch_nm: float
    pitch_std_nm: float
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
        tools level on their own."""
        chosen, z, _ = _afm_channel(session, acq_id, channel, direction)
        lev = _plane_level(z, order=order)
        result = LevelResult(
            acquisition_id=chosen,
            channel=f"{channel}_{direction}",
            order=order,
            flat_regions=lev.region_count,
            flat_fraction=float(lev.flat_mask.mean()),
            residual_rms_nm=lev.residual_rms_nm,
            range_nm=float(np.ptp(lev.height_nm)),
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
        rectangular region (e.g. one terrace or the substrate between particles)."""
        chosen, z, px = _afm_channel(session, acq_id, "height", direction)
        levelled = _plane_level(z, order=order).height_nm
        rows, cols = np.mgrid[0 : z.shape[0], 0 : z.shape[1]]
        x, y = (cols + 0.5) * px, (rows + 0.5) * px
        x1 = x_nm + width_nm if width_nm is not None else np.inf
        y1 = y_nm + height_nm if height_nm is not None else np.inf
        r = _roughness(levelled, (x >= x_nm) & (x < x1) & (y >= y_nm) & (y < y1))
        return RoughnessResult(
            acquisition_id=chosen, Ra_nm=r.Ra_nm, Rq_nm=r.Rq_nm, Rz_nm=r.Rz_nm, skewness=r.skewness,
            kurtosis=r.kurtosis, pixels=r.pixels,
        )  # fmt: skip

    def step_height(acq_id: AfmId = None, direction: Direction = "trace") -> StepResult:
        """Height of the atomic steps between terraces (nm) from the levels of the levelled height histogram,
        with its standard deviation (step_std_nm). Needs at least two terraces in view."""
        chosen, z, px = _afm_channel(session, acq_id, "height", direction)
        s = _step_height(z, px)
        return StepResult(
            acquisition_id=chosen, step_nm=s.step_nm, step_std_nm=s.step_std_nm, levels_nm=list(s.levels_nm),
            multiples=list(s.multiples), terrace_fractions=list(s.terrace_fractions),
        )  # fmt: skip

    def tip_artifact_check(acq_id: AfmId = None, direction: Direction = "trace") -> TipCheckResult:
        """Check an AFM image for a double tip: every feature repeated at one fixed offset (ghost copies). Use
        it when features look doubled or smeared; if double_tip is true, change the tip before measuring."""
        chosen, z, px = _afm_channel(session, acq_id, "height", direction)
        c = _tip_artifact_check(z, px)
        return TipCheckResult(
            acquisition_id=chosen, double_tip=c.double_tip, confidence=c.confidence, ghost_dx_nm=c.ghost_dx_nm,
            ghost_dy_nm=c.ghost_dy_nm, ghost_distance_nm=c.ghost_distance_nm, feature_pairs=c.pairs,
            features=c.features,
        )  # fmt: skip

    def domain_fraction(
        acq_id: AfmId = None,
        channel: Channel = "phase",
        direction: Direction = "trace",
        classes: Annotated[int, Field(description="number of phases or domain kinds", ge=2, le=5)] = 2,
        method: Literal["otsu", "kmeans"] = "otsu",
    ) -> ToolResult:
        """Area fraction of each phase or domain kind: phase channel for blends of soft and hard materials,
        piezo_phase for ferroelectric up/down domains, height for raised domains (levelled first)."""
        chosen, values, _ = _afm_channel(session, acq_id, channel, direction)
        if channel == "height":
            values = _plane_level(values).height_nm
        d = _domain_fraction(values, classes=classes, method=method)
        result = DomainResult(
            acquisition_id=chosen, channel=f"{channel}_{direction}", fractions=list(d.fractions),
            class_means=list(d.class_means), thresholds=list(d.thresholds),
        )  # fmt: skip
        return with_images(result, image_content(height_overlay(d.labels, "class")))

    def grating_pitch(acq_id: AfmId = None, direction: Direction = "trace") -> GratingResult:
        """Pitch (nm), depth (nm), direction and duty cycle of a line grating, e.g. to calibrate the scanner
        against a calibration standard. Needs at least two periods in view."""
        chosen, z, px = _afm_channel(session, acq_id, "height", direction)
        g = _grating_pitch(z, px)
        return GratingResult(
            acquisition_id=chosen, pitch_nm=g.pitch_nm, pitch_std_nm=g.pitch_std_nm, depth_nm=g.depth_nm,
            angle_deg=g.angle_deg, duty_cycle=g.duty_cycle,
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
