"""Turn a parsed request into an ordered list of tool steps; later steps may read earlier results.

A step's arguments are either fixed or computed from the outcomes so far (the id of the image just taken, the
position of the brightest atom, the stage position before a zoom). A step whose arguments come out ``None`` is
skipped with a note saying why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from copilot.agent.offline.outcomes import (
    Outcome,
    current_fov_nm,
    feature_position,
    last_acquisition_id,
    recent_acquisitions,
)
from copilot.agent.offline.parse import Request

Args = dict[str, Any] | Callable[[Sequence[Outcome]], dict[str, Any] | str]
"""Fixed arguments, or a function of the outcomes so far returning arguments or the reason to skip."""

SURVEY = {"fov_nm": 400.0, "pixels": 256, "dwell_us": 1.0}
ZOOM = {"fov_nm": 16.0, "pixels": 512, "dwell_us": 4.0}
AFM_INTENTS = {
    "afm_approach",
    "afm_withdraw",
    "afm_image",
    "roughness",
    "step_height",
    "force_curve",
    "change_tip",
    "tip_check",
    "grating",
    "domains",
    "plane_level",
}
IMAGE_ANALYSES = {
    "atoms": "find_atoms",
    "defects": "detect_defects",
    "lattice": "measure_lattice",
    "particles": "segment_particles",
    "fft": "compute_fft",
    "denoise": "denoise_image",
    "drift": "estimate_drift",
    "focus_quality": "focus_quality",
}
AFM_ANALYSES = {
    "plane_level": "plane_level",
    "roughness": "roughness",
    "step_height": "step_height",
    "grating": "grating_pitch",
    "domains": "domain_fraction",
    "tip_check": "tip_artifact_check",
}


@dataclass(frozen=True)
class Step:
    """One planned tool call."""

    tool: str
    args: Args
    optional: bool = False  # a failure is noted and the plan goes on


def given(**values: Any) -> dict[str, Any]:
    """Only the values that were actually given."""
    return {key: value for key, value in values.items() if value is not None}


def on_last_image(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
    """Arguments naming the newest acquisition, or why there is none."""
    acquisition = last_acquisition_id(outcomes)
    return {"acquisition_id": acquisition} if acquisition else "there is no image to work on yet"


def best_specimen(wanted: str) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """Pick the listed specimen whose name shares the most words with what the user asked for."""

    def choose(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        names = _specimen_names(outcomes)
        words = set(re.findall(r"[a-z0-9]+", wanted.lower()))

        def score(name: str) -> tuple[int, int]:
            parts = set(re.findall(r"[a-z0-9]+", name.lower()))
            return (len(words & parts) + (name.lower() in wanted.lower()) * 2, -len(name))

        ranked = sorted(names, key=score, reverse=True)
        if not ranked or score(ranked[0])[0] == 0:
            return f"no specimen matches {wanted!r} (available: {', '.join(names) or 'none listed'})"
        return {"name": ranked[0]}

    return choose


def _specimen_names(outcomes: Sequence[Outcome]) -> list[str]:
    for outcome in outcomes:
        if outcome.name == "list_specimens" and outcome.ok:
            items = next((v for v in outcome.data.values() if isinstance(v, list)), [])
            return [str(i.get("name") if isinstance(i, dict) else i) for i in items]
    return []


def spectrum_at(request: Request) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """The spectrum arguments at the requested place: given coordinates, the brightest atom or a found defect."""

    def place(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        kind = request.spectrum_kind or "EELS"
        if request.spectrum_at is not None:
            return {"kind": kind, "x_nm": request.spectrum_at[0], "y_nm": request.spectrum_at[1]}
        found = next((o for o in reversed(outcomes) if o.name == "detect_defects" and o.ok), None)
        if request.spectrum_target is None or found is None:
            centre = at_centre(outcomes)
            return {"kind": kind, **centre} if isinstance(centre, dict) else centre
        # the brightest columns are the heavy substitutions detect_defects locates (HAADF contrast ~ Z^1.7)
        strict = request.spectrum_target in ("dopant", "brightest")
        kinds = ("substitution", "dopant", "impurity") if strict else ("",)
        xy = feature_position(found.data, kinds, fallback=not strict)
        if xy is None:
            return f"detect_defects located no {request.spectrum_target} atom to put the beam on"
        return {"kind": kind, "x_nm": round(xy[0], 3), "y_nm": round(xy[1], 3)}

    return place


def zoom_move(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
    """Move the stage by the offset of the survey's most interesting feature (the first defect) from its centre."""
    fov = current_fov_nm(outcomes)
    found = next((o for o in reversed(outcomes) if o.name == "detect_defects" and o.ok), None)
    xy = feature_position(found.data, ("",)) if found else None
    if fov is None or xy is None:
        return "the survey showed no feature to zoom into, so the zoom stays at the survey centre"
    dx_um, dy_um = (xy[0] - fov / 2) / 1000, (xy[1] - fov / 2) / 1000
    return {"x_um": round(dx_um, 5), "y_um": round(dy_um, 5), "relative": True}


def export_args(request: Request) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """Export the newest acquisition under its own id, in the format the user named (HDF5 by default)."""

    def args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        target = on_last_image(outcomes)
        if isinstance(target, str):
            return target
        fmt = request.export_format or "hdf5"
        return {**target, "name": f"{target['acquisition_id']}_export", "format": fmt}

    return args


