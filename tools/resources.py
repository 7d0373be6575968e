"""Resources: microscope://status, microscope://specimens, acq://{id} (metadata), acq://{id}/preview (PNG) and
acq://{id}/hdf5 (the full data)."""

from __future__ import annotations

import json

from fastmcp import FastMCP
from fastmcp.exceptions import ResourceError

from copilot.session import Session

from .common import translating_errors


def register_resources(mcp: FastMCP, session: Session) -> None:
    """Register the read-only resources over ``session``."""

    def status() -> str:
        """Instrument state, dose ledger and latest acquisition (the same as the get_status tool)."""
        return json.dumps(session.status())

    def specimens() -> str:
        """Loadable specimens and the instrument each needs."""
        return json.dumps(session.list_specimens())

    def acquisition(acq_id: str) -> str:
        """Full metadata of one acquisition (calibration, dose, every instrument setting)."""
        entry = session.store.metadata(acq_id)
        return json.dumps({"id": entry.id, "kind": entry.kind, "created_utc": entry.created_utc, **entry.metadata})

    def preview(acq_id: str) -> bytes:
        """PNG preview of one acquisition (longest side <= 1024 px, with a scale bar)."""
        return bytes(session.store.preview(acq_id))

    def data(acq_id: str) -> bytes:
        """The full acquisition as its HDF5 file (arrays, calibration and every setting; see copilot.store)."""
        session.store.metadata(acq_id)
        return session.store.path(acq_id).read_bytes()

    mcp.resource("microscope://status", mime_type="application/json")(translating_errors(status, ResourceError))
    mcp.resource("microscope://specimens", mime_type="application/json")(translating_errors(specimens, ResourceError))
    mcp.resource("acq://{acq_id}", mime_type="application/json")(translating_errors(acquisition, ResourceError))
    mcp.resource("acq://{acq_id}/preview", mime_type="image/png")(translating_errors(preview, ResourceError))
    mcp.resource("acq://{acq_id}/hdf5", mime_type="application/x-hdf5")(translating_errors(data, ResourceError))
