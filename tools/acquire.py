"""Acquisition tools: images, spectra, spectrum images, autofocus and the dose map.

Each acquisition returns an :class:`AcquisitionResult` (id, calibration, dose, statistics), a PNG preview as image
content and the ``acq://{id}`` resource URI of the full data. An acquisition over the dose budget or an area's
critical dose runs only when the person approves it (:class:`copilot.tools.approval.DoseGate`); otherwise the tool
returns the refusal.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from fastmcp import Context, FastMCP
from fastmcp.tools import ToolResult
from mcp.types import InputRequiredResult
from pydantic import Field

from copilot.session import Session
from copilot.store import Acquisition

from .approval import DoseGate
from .common import (
    ACQUIRE,
    READ_ONLY,
    Result,
    add_tool,
    image_content,
    in_thread,
    png_content,
    with_images,
)


class Statistics(Result):
    min: float
    max: float
    mean: float
    std: float


class AcquisitionResult(Result):
    """What one acquisition is: id, where its data lives, calibration and dose. Fields that do not apply to the
    kind of acquisition are null."""

    id: str
    kind: Literal["image", "spectrum", "spectrum_image", "afm_image"]
    uri: str = Field(description="resource with the full metadata")
    preview_uri: str
    data_uri: str = Field(description="resource with the full data as an HDF5 file")
    specimen: str | None = None
    detector: str | None = None
    spectrum_kind: str | None = None
    fov_nm: float | None = None
    pixels: int | None = None
    pixel_size_nm: float | None = None
    x_nm: float | None = None
    y_nm: float | None = None
    dose_e_per_A2: float | None = None
    frame_time_s: float | None = None
    live_time_s: float | None = None
    energy_min_eV: float | None = None
    energy_max_eV: float | None = None
    shape: list[int] | None = None
    channels: list[str] | None = None
    statistics: Statistics | None = None
    session_dose_used_e_per_A2: float
    session_dose_budget_e_per_A2: float


def _opt_float(meta: dict[str, Any], key: str) -> float | None:
    value = meta.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def describe(acq: Acquisition, session: Session) -> AcquisitionResult:
    """The result model of an acquisition (from its metadata; arrays are read only for spectra ranges)."""
    meta = acq.metadata
    energy = acq.arrays.get("energy_eV")
    channels = meta.get("channels")
    return AcquisitionResult(
        id=acq.id,
        kind=acq.kind,
        uri=f"acq://{acq.id}",
        preview_uri=f"acq://{acq.id}/preview",
        data_uri=f"acq://{acq.id}/hdf5",
        specimen=meta.get("specimen"),
        detector=meta.get("detector"),
        spectrum_kind=meta.get("spectrum_kind"),
        fov_nm=_opt_float(meta, "fov_nm"),
        pixels=int(meta["pixels"]) if isinstance(meta.get("pixels"), int) else None,
        pixel_size_nm=_opt_float(meta, "pixel_size_nm"),
        x_nm=_opt_float(meta, "x_nm"),
        y_nm=_opt_float(meta, "y_nm"),
        dose_e_per_A2=_opt_float(meta, "dose_e_per_A2"),
        frame_time_s=_opt_float(meta, "frame_time_s"),
        live_time_s=_opt_float(meta, "live_time_s"),
        energy_min_eV=float(np.min(energy)) if energy is not None else None,
        energy_max_eV=float(np.max(energy)) if energy is not None else None,
        shape=meta.get("shape"),
        channels=channels if isinstance(channels, list) else None,
        statistics=Statistics(**meta["statistics"]) if "statistics" in meta else None,
        session_dose_used_e_per_A2=session.dose_used_e_per_A2,
        session_dose_budget_e_per_A2=session.dose_budget_e_per_A2,
    )


def acquisition_result(acq: Acquisition, session: Session) -> ToolResult:
    """Structured description plus the stored preview PNG."""
    return with_images(describe(acq, session), png_content(session.store.preview(acq.id)))


class AutofocusResult(Result):
    success: bool
    defocus_nm: float = Field(description="defocus now set")
    dose_e_per_A2: float
    time_s: float
    message: str
    metric_by_defocus: list[tuple[float, float]] = Field(description="(defocus_nm, sharpness) pairs tried")


class DoseMapResult(Result):
    max_dose_e_per_A2: float = Field(description="exact peak areal dose anywhere (not averaged over map cells)")
    peak_x_nm: float = Field(description="where the peak is, specimen x")
    peak_y_nm: float = Field(description="where the peak is, specimen y")
    total_electrons: float = Field(description="every electron delivered so far")
    exposed_fraction: float = Field(description="fraction of the map's cells that received any dose")
    extent_nm: list[float] = Field(description="map extent in specimen coordinates: x_min, x_max, y_min, y_max")
    pixel_size_nm: float


def _pairs(metric: Any) -> list[tuple[float, float]]:
    if isinstance(metric, dict):
        return [(float(k), float(v)) for k, v in metric.items()]
    arr = np.asarray(metric, dtype=np.float64).reshape(-1, 2)
    return [(float(a), float(b)) for a, b in arr]


def register_acquisition_tools(mcp: FastMCP, session: Session, gate: DoseGate) -> None:
    """Register acquire_image, acquire_spectrum, acquire_spectrum_image, autofocus and get_dose_map; ``gate``
    decides whether an over-dose acquisition may run."""

    async def acquire_image(
        detector: Annotated[Literal["HAADF", "BF"], Field(description="HAADF: Z-contrast; BF: bright field")] = "HAADF",
        ctx: Context | None = None,
    ) -> ToolResult | InputRequiredResult:
        """Scan one frame with the current beam, optics and scan settings; returns calibration, dose, statistics,
        a preview image and the acq://{id} URI. Costs dose: survey at large FOV first, zoom in afterwards. Over the
        dose budget or a critical dose, the person is asked (not you); if they decline, the refusal says what fits."""
        go = await gate.check(ctx, "acquire_image", {})
        if isinstance(go, InputRequiredResult):
            return go
        if go.arguments:  # the person chose the safe setting: the dwell that fits
            dwell_us = float(go.arguments["dwell_us"])
            await in_thread(None, lambda _p, _s: session.set_scan(dwell_us=dwell_us))
        acq = await in_thread(
            ctx, lambda p, stop: session.acquire_image(detector, approved=go.approved, progress=p, stop=stop)
        )
        return acquisition_result(acq, session)

    async def acquire_spectrum(
        kind: Annotated[Literal["EELS", "EDS"], Field(description="EELS: energy loss; EDS: X-ray lines")],
        x_nm: Annotated[
            float, Field(description="x in the current FOV, nm from the left", ge=0, le=2000, allow_inf_nan=False)
        ],
        y_nm: Annotated[
            float, Field(description="y in the current FOV, nm from the top", ge=0, le=2000, allow_inf_nan=False)
        ],
        dwell_ms: Annotated[
            float, Field(description="acquisition time in ms", gt=0, le=60000, allow_inf_nan=False)
        ] = 100.0,
        ctx: Context | None = None,
    ) -> ToolResult | InputRequiredResult:
        """Acquire an EELS or EDS spectrum with the probe parked at (x_nm, y_nm) of the current field of view.
        Use to identify elements (then identify_elements). Parks the beam: concentrated dose on one spot, so keep
        dwell_ms short on beam-sensitive specimens (a refusal names the longest dwell that fits). EELS suits light
        elements and thin films at tens of ms; EDS collects few X-rays from thin specimens and needs about 1e10
        electrons (e.g. current_pa=1000 for tens of seconds) or a spectrum image summed over an area."""
        args = {"kind": kind, "x_nm": x_nm, "y_nm": y_nm, "dwell_ms": dwell_ms}
        go = await gate.check(ctx, "acquire_spectrum", args)
        if isinstance(go, InputRequiredResult):
            return go
        a = go.arguments or args
        acq = await in_thread(
            None,
            lambda _p, stop: session.acquire_spectrum(
                kind, x_nm, y_nm, float(a["dwell_ms"]), approved=go.approved, stop=stop
            ),
        )
        return acquisition_result(acq, session)

    async def acquire_spectrum_image(
        kind: Annotated[Literal["EELS", "EDS"], Field(description="EELS or EDS")],
        x_nm: Annotated[
            float, Field(description="region left edge in the FOV, nm", ge=0, le=2000, allow_inf_nan=False)
        ],
        y_nm: Annotated[float, Field(description="region top edge in the FOV, nm", ge=0, le=2000, allow_inf_nan=False)],
        width_nm: Annotated[float, Field(description="region width, nm", gt=0, le=2000, allow_inf_nan=False)],
        height_nm: Annotated[float, Field(description="region height, nm", gt=0, le=2000, allow_inf_nan=False)],
        pixels: Annotated[int, Field(description="pixels along the width of the region", ge=2, le=128)] = 32,
        dwell_ms: Annotated[
            float, Field(description="time per pixel in ms", gt=0, le=1000, allow_inf_nan=False)
        ] = 10.0,
        ctx: Context | None = None,
    ) -> ToolResult | InputRequiredResult:
        """Map a rectangular region of the current FOV with a spectrum at every pixel (elemental maps). Slow
        and dose-heavy: choose a small region and few pixels first."""
        region = {"x_nm": x_nm, "y_nm": y_nm, "width_nm": width_nm, "height_nm": height_nm}
        args = {"kind": kind, **region, "pixels": pixels, "dwell_ms": dwell_ms}
        go = await gate.check(ctx, "acquire_spectrum_image", args)
        if isinstance(go, InputRequiredResult):
            return go
        dwell = float((go.arguments or args)["dwell_ms"])
        acq = await in_thread(
            ctx,
            lambda p, stop: session.acquire_spectrum_image(
                kind, x_nm, y_nm, width_nm, height_nm, pixels, dwell, approved=go.approved, progress=p, stop=stop
            ),
        )
        return acquisition_result(acq, session)

    async def autofocus(
        range_nm: Annotated[
            float,
            Field(
                description="defocus range searched, nm (+- range/2 about the current)",
                gt=0,
                le=2000,
                allow_inf_nan=False,
            ),
        ] = 100.0,
        steps: Annotated[int, Field(description="number of trial defocus values", ge=3, le=41)] = 11,
        ctx: Context | None = None,
    ) -> AutofocusResult | InputRequiredResult:
        """Find and set the best defocus by a through-focus series of quick scans. Each step doses the area;
        it can fail on amorphous areas or with too little signal (then move or raise the dose)."""
        args = {"range_nm": range_nm, "steps": steps}
        go = await gate.check(ctx, "autofocus", args)
        if isinstance(go, InputRequiredResult):
            return go
        n = int((go.arguments or args)["steps"])
        r = await in_thread(
            ctx, lambda p, stop: session.autofocus(range_nm, n, approved=go.approved, progress=p, stop=stop)
        )
        return AutofocusResult(
            success=bool(r.success),
            defocus_nm=float(r.defocus_nm),
            dose_e_per_A2=float(r.dose_e_per_A2),
            time_s=float(r.time_s),
            message=str(r.message),
            metric_by_defocus=_pairs(r.metric_by_defocus),
        )

    def get_dose_map() -> ToolResult:
        """The accumulated electron dose over the specimen: the exact peak and where it is, the electrons
        delivered, and a map image (bright = more dose; cells average the dose, so read the peak from the numbers).
        Use to pick a fresh area on beam-sensitive specimens."""
        dose_map = session.dose_map()
        ledger = session.dose_ledger()
        data = np.asarray(dose_map.data, dtype=np.float64)
        extent = [float(v) for v in dose_map.extent_nm]
        pixel_size_nm = (extent[1] - extent[0]) / data.shape[1]
        result = DoseMapResult(
            max_dose_e_per_A2=float(ledger["used_e_per_A2"]),
            peak_x_nm=float(ledger["peak_x_nm"]),
            peak_y_nm=float(ledger["peak_y_nm"]),
            total_electrons=float(ledger["total_electrons"]),
            exposed_fraction=float(np.count_nonzero(data) / data.size),
            extent_nm=extent,
            pixel_size_nm=pixel_size_nm,
        )
        return with_images(result, image_content(data.astype(np.float32), pixel_size_nm))

    add_tool(mcp, acquire_image, ACQUIRE, AcquisitionResult)
    add_tool(mcp, acquire_spectrum, ACQUIRE, AcquisitionResult)
    add_tool(mcp, acquire_spectrum_image, ACQUIRE, AcquisitionResult)
    add_tool(mcp, autofocus, ACQUIRE)
    add_tool(mcp, get_dose_map, READ_ONLY, DoseMapResult)
