"""AFM tools: probe (approach, withdraw, tip), feedback and scan settings, images and force curves.

Thin wrappers over the session's AFM operations (:class:`copilot.session_afm.AFMOperations`, under the session
lock). Images are stored as acquisitions (``acq://{id}``) and previewed as a height colour map plus a
trace/retrace line profile.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from fastmcp import Context, FastMCP
from fastmcp.tools import ToolResult
from pydantic import Field

from copilot.session import Session
from copilot.store import Acquisition
from copilot.store.preview import image_preview
from copilot.twin.afm import LIMITS

from .afm_previews import force_curve_plot, height_colour_map, profile_plot
from .common import ACQUIRE, DESTRUCTIVE, READ_ONLY, SETTING, Result, add_tool, in_thread, png_content, with_images

Channel = Literal["height", "error", "amplitude", "phase", "piezo_amplitude", "piezo_phase"]


def Limited(name: str, description: str) -> Any:
    """A finite optional parameter bounded by the twin's own limits for ``name``."""
    low, high, unit = LIMITS[name]
    return Field(description=f"{description} ({low:g}-{high:g} {unit})".replace(" )", ")"), ge=low, le=high)


class ProbeResult(Result):
    engaged: bool
    instrument_time_s: float
    tip_damaged: bool = Field(description="a damaged tip images everything blunt and doubled: change_tip")


class AFMSettingsResult(Result):
    settings: dict[str, Any] = Field(description="the settings now in effect, units in the keys")
    warning: str | None = None


class ChannelStatistics(Result):
    channel: str
    unit: str
    min: float
    max: float
    mean: float
    std: float


class AFMImageResult(Result):
    """One stored AFM frame: id, calibration, per-channel statistics and tracking quality."""

    id: str
    uri: str = Field(description="resource with the full metadata; the data (every channel) is in the HDF5 file")
    preview_uri: str
    size_nm: float
    pixels: int
    pixel_size_nm: float
    frame_time_s: float
    channels: list[str] = Field(description="stored datasets, <channel>_trace and <channel>_retrace")
    statistics: list[ChannelStatistics]
    trace_retrace_rms_nm: float | None = Field(
        description="rms height difference of trace and retrace: large means the feedback lags (raise the gains "
        "or slow the scan)"
    )
    events: list[str] = Field(description="instrument events during the scan, e.g. a tip change")
    tip_radius_nm: float
    tip_double: bool
    tip_damaged: bool


class ForceCurveResult(Result):
    x_nm: float
    y_nm: float
    adhesion_nN: float = Field(description="pull-off force on the retract curve")
    snap_in_nm: float = Field(description="tip-sample distance where the tip jumps into contact on approach")
    max_force_nN: float
    spring_constant_N_per_m: float
    z_min_nm: float
    z_max_nm: float


class TipStateResult(Result):
    radius_nm: float
    half_angle_deg: float
    double_tip: bool
    damaged: bool
    scanned_distance_um: float
    crashes: int = Field(description="crashes of the current tip")
    crash_log: list[dict[str, Any]] = Field(description="every crash of this session: time, reason, settings")


def _statistics(name: str, unit: str, data: np.ndarray) -> ChannelStatistics:
    a = np.asarray(data, dtype=np.float64)
    return ChannelStatistics(
        channel=name, unit=unit, min=float(a.min()), max=float(a.max()), mean=float(a.mean()), std=float(a.std())
    )


def _image_result(session: Session, acq: Acquisition) -> ToolResult:
    meta = acq.metadata
    arrays = acq.arrays
    units = meta.get("units", {})
    pixel_nm = float(meta["pixel_size_nm"])
    tip = meta["tip_after"]  # read under the lock of the scan: a later call cannot change it
    rms = None
    if "height_trace" in arrays and "height_retrace" in arrays:
        rms = float(np.sqrt(np.mean((arrays["height_trace"] - arrays["height_retrace"]) ** 2, dtype=np.float64)))
    result = AFMImageResult(
        id=acq.id,
        uri=f"acq://{acq.id}",
        preview_uri=f"acq://{acq.id}/preview",
        size_nm=float(meta["size_nm"]),
        pixels=int(meta["pixels"]),
        pixel_size_nm=pixel_nm,
        frame_time_s=float(meta["frame_time_s"]),
        channels=sorted(arrays),
        statistics=[_statistics(n, str(units.get(n, "")), arrays[n]) for n in sorted(arrays)],
        trace_retrace_rms_nm=rms,
        events=[str(e) for e in meta.get("events", [])],
        tip_radius_nm=round(float(tip["radius_nm"]), 3),
        tip_double=bool(tip["double_tip"]),
        tip_damaged=bool(tip["damaged"]),
    )
    if "height_trace" in arrays:
        images = [png_content(image_preview(height_colour_map(arrays["height_trace"]), pixel_nm))]
        if "height_retrace" in arrays:
            images.append(png_content(profile_plot(arrays["height_trace"], arrays["height_retrace"], pixel_nm)))
    else:
        images = [png_content(session.store.preview(acq.id))]
    return with_images(result, *images)


