"""Image measurement tools over stored images: Fourier peaks, line profiles, drift between frames, sharpness."""

from __future__ import annotations

from typing import Annotated, Any

from fastmcp import FastMCP
from fastmcp.tools import ToolResult
from pydantic import Field

from copilot.analysis.drift import estimate_drift as _estimate_drift
from copilot.analysis.errors import AnalysisError
from copilot.analysis.fft import compute_fft as _compute_fft
from copilot.analysis.focus import focus_quality as _focus_quality
from copilot.analysis.overlays import fft_overlay
from copilot.analysis.plots import profile_plot
from copilot.analysis.profile import line_profile as _line_profile

from .analysis_common import AcqId, Nm, Reliability, finite_or_none, image_of, image_or_height
from .common import READ_ONLY, add_tool, image_content, with_images


class FFTSummary(Reliability):
    acquisition_id: str
    d_spacings_nm: list[float]
    d_uncertainties_nm: list[float] = Field(description="one standard deviation of each d-spacing, same order")
    angles_deg: list[float]
    first_order_d_nm: float | None = Field(
        description="first-order (largest) lattice spacing, nm: the mean of the lattice's peaks with the largest d "
        "(e.g. the three 10-10 peaks of a hexagonal lattice); d_spacings_nm[0], the strongest, is often a higher "
        "order; null without peaks"
    )
    first_order_d_uncertainty_nm: float | None = Field(description="one standard deviation of first_order_d_nm")


class ProfileResult(Reliability):
    acquisition_id: str
    image_units: str = Field(description="units of the values: detector counts, or nm on an AFM height image")
    length_nm: float
    samples: int
    minimum: float
    maximum: float
    mean: float
    value_uncertainty: float = Field(
        description="about one standard deviation of each profile value from the image noise, image_units"
    )


class DriftResult(Reliability):
    dx_nm: float = Field(description="shift of the features from the first to the second image, +x to the right")
    dy_nm: float = Field(description="+y downwards, as in the image")
    uncertainty_nm: float = Field(description="about one standard deviation of the shift")
    dt_s: float = Field(description="time between the two frames' starts (from their metadata unless given)")
    rate_nm_per_s: float
    direction_deg: float = Field(description="direction of the drift from +x, y downwards (0-360)")
    confidence: float


class FocusResult(Reliability):
    acquisition_id: str
    sharpness: float
    sharpness_uncertainty: float | None = Field(
        description="one standard deviation of sharpness (spread over the frame's quarters); a difference between "
        "two frames matters when it exceeds about twice their combined uncertainty"
    )
    noise_fraction: float = Field(description="share of the measured band power that white noise alone gives")
    brenner: float
    laplacian_variance: float


def register_image_measurement_tools(mcp: FastMCP, session: Any) -> None:
    """Register compute_fft, line_profile, estimate_drift and focus_quality over ``session``."""

    def compute_fft(acq_id: AcqId = None) -> ToolResult:
        """Power spectrum of an image with its main peaks as d-spacings (nm, each with its uncertainty, strongest
        first) and directions (deg), and the lattice's first-order (largest) spacing first_order_d_nm: report that
        as the lattice spacing, since at high signal a higher order is often the strongest peak. reliable is false
        when no peak stands above the noise, or when a peak lies near the Nyquist limit (a spacing finer than two
        pixels may have folded back there: use a smaller pixel)."""
        chosen, img, px = image_of(session, acq_id)
        f = _compute_fft(img, px)
        result = FFTSummary(
            acquisition_id=chosen,
            d_spacings_nm=[p.d_spacing_nm for p in f.peaks],
            d_uncertainties_nm=[round(p.d_uncertainty_nm, 6) for p in f.peaks],
            angles_deg=[p.angle_deg for p in f.peaks],
            first_order_d_nm=f.first_order_d_nm,
            first_order_d_uncertainty_nm=(
                None if f.first_order_d_uncertainty_nm is None else round(f.first_order_d_uncertainty_nm, 6)
            ),
            reliable=f.reliable,
            reliability_note=f.reliability_note,
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
        an AFM height image (trace); points in nm from the image's top-left corner. value_uncertainty is the noise
        of each value; reliable is false when the profile varies by less than noise would (widen the line)."""
        chosen, img, px, units = image_or_height(session, acq_id)
        p = _line_profile(img, px, x0_nm, y0_nm, x1_nm, y1_nm, width_nm)
        result = ProfileResult(
            acquisition_id=chosen,
            image_units=units,
            length_nm=float(p.distance_nm[-1]),
            samples=len(p.values),
            minimum=float(p.values.min()),
            maximum=float(p.values.max()),
            mean=float(p.values.mean()),
            value_uncertainty=float(f"{p.value_uncertainty:.4g}"),
            reliable=p.reliable,
            reliability_note=p.reliability_note,
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
        _, a, px = image_of(session, first_acq_id)
        _, b, _ = image_of(session, second_acq_id)
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
        """Unitless sharpness of an image (higher is sharper) with its uncertainty; compare images of the same
        field and dose at different focus. reliable is false when white noise makes up most of what sharpness
        measures (low dose): the number then follows the dose more than the focus."""
        chosen, img, px = image_of(session, acq_id)
        f = _focus_quality(img, px)
        return FocusResult(
            acquisition_id=chosen, sharpness=f.sharpness,
            sharpness_uncertainty=finite_or_none(f.sharpness_uncertainty, 6), noise_fraction=round(f.noise_fraction, 4),
            brenner=f.brenner, laplacian_variance=f.laplacian_variance, reliable=f.reliable,
            reliability_note=f.reliability_note,
        )  # fmt: skip

    add_tool(mcp, compute_fft, READ_ONLY, FFTSummary)
    add_tool(mcp, line_profile, READ_ONLY, ProfileResult)
    add_tool(mcp, estimate_drift, READ_ONLY)
    add_tool(mcp, focus_quality, READ_ONLY)
