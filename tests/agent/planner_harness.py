"""Drive the offline planner without a server: scripted tool results, the real tool argument names."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from copilot.agent.offline import OfflinePlanner

ACQ = {"acq_id": {"type": "string"}}
APPROVED = {"approved": {"type": "boolean"}}
SCHEMAS: dict[str, dict[str, Any]] = {
    "get_status": {},
    "list_specimens": {},
    "load_specimen": {"name": {"type": "string"}, "seed": {"type": "integer"}},
    "set_beam": {"energy_kv": {}, "current_pa": {}, "blanked": {}},
    "set_optics": {"defocus_nm": {}, "astig_nm": {}, "astig_angle_deg": {}},
    "set_scan": {"fov_nm": {}, "pixels": {}, "dwell_us": {}, "rotation_deg": {}},
    "move_stage": {"x_um": {}, "y_um": {}, "z_um": {}, "alpha_deg": {}, "beta_deg": {}, "relative": {}},
    "acquire_image": {"detector": {"enum": ["HAADF", "BF"]}, **APPROVED},
    "acquire_spectrum": {"kind": {"enum": ["EELS", "EDS"]}, "x_nm": {}, "y_nm": {}, "dwell_ms": {}, **APPROVED},
    "autofocus": {"range_nm": {}, "steps": {}, **APPROVED},
    "get_dose_map": {},
    "list_acquisitions": {"kind": {}, "last": {}},
    "export_acquisition": {**ACQ, "name": {}, "format": {"enum": ["hdf5", "tiff", "png"]}},
    **{name: ACQ for name in ("find_atoms", "detect_defects", "measure_lattice", "segment_particles")},
    **{name: ACQ for name in ("denoise_image", "compute_fft", "focus_quality")},
    "estimate_drift": {"first_acq_id": {}, "second_acq_id": {}, "dt_s": {}},
    **{name: ACQ for name in ("identify_elements", "plane_level", "roughness", "step_height")},
    **{name: ACQ for name in ("tip_artifact_check", "domain_fraction", "grating_pitch")},
    **{name: {} for name in ("approach", "withdraw", "change_tip", "get_tip_state")},
    "acquire_force_curve": {"x_nm": {}, "y_nm": {}},
    "set_afm_scan": {"size_nm": {}, "pixels": {}, "rate_hz": {}},
    "acquire_afm_image": {**APPROVED},
}

RESULTS: dict[str, dict[str, Any]] = {
    "get_status": {"specimen": "MoS2", "scan": {"fov_nm": 32.0, "pixels": 256}, "dose_used_e_per_A2": 12.5},
    "list_specimens": {"specimens": [{"name": "mos2_monolayer"}, {"name": "gold_nanoparticles"}, {"name": "srtio3"}]},
    "load_specimen": {"specimen": "loaded", "scan": {"fov_nm": 50.0}},
    "acquire_image": {
        "id": "a0007",
        "fov_nm": 20.0,
        "pixel_size_nm": 0.078,
        "dose_e_per_A2": 1830.5,
        "frame_time_s": 2.1,
    },
    "acquire_spectrum": {"id": "a0008", "x_nm": 0.0, "spectrum_kind": "EELS", "dose_e_per_A2": 9100.0},
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
    "segment_particles": {"particle_count": 14, "mean_diameter_nm": 4.87, "std_diameter_nm": 0.91},
    "focus_quality": {"sharpness": 0.412},
    "estimate_drift": {"dx_nm": 0.42, "dy_nm": -0.1, "rate_nm_per_s": 0.21, "confidence": 0.9},
    "identify_elements": {"acquisition_id": "a0008", "kind": "EELS", "present": ["Mo", "S"]},
    "roughness": {"rq_nm": 0.84, "ra_nm": 0.66},
    "step_height": {"step_height_nm": 0.62},
    "grating_pitch": {"pitch_nm": 3000.0},
    "domain_fraction": {"fraction": 0.37},
    "acquire_afm_image": {"id": "a0011", "size_nm": 1000.0},
    "acquire_force_curve": {"id": "a0012", "adhesion_nn": 2.3},
    "autofocus": {"success": True, "defocus_nm": -3.2, "dose_e_per_A2": 44.0},
    "list_acquisitions": {"acquisitions": [{"id": "a0001"}, {"id": "a0005"}], "latest_acquisition_id": "a0005"},
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
    planner = OfflinePlanner(tool_schemas={name: {"properties": props} for name, props in SCHEMAS.items()})
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
