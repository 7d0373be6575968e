"""Turn a parsed request into an ordered list of tool steps; later steps may read earlier results.

A step's arguments are either fixed or computed from the outcomes so far (the id of the image just taken, the
position of the brightest atom, the stage position before a zoom). A step whose arguments come out as a reason is
skipped with a note saying it; a step with a condition runs only when the outcomes so far meet it. The AFM part
of a plan is in ``afm_plan``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from copilot.agent.offline.afm_plan import SURFACE_INTENTS, TIP_DOWN_INTENTS, afm_steps
from copilot.agent.offline.lexicon import specimen_named
from copilot.agent.offline.outcomes import (
    Outcome,
    current_fov_nm,
    feature_position,
    recent_acquisitions,
)
from copilot.agent.offline.recipes import recipe_steps
from copilot.agent.offline.relative_settings import scaled
from copilot.agent.offline.relative_zoom import zoomed_scan
from copilot.agent.offline.request import Request
from copilot.agent.offline.specimens import Wanted, best_specimen, needs_loading
from copilot.agent.offline.spectrum_map import map_args, map_place
from copilot.agent.offline.steps import Step, at_centre, compare_steps, given, on_last_image

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
    "feedback_tune",
    "tallest",
    "afm_context",
}
STEM_MEASUREMENTS = {
    "atoms",
    "defects",
    "lattice",
    "particles",
    "spectrum",
    "elements",
    "survey_zoom",
    "fft",
    "denoise",
    "drift",
    "focus_quality",
}
"""What the STEM acquires or measures beyond a plain image."""
ACTION_INTENTS = AFM_INTENTS - {"afm_context", "afm_withdraw", "change_tip"} | {"acquire"} | STEM_MEASUREMENTS
"""Requests that acquire or measure."""
STEM_ONLY_INTENTS = STEM_MEASUREMENTS | {
    "edge_onset",
    "focus",
    "beam",
    "optics",
    "stage",
    "line_profile",
}
"""What only the STEM's tools do: a request asking for one of them is meant for the STEM."""
LONG_DWELL_US = 10.0
HIGH_CURRENT_PA = 50.0
"""A requested dwell or current above these can overexpose a beam-sensitive specimen: the dose is checked first."""
IMAGE_ANALYSES = {
    "denoise": "denoise_image",  # first: the analyses after it work on the denoised frame
    "atoms": "find_atoms",
    "defects": "detect_defects",
    "lattice": "measure_lattice",
    "particles": "segment_particles",
    "fft": "compute_fft",
    "drift": "estimate_drift",
    "focus_quality": "focus_quality",
    "line_profile": "line_profile",
}