def drift_args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
    """Compare the last two images of this turn, taken back to back (one frame time apart)."""
    pair = recent_acquisitions(outcomes, 2)
    if len(pair) < 2 or not isinstance(pair[0].get("frame_time_s"), int | float):
        return "drift needs two images of the same area with their frame time"
    first, second = (str(a.get("id") or a.get("acquisition_id")) for a in pair)
    return {"first_acq_id": first, "second_acq_id": second, "dt_s": float(pair[0]["frame_time_s"])}


def build_plan(request: Request) -> list[Step]:
    """The ordered steps for a request (see the module docstring)."""
    intents = request.intents
    afm = bool(intents & AFM_INTENTS)
    steps: list[Step] = []
    if "status" in intents or ("dose" in intents and "map" not in intents):
        steps.append(Step("get_status", {}))
    if "dose" in intents:
        steps.append(Step("get_dose_map", {}))
    if "list_specimens" in intents or ("load" in intents and request.specimen):
        steps.append(Step("list_specimens", {}))
    if "load" in intents and request.specimen:
        chooser = best_specimen(request.specimen)
        steps.append(Step("load_specimen", lambda o: _with(chooser(o), given(seed=request.seed))))
    if "beam" in intents:
        steps.append(
            Step("set_beam", given(energy_kv=request.energy_kv, current_pa=request.current_pa, blanked=request.blanked))
        )
    if "optics" in intents and request.defocus_nm is not None:
        steps.append(Step("set_optics", {"defocus_nm": request.defocus_nm}))
    if "stage" in intents:
        steps.append(Step("move_stage", dict(request.stage_um)))
    steps += _afm_steps(request) if afm else _stem_steps(request)
    if "export" in intents:
        steps.append(Step("export_acquisition", export_args(request)))
    if "afm_withdraw" in intents:
        steps.append(Step("withdraw", {}))
    return steps


def _with(args: dict[str, Any] | str, extra: dict[str, Any]) -> dict[str, Any] | str:
    return {**args, **extra} if isinstance(args, dict) else args


def _stem_steps(request: Request) -> list[Step]:
    intents = request.intents
    scan = given(fov_nm=request.fov_nm, pixels=request.pixels, dwell_us=request.dwell_us)
    steps: list[Step] = []
    analyses = [tool for intent, tool in IMAGE_ANALYSES.items() if intent in intents]
    if request.spectrum_target is not None and "detect_defects" not in analyses:
        analyses.insert(0, "detect_defects")
    if "survey_zoom" in intents:
        steps += [
            Step("set_scan", {**SURVEY, **given(fov_nm=request.fov_nm)}),
            Step("acquire_image", given(detector=request.detector)),
            Step("detect_defects", on_last_image, optional=True),
            Step("move_stage", zoom_move),
            Step("set_scan", {**ZOOM, **given(pixels=request.pixels, dwell_us=request.dwell_us)}),
        ]
    elif scan:
        steps.append(Step("set_scan", scan))
    if "focus" in intents:
        steps.append(Step("autofocus", {}))
    wants_image = bool(analyses) and not request.use_last_image
    if "acquire" in intents or "survey_zoom" in intents or wants_image:
        steps.append(Step("acquire_image", given(detector=request.detector)))
    elif analyses or "export" in intents:
        steps.append(Step("list_acquisitions", {}))
    if "drift" in intents:
        steps.append(Step("acquire_image", given(detector=request.detector)))
    steps += [Step(tool, drift_args if tool == "estimate_drift" else on_last_image) for tool in analyses]
    spectrum = "spectrum" in intents or "elements" in intents
    if spectrum and request.spectrum_at is None and request.spectrum_target is None and not steps:
        steps.append(Step("get_status", {}))  # the field of view, to park the beam at its centre
    if spectrum:
        steps.append(Step("acquire_spectrum", spectrum_at(request)))
    if "elements" in intents:
        steps.append(Step("identify_elements", on_last_image))
    return steps


def _afm_steps(request: Request) -> list[Step]:
    intents = request.intents
    steps: list[Step] = []
    if "change_tip" in intents:
        steps.append(Step("change_tip", {}))
    if "afm_approach" in intents:
        steps.append(Step("approach", {}))
    scan = given(size_nm=request.fov_nm, pixels=request.pixels)
    if scan:
        steps.append(Step("set_afm_scan", scan))
    analyses = [tool for intent, tool in AFM_ANALYSES.items() if intent in intents]
    if ("afm_image" in intents or analyses) and not request.use_last_image:
        steps.append(Step("acquire_afm_image", {}))
    elif analyses:
        steps.append(Step("list_acquisitions", {}))
    steps += [Step(tool, on_last_image) for tool in analyses]
    if "force_curve" in intents:
        if not steps:
            steps.append(Step("get_status", {}))  # the scan size, to place the curve at its centre
        steps.append(Step("acquire_force_curve", at_centre))
    return steps


def at_centre(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
    """The centre of the current field of view or scan."""
    fov = current_fov_nm(outcomes)
    if fov is None:
        return "the size of the current scan is unknown"
    return {"x_nm": round(fov / 2, 3), "y_nm": round(fov / 2, 3)}