def register_afm_tools(mcp: FastMCP, session: Session) -> None:
    """Register the AFM tools over ``session`` (they refuse politely while a STEM specimen is loaded)."""

    def approach() -> ProbeResult:
        """Engage: bring the tip onto the surface under feedback. Needed before imaging or force curves. With
        an unsafe setpoint or gains (see set_feedback) the tip crashes and is damaged."""
        r = session.afm.approach()
        return ProbeResult(engaged=r["engaged"], instrument_time_s=r["clock_s"], tip_damaged=r["tip_damaged"])

    def withdraw() -> ProbeResult:
        """Lift the tip off the surface (before change_tip, or to stop). Harmless when already withdrawn."""
        r = session.afm.withdraw()
        return ProbeResult(engaged=r["engaged"], instrument_time_s=r["clock_s"], tip_damaged=r["tip_damaged"])

    def set_feedback(
        setpoint_nm: Annotated[
            float | None,
            Limited("setpoint_nm", "tapping amplitude setpoint of a 20 nm free amplitude; lower presses harder"),
        ] = None,
        p_gain: Annotated[float | None, Limited("p_gain", "proportional gain")] = None,
        i_gain_per_ms: Annotated[float | None, Limited("i_gain", "integral gain per ms")] = None,
    ) -> AFMSettingsResult:
        """Set the feedback. Raise the gains when trace and retrace disagree (lag, blurred edges); lower them
        when the image rings. Setpoints under 3 nm or gains that make the loop oscillate crash an engaged tip
        (it is then damaged and withdrawn); while withdrawn they are kept with a warning. Omitted: unchanged."""
        r = session.afm.set_feedback(setpoint_nm, p_gain, i_gain_per_ms)
        warning = r.pop("warning", None)
        return AFMSettingsResult(settings=r, warning=warning)

    def set_afm_scan(
        size_nm: Annotated[float | None, Limited("size_nm", "side of the square scan")] = None,
        pixels: Annotated[int | None, Limited("pixels", "pixels per side")] = None,
        rate_hz: Annotated[float | None, Limited("rate_hz", "lines per second; slower tracks better")] = None,
        angle_deg: Annotated[float | None, Limited("angle_deg", "scan rotation")] = None,
        x_um: Annotated[float | None, Limited("x_um", "scan centre x on the specimen")] = None,
        y_um: Annotated[float | None, Limited("y_um", "scan centre y on the specimen")] = None,
    ) -> AFMSettingsResult:
        """Set the AFM raster: size, pixels, line rate, rotation and centre offset. A large centre move creeps
        on for about a minute (distorted first frame). Omitted arguments keep their value."""
        args = {"size_nm": size_nm, "pixels": pixels, "rate_hz": rate_hz, "angle_deg": angle_deg}
        args |= {"x_um": x_um, "y_um": y_um}
        r = session.afm.set_afm_scan(**args)
        return AFMSettingsResult(settings=r)

    async def acquire_afm_image(
        channels: Annotated[
            list[Channel],
            Field(
                description="channels to record (trace and retrace each); piezo_* only on afm_ferroelectric",
                min_length=1,
                max_length=6,
            ),
        ] = ["height"],  # noqa: B006 (pydantic copies defaults)
        ctx: Context | None = None,
    ) -> ToolResult:
        """Scan one AFM frame (tip engaged) and store it: calibration, per-channel statistics, trace/retrace
        mismatch, a height colour map and a trace/retrace line profile. Takes pixels / rate_hz seconds of
        instrument time and wears the tip."""
        acq = await in_thread(ctx, lambda p, stop: session.afm.acquire_afm_image(list(channels), progress=p, stop=stop))
        return _image_result(session, acq)

    def acquire_force_curve(
        x_nm: Annotated[float, Field(description="x in the current scan, nm from the left", ge=0, le=5000)],
        y_nm: Annotated[float, Field(description="y in the current scan, nm from the top", ge=0, le=5000)],
    ) -> ToolResult:
        """Force-distance curve (approach and retract) at a point of the current scan: adhesion (pull-off)
        and snap-in. Use to compare materials (soft domains adhere more and indent further)."""
        curve = session.afm.acquire_force_curve(x_nm, y_nm)
        result = ForceCurveResult(
            x_nm=curve.x_nm,
            y_nm=curve.y_nm,
            adhesion_nN=round(curve.adhesion_nN, 4),
            snap_in_nm=round(curve.snap_in_nm, 4),
            max_force_nN=round(float(curve.force_approach_nN.max()), 4),
            spring_constant_N_per_m=curve.spring_constant_N_per_m,
            z_min_nm=float(curve.z_nm.min()),
            z_max_nm=float(curve.z_nm.max()),
        )
        plot = force_curve_plot(curve.z_nm, curve.force_approach_nN, curve.force_retract_nN)
        return with_images(result, png_content(plot))

    def change_tip() -> TipStateResult:
        """Replace the tip with a fresh sharp one (withdraw first). Use after a crash, or when images show
        doubled features (double tip) or everything looks blunt. Takes 5 minutes of instrument time."""
        return TipStateResult.model_validate(session.afm.change_tip())

    def get_tip_state() -> TipStateResult:
        """The tip: radius (grows with wear), double tip, damage, distance scanned and the crash history."""
        return TipStateResult.model_validate(session.afm.tip_state())

    add_tool(mcp, approach, ACQUIRE)
    add_tool(mcp, withdraw, SETTING)
    add_tool(mcp, set_feedback, SETTING)
    add_tool(mcp, set_afm_scan, SETTING)
    add_tool(mcp, acquire_afm_image, ACQUIRE, AFMImageResult)
    add_tool(mcp, acquire_force_curve, ACQUIRE, ForceCurveResult)
    add_tool(mcp, change_tip, DESTRUCTIVE)
    add_tool(mcp, get_tip_state, READ_ONLY)