def spectrum_at(request: Request, kind_said: str | None = None) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """The spectrum arguments at the requested place: given coordinates, a found dopant or defect, or the centre of
    the field of view; with the requested spectrum dwell (of ``kind_said`` when the request names two kinds)."""
    dwell = given(dwell_ms=request.spectrum_dwell_ms)

    def place(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        kind = kind_said or request.spectrum_kind or "EELS"
        if request.point_nm is not None:
            return {"kind": kind, "x_nm": request.point_nm[0], "y_nm": request.point_nm[1], **dwell}
        found = next((o for o in reversed(outcomes) if o.name == "detect_defects" and o.ok), None)
        if request.spectrum_target is None or found is None:
            centre = at_centre(outcomes)
            return {"kind": kind, **centre, **dwell} if isinstance(centre, dict) else centre
        # the brightest columns are the heavy substitutions detect_defects locates (HAADF contrast ~ Z^1.7)
        strict = request.spectrum_target in ("dopant", "brightest")
        kinds = ("substitution", "dopant", "impurity") if strict else ("",)
        xy = feature_position(found.data, kinds, fallback=not strict)
        if xy is None:
            return f"detect_defects located no {request.spectrum_target} atom to put the beam on"
        return {"kind": kind, "x_nm": round(xy[0], 3), "y_nm": round(xy[1], 3), **dwell}

    return place


def last_spectrum(status: dict[str, Any] | None) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """The spectrum (or spectrum image) to analyse: the newest of this turn, else the newest acquisition the status
    names."""

    def args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        spectra = [o for o in outcomes if o.ok and o.name in ("acquire_spectrum", "acquire_spectrum_image")]
        if spectra:
            return on_last_image(spectra)
        latest = (status or {}).get("latest_acquisition_id")
        return {"acquisition_id": latest} if isinstance(latest, str) else {}  # the tool takes the newest

    return args


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
        name = request.export_name or f"{target['acquisition_id']}_export"
        return {**target, "name": name, "format": fmt}

    return args


def drift_args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
    """Compare the last two images of this turn, taken back to back (one frame time apart, the interval a server
    that does not read it from the frames' start times needs)."""
    pair = recent_acquisitions(outcomes, 2)
    if len(pair) < 2 or not isinstance(pair[0].get("frame_time_s"), int | float):
        return "drift needs two images of the same area with their frame time"
    first, second = (str(a.get("id") or a.get("acquisition_id")) for a in pair)
    return {"first_acq_id": first, "second_acq_id": second, "dt_s": float(pair[0]["frame_time_s"])}


def lattice_pair_args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
    """The lattice of the last two images of this turn: the second, taken with the scan rotated, as the rotated
    frame that frees the cell of drift."""
    pair = [str(a.get("id") or a.get("acquisition_id")) for a in recent_acquisitions(outcomes, 2)]
    if len(pair) < 2:
        return "the drift-corrected lattice needs two images of the same area"
    return {"acquisition_id": pair[0], "rotated_acq_id": pair[1]}


def profile_args(request: Request) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """A line profile between the ends the user named, else corner to corner when asked, else across the middle of
    the newest image, left to right; averaged over the width named."""
    width = given(width_nm=request.line_width_nm)

    def args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        target, fov = on_last_image(outcomes), current_fov_nm(outcomes)
        if isinstance(target, str) or request.line_nm is not None:
            return _with(target, dict(zip(("x0_nm", "y0_nm", "x1_nm", "y1_nm"), request.line_nm or (), strict=False)))
        if fov is None:
            return "the field of view of the image is unknown"
        middle, side = round(fov / 2, 3), round(fov, 3)
        if request.line_diagonal:
            return {**target, "x0_nm": 0.0, "y0_nm": 0.0, "x1_nm": side, "y1_nm": side}
        return {**target, "x0_nm": 0.0, "y0_nm": middle, "x1_nm": side, "y1_nm": middle}

    def widened(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        said = args(outcomes)
        return said | width if isinstance(said, dict) else said

    return widened


def last_image_with(extra: dict[str, Any]) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """The newest image, with the ``extra`` arguments the user named (a denoise method, a particle size range)."""
    return lambda outcomes: _with(on_last_image(outcomes), extra)


ANALYSIS_ARGS = {"estimate_drift": drift_args}


def needs_status(request: Request) -> bool:
    """Whether the plan starts from the instrument status: an AFM measurement or image (engaged? which gains?), a
    spectrum at the centre of the field of view, an image with a long dwell or high current (the dose), or a scan or
    image that names no instrument (which one is loaded); not after a specimen change."""
    intents = request.intents
    if request.specimen and not request.load_explicit:
        return True  # loaded only if it is not in already
    if any(c.kind == "limit" for c in request.constraints):
        return True  # a limit is checked against the present settings
    if "load" in intents:
        return False
    surface = bool(intents & (SURFACE_INTENTS | {"afm_approach"}))
    if request.use_last_image and not intents & (TIP_DOWN_INTENTS | {"afm_approach"}):
        surface = False  # "the roughness of the last topograph": no tip on the surface, nothing to read first
    centre_spectrum = bool(intents & {"spectrum", "elements"}) and request.point_nm is None
    centre_spectrum = centre_spectrum and (request.region_nm is None or "elements" in intents)
    centre_spectrum = centre_spectrum and request.spectrum_target is None and not request.use_last_spectrum
    centre_spectrum = centre_spectrum and not (request.spectrum_map and request.region_nm is not None)
    dose = (request.dwell_us or 0.0) > LONG_DWELL_US or (request.current_pa or 0.0) > HIGH_CURRENT_PA
    relative = request.zoom_factor is not None or bool(request.scales or request.offsets) or instrument_unknown(request)
    relative = relative or (request.pixel_size_nm is not None and request.fov_nm is None)  # times the pixels set
    lands = is_afm(request, None) and bool(intents & {"image_any", "acquire", "afm_image"})  # the tip lands to image
    lands = lands and not request.use_last_image  # ... not to analyse "the last topograph"
    return surface or lands or centre_spectrum or relative or request.astig_check or (dose and _acquires(request))


def instrument_unknown(request: Request) -> bool:
    """The request's tools depend on the instrument and nothing in it says which: a scan or an image (both
    instruments have them) with no word, specimen or analysis of only one instrument ("scan 2 um", "image it",
    "256 pixels"). The plan then reads the status and uses the instrument that is loaded."""
    if request.instruments_named == {"STEM", "AFM"}:
        return True  # "a HAADF at 2 Hz": words of both, the loaded one decides
    if request.instrument is not None or request.specimen or specimen_named(request.text):
        return False
    if request.intents & (AFM_INTENTS | STEM_ONLY_INTENTS) or request.count_any or request.inspect:
        return False
    return bool(request.intents & {"scan", "acquire", "image_any"})


def is_afm(request: Request, status: dict[str, Any] | None) -> bool:
    """The AFM is meant: the status says so, or (without a status) the request names only AFM things (in any
    clause, negated ones too), loads an AFM specimen, or asks for AFM work."""
    if status and isinstance(status.get("instrument"), str):
        return str(status["instrument"]).upper() == "AFM"
    if request.instrument is not None:
        return request.instrument == "AFM"
    if request.specimen and "load" in request.intents:
        return request.specimen.lower().startswith("afm")
    return bool(request.intents & AFM_INTENTS)


def build_plan(request: Request, status: dict[str, Any] | None = None) -> list[Step]:
    """The ordered steps for a request (see the module docstring); ``status`` is the instrument status read
    first for requests that acquire or measure."""
    intents = request.intents
    steps: list[Step] = []
    loading = bool(request.specimen) and "load" in intents
    if loading and request.specimen and not needs_loading(_wanted(request), status):
        loading = False  # the named specimen is in already
    elif loading:
        status = None  # the status read first describes the specimen that is taken out
    if status is None and ("status" in intents or ("dose" in intents and "dose_map" not in intents)):
        steps.append(Step("get_status", {}))
    if intents & {"dose", "dose_map"}:
        steps.append(Step("get_dose_map", {}))
    if "tip_wear" in intents:
        steps.append(Step("get_tip_state", {}))  # wear and radius are recorded: no image is needed
    if "list_specimens" in intents or loading:
        steps.append(Step("list_specimens", {}))
    if loading and request.specimen:
        chooser = best_specimen(request.specimen)
        steps.append(Step("load_specimen", lambda o: _with(chooser(o), given(seed=request.seed))))
    if (request.scales or request.offsets) and status is not None:
        request.unmapped += [said for said in scaled(request, status) if said not in request.unmapped]
    scan_now = ((status or {}).get("settings") or {}).get("scan") or {}
    if request.pixel_size_nm and request.fov_nm is None and isinstance(scan_now.get("pixels"), int):
        request.fov_nm = round(scan_now["pixels"] * request.pixel_size_nm, 6)  # at the pixels that are set
    if "image_any" in intents:  # "image it": on the instrument the status names
        intents.add("afm_image" if is_afm(request, status) else "acquire")
    if is_afm(request, status):
        steps += afm_steps(request, status)
    else:
        steps += _settings_steps(request, status) + _stem_steps(request, status)
    if "acquisitions" in intents and not any(step.tool == "list_acquisitions" for step in steps):
        steps.append(Step("list_acquisitions", {}))  # "what have we acquired?": the listing is the answer
    if "export" in intents:
        steps.append(Step("export_acquisition", export_args(request)))
    if request.blanked is True and _acquires(request) and not is_afm(request, status):
        steps.append(Step("set_beam", {"blanked": True}, last=True))  # blanked once the acquisitions are done
    if "afm_withdraw" in intents and "change_tip" not in intents:  # a tip change withdraws first
        steps.append(Step("withdraw", {}))
    return steps


def _wanted(request: Request) -> Wanted:
    return Wanted(request.specimen or "", request.seed, request.load_explicit, "")


def _with(args: dict[str, Any] | str, extra: dict[str, Any]) -> dict[str, Any] | str:
    return {**args, **extra} if isinstance(args, dict) else args


def _settings_steps(request: Request, status: dict[str, Any] | None) -> list[Step]:
    """Beam, optics and a single stage move, in that order; blanked beams are unblanked before an acquisition."""
    intents = request.intents
    steps: list[Step] = []
    blank_after = request.blanked is True and _acquires(request)  # "take an image, then blank": blanked last
    beam = given(
        energy_kv=request.energy_kv, current_pa=request.current_pa, blanked=None if blank_after else request.blanked
    )
    if _blanked(status) and request.blanked is None and _acquires(request):
        beam["blanked"] = False  # the request needs the beam: unblank it first
    if beam and ("beam" in intents or "blanked" in beam):
        steps.append(Step("set_beam", beam))
    optics = given(
        defocus_nm=request.defocus_nm,
        astig_nm=request.astig_nm,
        astig_angle_deg=request.astig_angle_deg,
        coma_nm=request.coma_nm,
        coma_angle_deg=request.coma_angle_deg,
        cs_um=request.cs_um,
        convergence_mrad=request.convergence_mrad,
    )
    if "optics" in intents and optics:
        steps.append(Step("set_optics", optics))
    if "detectors" in intents and request.detector_mrad:
        steps.append(Step("set_detectors", dict(request.detector_mrad)))
    if "stage" in intents and request.stage_um:
        steps.append(Step("move_stage", dict(request.stage_um)))
    if "stage" in intents and request.tilt_deg:
        steps.append(Step("move_stage", {**request.tilt_deg, "relative": True}))
    if request.blank_around:
        return _blanked_around(steps)
    return steps


def _blanked_around(steps: list[Step]) -> list[Step]:
    """The settings changed between a blank and an unblank: blank first, unblank last."""
    changes = []
    for step in steps:
        args = dict(step.args) if isinstance(step.args, dict) else step.args
        if step.tool == "set_beam" and isinstance(args, dict):
            args.pop("blanked", None)
            if not args:
                continue
        changes.append(step.model_copy(update={"args": args}))
    return [Step("set_beam", {"blanked": True}), *changes, Step("set_beam", {"blanked": False})]


def _blanked(status: dict[str, Any] | None) -> bool:
    beam = ((status or {}).get("settings") or {}).get("beam") or {}
    return beam.get("blanked") is True


def _acquires(request: Request) -> bool:
    return bool(request.intents & (ACTION_INTENTS - {"elements"})) or bool(
        request.stage_series_um or request.defocus_series_nm
    )


def _stem_steps(request: Request, status: dict[str, Any] | None) -> list[Step]:
    intents = request.intents
    scan = given(
        fov_nm=request.fov_nm, pixels=request.pixels, dwell_us=request.dwell_us, rotation_deg=request.rotation_deg
    )
    image = Step("acquire_image", given(detector=request.detector))
    steps: list[Step] = []
    analyses = [tool for intent, tool in IMAGE_ANALYSES.items() if intent in intents]
    if request.spectrum_target is not None and "detect_defects" not in analyses:
        analyses.insert(0, "detect_defects")
    if "survey_zoom" in intents:
        steps += _survey_zoom_steps(request)
        image = Step("acquire_image", given(detector=request.zoom_detector or request.detector))
    elif request.zoom_factor is not None:
        zoomed = zoomed_scan(request.zoom_factor)
        steps.append(Step("set_scan", lambda outcomes: _with(zoomed(outcomes), scan)))
    elif scan:
        steps.append(Step("set_scan", scan))
    if "focus" in intents:
        steps.append(Step("autofocus", given(range_nm=request.focus_range_nm, steps=request.focus_steps)))
    if request.stage_series_um:
        for position in request.stage_series_um:
            steps += [Step("move_stage", position), image]
    elif request.defocus_series_nm:
        for defocus_nm in request.defocus_series_nm:
            steps += [Step("set_optics", {"defocus_nm": defocus_nm}), image]
    elif "acquire" in intents or "survey_zoom" in intents or (analyses and not request.use_last_image):
        steps.append(image)
    elif analyses or "export" in intents:
        steps.append(Step("list_acquisitions", {}))
    if "drift" in intents or (request.lattice_pair and not request.use_last_image):
        steps.append(image)  # the pair
    arguments = {
        **ANALYSIS_ARGS,
        "denoise_image": last_image_with(given(method=request.denoise_method, strength_nm=request.denoise_strength_nm)),
        "line_profile": profile_args(request),
        "segment_particles": last_image_with(
            given(
                min_diameter_nm=request.min_diameter_nm,
                max_diameter_nm=request.max_diameter_nm,
                threshold_sigmas=request.threshold_sigmas,
            )
        ),
    }
    if request.lattice_pair:
        arguments["measure_lattice"] = lattice_pair_args
    series = len(request.stage_series_um or request.defocus_series_nm)
    for tool in analyses:  # a series' frames are each scored ("one under focus, one over, which is sharper?")
        each = tool == "focus_quality" and series >= 2
        steps += compare_steps(series) if each else [Step(tool, arguments.get(tool, on_last_image), fallback=("dt_s",))]
    steps += recipe_steps(request, status)
    if request.spectrum_map:
        kind = request.spectrum_kind or "EELS"
        place = map_place(request.text)
        region = map_args(
            kind, request.region_nm, request.map_side_nm, request.map_pixels, request.spectrum_dwell_ms, place
        )
        steps.append(Step("acquire_spectrum_image", region))
    point = bool(intents & {"elements", "spectrum"}) and not request.spectrum_map  # a map's elements: the map's
    if point and not request.use_last_spectrum:
        for kind in request.spectrum_kinds or [
            request.spectrum_kind or "EELS"
        ]:  # one spectrum of each kind named, at the same place
            steps.append(Step("acquire_spectrum", spectrum_at(request, kind)))
    last_analysed = "spectrum" in intents and request.use_last_spectrum and request.edge_onset is None
    if "elements" in intents or last_analysed:
        steps.append(Step("identify_elements", last_spectrum(status)))
    if request.edge_onset is not None:
        element, edge = request.edge_onset
        steps.append(Step("measure_edge_onset", _on_spectrum(status, given(element=element, edge=edge))))
    return steps


def _on_spectrum(status: dict[str, Any] | None, args: dict[str, Any]) -> Callable[[Sequence[Outcome]], Any]:
    """``args`` on the spectrum to analyse (see ``last_spectrum``)."""
    spectrum = last_spectrum(status)
    return lambda outcomes: _with(spectrum(outcomes), args)


def _survey_zoom_steps(request: Request) -> list[Step]:
    """A low-dose survey, then the zoom: into the most interesting feature when asked, else at the same centre."""
    survey = {**SURVEY, **given(fov_nm=request.fov_nm)} if request.zoom_fov_nm is None else given(fov_nm=request.fov_nm)
    zoom = {**ZOOM, **given(pixels=request.pixels, dwell_us=request.dwell_us)}
    if request.zoom_fov_nm is not None:
        zoom = {"fov_nm": request.zoom_fov_nm}
    steps = [Step("set_scan", survey), Step("acquire_image", given(detector=request.detector))]
    if request.zoom_fov_nm is None or request.zoom_on_feature:
        steps += [Step("detect_defects", on_last_image, optional=True), Step("move_stage", zoom_move)]
    return [*steps, Step("set_scan", zoom)]
