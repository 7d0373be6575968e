"""Data tools: list, fetch and export the acquisitions of the session's data folder."""

from __future__ import annotations

from typing import Annotated, Literal

from fastmcp import FastMCP
from fastmcp.tools import ToolResult
from pydantic import Field

from copilot.session import Session

from .acquire import AcquisitionResult, acquisition_result, describe
from .common import READ_ONLY, Result, add_tool

AcqId = Annotated[str, Field(description="acquisition id such as a0001", pattern=r"^a\d{4,8}$")]


class AcquisitionList(Result):
    acquisitions: list[AcquisitionResult]
    latest_acquisition_id: str | None


class ExportResult(Result):
    id: str
    format: str
    file_name: str = Field(description="file written in the exports folder of the session's data folder")
    size_bytes: int


def register_data_tools(mcp: FastMCP, session: Session) -> None:
    """Register list_acquisitions, get_acquisition and export_acquisition over ``session``."""

    def list_acquisitions(
        kind: Annotated[
            Literal["image", "spectrum", "spectrum_image", "afm_image"] | None,
            Field(description="only this kind (default: all)"),
        ] = None,
        last: Annotated[int, Field(description="at most this many, newest last", ge=1, le=1000)] = 50,
    ) -> AcquisitionList:
        """Acquisitions stored in this session's data folder (id, kind, calibration, dose), oldest first. Use to
        find ids for analysis, drift estimation or export."""
        entries = [session.store.metadata(i) for i in session.store.ids()]
        chosen = [e for e in entries if kind is None or e.kind == kind][-last:]
        return AcquisitionList(
            acquisitions=[describe(e, session) for e in chosen], latest_acquisition_id=session.latest_acquisition_id
        )

    def get_acquisition(acq_id: AcqId) -> ToolResult:
        """One stored acquisition: its calibration, dose and statistics, with its preview image. Use to look at an
        earlier acquisition again."""
        return acquisition_result(session.get_acquisition(acq_id), session)

    def export_acquisition(
        acq_id: AcqId,
        name: Annotated[
            str, Field(description="plain file name, no folders, e.g. 'survey_01'", min_length=1, max_length=128)
        ],
        format: Annotated[Literal["hdf5", "tiff", "png"], Field(description="file format")] = "hdf5",
    ) -> ExportResult:
        """Write an acquisition as HDF5 (all data and metadata), TIFF (float32 image with calibration) or PNG
        (scaled image) into the exports folder of the session's data folder. Names with folders are refused."""
        path = session.export_acquisition(acq_id, name, format)
        return ExportResult(id=acq_id, format=format, file_name=path.name, size_bytes=path.stat().st_size)

    add_tool(mcp, list_acquisitions, READ_ONLY)
    add_tool(mcp, get_acquisition, READ_ONLY, AcquisitionResult)
    add_tool(
        mcp,
        export_acquisition,
        READ_ONLY.model_copy(update={"read_only_hint": False, "idempotent_hint": False}),
    )
