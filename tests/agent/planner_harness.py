"""Drive the offline planner without a server: scripted tool results, the real server's tool schemas."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastmcp import Client
from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from copilot.agent.offline import OfflinePlanner
from copilot.session import Session
from copilot.tools import create_server


def server_schemas() -> dict[str, dict[str, Any]]:
    """Name -> argument schema of every tool of the real server (over a throw-away session), as the agent binds
    them: the planner fills arguments, ranges and choices from these."""

    async def listed() -> dict[str, dict[str, Any]]:
        with tempfile.TemporaryDirectory() as folder:
            session = Session(Path(folder) / "data")
            try:
                async with Client(create_server(session)) as client:
                    return {tool.name: dict(tool.input_schema) for tool in await client.list_tools()}
            finally:
                session.close()

    return asyncio.run(listed())


SCHEMAS: dict[str, dict[str, Any]] = server_schemas()
"""The real server's tool schemas, read once per test run."""

RESULTS: dict[str, dict[str, Any]] = {
    "get_status": {
        "specimen": "mos2",
        "seed": 0,
        "settings": {
            "beam": {"energy_kv": 80.0, "current_pa": 30.0, "blanked": False},
            "optics": {"defocus_nm": 0.0, "astig_nm": 0.0, "cs_um": 1.0, "convergence_mrad": 30.0},
            "scan": {"fov_nm": 32.0, "pixels": 256, "dwell_us": 4.0, "pixel_size_nm": 0.125, "frame_time_s": 0.28},
            "stage": {"x_um": 0.0, "y_um": 0.0, "z_um": 0.0, "alpha_deg": 0.0, "beta_deg": 0.0},
        },
        "dose": {"budget_e_per_A2": 1e8, "used_e_per_A2": 12.5, "remaining_e_per_A2": 99999987.5},
    },
    "list_specimens": {
        "specimens": [
            {"name": name}
            for name in (
                "graphene",
                "mos2",
                "srtio3",
                "gold_nanoparticles",
                "grain_boundary",
                "afm_steps",
                "afm_nanoparticles",
                "afm_polymer_blend",
                "afm_grating",
                "afm_ferroelectric",
            )
        ]
    },
    "load_specimen": {"specimen": "loaded", "scan": {"fov_nm": 50.0}},
    "acquire_image": {
        "id": "a0007",
        "fov_nm": 20.0,
        "pixel_size_nm": 0.078,
        "dose_e_per_A2": 1830.5,
        "frame_time_s": 2.1,
    },
    "acquire_spectrum": {"id": "a0008", "x_nm": 0.0, "spectrum_kind": "EELS", "dose_e_per_A2": 9100.0},
    "acquire_spectrum_image": {
        "id": "a0009",
        "kind": "spectrum_image",
        "spectrum_kind": "EDS",
        "shape": [16, 16, 2048],
    },
    "find_atoms": {
        "acquisition_id": "a0007",
        "atom_count": 57,
        "spacing_nm": 0.184,
        "class_counts": [38, 19],
        "class_mean_intensities": [110.0, 403.0],
    },
    "detect_defects": {
        "acquisition_id": "a0007",
        "vacancies": 1,
        "substitutions": 1,
        "partial_vacancies": 0,
        "interstitials": 0,
        "sites_judged": 310,
        "positions_nm": [["vacancy", 120.0, 80.0], ["substitution", 5.5, 6.25]],
    },
    "measure_lattice": {"a_nm": 0.3161, "b_nm": 0.3158, "gamma_deg": 119.8},
    "segment_particles": {
        "particle_count": 14,
        "mean_diameter_nm": 4.87,
        "std_diameter_nm": 0.91,
        "particles_nm": [[12.0, 8.0, 6.5], [4.0, 15.0, 3.1]],
    },
    "focus_quality": {"sharpness": 0.412},
    "estimate_drift": {"dx_nm": 0.42, "dy_nm": -0.1, "rate_nm_per_s": 0.21, "dt_s": 2.1},
    "identify_elements": {"acquisition_id": "a0008", "kind": "EELS", "present": ["Mo", "S"]},
    "roughness": {"rq_nm": 0.84, "ra_nm": 0.66},
    "step_height": {"step_height_nm": 0.62},
    "grating_pitch": {"pitch_nm": 3000.0},
    "domain_fraction": {"fraction": 0.37},
    "acquire_afm_image": {"id": "a0011", "size_nm": 1000.0},
    "acquire_force_curve": {"id": "a0012", "adhesion_nn": 2.3},
    "autofocus": {"success": True, "defocus_nm": -3.2, "dose_e_per_A2": 44.0},
    "list_acquisitions": {
        "acquisitions": [
            {"id": "a0001", "kind": "image", "fov_nm": 32.0},
            {"id": "a0005", "kind": "image", "fov_nm": 20.0},
        ],
        "latest_acquisition_id": "a0005",
    },
    "export_acquisition": {"id": "a0007", "format": "tiff", "file_name": "a0007_export.tiff", "size_bytes": 5120},
}

Tool = Callable[[dict[str, Any]], dict[str, Any] | str]
"""A scripted tool: the structured result, or an error message (the call failed)."""


def default_tool(name: str) -> Tool:
    def run(args: dict[str, Any]) -> dict[str, Any] | str:
        return RESULTS.get(name, {"settings": dict(args)})

    return run


@dataclass
class Run:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answer: str = ""
    messages: list[BaseMessage] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def args(self, name: str) -> dict[str, Any]:
        return next(args for called, args in self.calls if called == name)


def drive(text: str, overrides: dict[str, Tool] | None = None, max_steps: int = 30) -> Run:
    """Run the planner on ``text`` until it answers, executing each call with the scripted tools."""
    planner = OfflinePlanner(tool_schemas=dict(SCHEMAS))
    tools = {name: default_tool(name) for name in SCHEMAS} | (overrides or {})
    run = Run(messages=[HumanMessage(text)])
    fov_nm = RESULTS["acquire_image"]["fov_nm"]
    for _ in range(max_steps):
        reply = planner.reply(run.messages)
        run.messages.append(reply)
        if not reply.tool_calls:
            run.answer = reply.text
            return run
        for call in reply.tool_calls:
            run.calls.append((call["name"], call["args"]))
            fov_nm = call["args"].get("fov_nm", fov_nm) if call["name"] == "set_scan" else fov_nm
            result = tools[call["name"]](call["args"])
            if call["name"] == "acquire_image" and isinstance(result, dict):
                result = {**result, "fov_nm": fov_nm}  # the image has the field of view that was set
            if isinstance(result, str):
                message = ToolMessage(result, tool_call_id=call["id"], name=call["name"], status="error")
            else:
                artifact = {"structured_content": result}
                message = ToolMessage(json.dumps(result), tool_call_id=call["id"], name=call["name"], artifact=artifact)
            run.messages.append(message)
    raise AssertionError(f"the planner made more than {max_steps} calls for {text!r}")
