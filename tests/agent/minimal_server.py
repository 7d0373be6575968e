"""A small stand-in MCP server with the contract's tool names, for tests of the agent plumbing.

It keeps a little state (scan settings, a dose counter, acquisitions) so tests can check that calls reached it,
that a rejected call changed nothing, and that images travel back as MCP image content.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastmcp import Context, FastMCP
from fastmcp.exceptions import ToolError
from fastmcp.tools import ToolResult
from fastmcp.utilities.types import Image
from mcp.types import ElicitRequest, ElicitRequestFormParams, InputRequiredResult, ToolAnnotations
from PIL import Image as PILImage
from pydantic import Field

from copilot.dose_policy import DoseBudgetError
from copilot.tools.approval import QUESTION_KEY, USE_SAFE, question_schema

BUDGET_E_PER_A2 = 1000.0


@dataclass
class MiniState:
    fov_nm: float = 50.0
    pixels: int = 256
    dwell_us: float = 2.0
    dose_e_per_A2: float = 0.0
    acquisitions: list[dict[str, Any]] = field(default_factory=list)
    tip_changes: int = 0


def _png(size: int = 16) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("L", (size, size), color=128).save(buffer, format="PNG")
    return buffer.getvalue()


def create_minimal_server(state: MiniState) -> FastMCP:
    """A server over ``state`` with set_scan, acquire_image (dose-guarded), find_atoms and change_tip."""
    server = FastMCP("mini-microscope")

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True))
    def set_scan(
        fov_nm: Annotated[float | None, Field(gt=0.5, le=2000)] = None,
        pixels: Annotated[int | None, Field(ge=16, le=4096)] = None,
        dwell_us: Annotated[float | None, Field(gt=0, le=1000)] = None,
    ) -> dict[str, Any]:
        """Set the scan: field of view (nm), pixels per side, dwell per pixel (us)."""
        state.fov_nm = fov_nm or state.fov_nm
        state.pixels = pixels or state.pixels
        state.dwell_us = dwell_us or state.dwell_us
        return {"fov_nm": state.fov_nm, "pixels": state.pixels, "dwell_us": state.dwell_us}

    def frame_dose() -> float:
        return 10.0 * state.dwell_us * (state.pixels / state.fov_nm) ** 2 / 100.0

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False))
    def acquire_image(detector: str = "haadf", ctx: Context | None = None) -> ToolResult | InputRequiredResult:
        """Acquire an image; a dose over the budget is put to the person (an elicitation), like the real server."""
        reach = state.dose_e_per_A2 + frame_dose()
        if reach > BUDGET_E_PER_A2:
            safe_dwell = round(state.dwell_us * (BUDGET_E_PER_A2 - state.dose_e_per_A2) / frame_dose(), 3)
            refusal = DoseBudgetError(
                f"acquire_image would bring the dose to {reach:.0f} e-/A^2, over the budget of {BUDGET_E_PER_A2:.0f}.",
                figures={"dose_would_reach_e_per_A2": reach, "limit_e_per_A2": BUDGET_E_PER_A2},
                safe_alternative={"dwell_us": safe_dwell},
            )
            answer = (ctx.input_responses or {}).get(QUESTION_KEY) if ctx is not None else None
            if answer is None:
                params = ElicitRequestFormParams(message=refusal.question, requested_schema=question_schema(refusal))
                return InputRequiredResult(input_requests={QUESTION_KEY: ElicitRequest(params=params)})
            if answer.action != "accept":  # type: ignore[union-attr]
                raise ToolError(f"{refusal.args[0]} The person declined it.")
            if (answer.content or {}).get("decision") == USE_SAFE:  # type: ignore[union-attr]
                state.dwell_us = safe_dwell
        dose = frame_dose()
        state.dose_e_per_A2 += dose
        acq_id = f"a{len(state.acquisitions) + 1:04d}"
        record = {"id": acq_id, "detector": detector, "dose_e_per_A2": round(dose, 3), "uri": f"acq://{acq_id}"}
        state.acquisitions.append(record)
        image = Image(data=_png(), format="png").to_image_content()
        return ToolResult(content=[json.dumps(record), image], structured_content=record)

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    def find_atoms(acquisition_id: str) -> dict[str, Any]:
        """Find atomic columns in an acquisition."""
        if acquisition_id not in {a["id"] for a in state.acquisitions}:
            raise ToolError(f"unknown acquisition {acquisition_id!r}; call list_acquisitions")
        return {"acquisition_id": acquisition_id, "n_atoms": 42, "mean_spacing_nm": 0.316}

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True))
    def change_tip() -> dict[str, Any]:
        """Replace the AFM tip (destructive: the old tip is gone)."""
        state.tip_changes += 1
        return {"tip_changes": state.tip_changes}

    return server
