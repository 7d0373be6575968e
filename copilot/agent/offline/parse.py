"""Read a microscopist's request in free wording: settings with units, and what is asked for.

Pure functions of the text, no tools. Units are converted to the tool units (nm, µs, kV, pA, µm, degrees).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from copilot.agent.offline.clauses import Constraint, read_constraints
from copilot.agent.offline.lexicon import NUM, SPECIMEN_ALIASES, first, normalise, number, to_tool_unit
from copilot.agent.offline.places import fov_point_nm, region_nm, series_nm, stage_positions_um, stage_tilts_deg
from copilot.agent.offline.questions import status_questions
from copilot.agent.offline.relative_zoom import relative_zoom_factor
from copilot.agent.offline.specimens import wanted_specimen
from copilot.agent.offline.spectrum_map import asks_for_map
from copilot.agent.offline.vocabulary import (
    INSPECT_PATTERN,
    INTENT_PATTERNS,
    TIME,
    UNSUPPORTED,
    detector,
    requested_interval_s,
)

IMAGE_NOUN = r"\b(image|frame|picture|micrograph|haadf)\b"
LENGTH = r"\s*(nm|µm|μm|um|microns?|å|angstroms?|pm)\b"
LENGTH_OR_A = r"\s*(nm|µm|μm|um|microns?|å|a|angstroms?|pm)(?![a-z])"


@dataclass
class Request:
    """What a request asks for: families in ``intents`` and the settings it names, in tool units."""

    text: str = ""  # the request as read: normalised, its negated and bounded parts cut out
    intents: set[str] = field(default_factory=set)
    fov_nm: float | None = None
    pixels: int | None = None
    dwell_us: float | None = None
    rotation_deg: float | None = None
    rate_hz: float | None = None
    defocus_nm: float | None = None
    defocus_series_nm: list[float] = field(default_factory=list)
    astig_nm: float | None = None
    cs_um: float | None = None
    convergence_mrad: float | None = None
    energy_kv: float | None = None
    current_pa: float | None = None
    blanked: bool | None = None
    stage_um: dict[str, float] = field(default_factory=dict)
    stage_series_um: list[dict[str, float]] = field(default_factory=list)
    zoom_fov_nm: float | None = None
    zoom_on_feature: bool = False
    specimen: str | None = None
    seed: int | None = None
    detector: str | None = None
    spectrum_kind: str | None = None
    spectrum_dwell_ms: float | None = None
    point_nm: tuple[float, float] | None = None
    region_nm: tuple[float, float, float, float] | None = None
    spectrum_target: str | None = None  # "brightest", "dopant", "defect" or None
    setpoint_nm: float | None = None
    p_gain: float | None = None
    i_gain_per_ms: float | None = None
    channels: list[str] = field(default_factory=list)
    change_if_double: bool = False
    export_format: str | None = None
    use_last_image: bool = False
    use_last_spectrum: bool = False
    unsupported: list[str] = field(default_factory=list)
    tilt_deg: dict[str, float] = field(default_factory=dict)  # a relative tilt: {"alpha_deg": 5.0}
    tilt_relative: bool = False
    astig_check: bool = False  # "is the image astigmatic?": compare sharpness at the current A1 and at zero
    astig_fix: bool = False  # ... and keep A1 = 0 when it is sharper
    particle_target: str | None = None  # zoom on the "largest" or "smallest" particle
    spectrum_map: bool = False  # a spectrum image over a region ("map the Ti distribution over a 4 nm square")
    zoom_factor: float | None = None  # "zoom out a bit": the current field of view times this
    drift_interval_s: float | None = None  # "a drift check over 10 seconds"
    inspect: bool = False  # "anything unusual?": the analysis is chosen by the field of view of the image
    map_pixels: int | None = None  # the pixels of a spectrum image
    map_side_nm: float | None = None  # the side of a square map centred in the field of view
    unmapped: list[str] = field(default_factory=list)  # parts of the request the plan does not do, said in the answer
    constraints: list[Constraint] = field(default_factory=list)  # what it forbids or bounds (``clauses``)
    questions: list[int] = field(default_factory=list)  # what it asks about the instrument (``questions``)
    load_explicit: bool = True  # the specimen was named with a load verb (else loaded only if it is not in)


def _num(text: str) -> float:
    return number(text)


def _length_nm(value: str, unit: str) -> float:
    return number(value) * 0.1 if unit.lower() == "a" else to_tool_unit(value, unit)


def parse_request(text: str) -> Request:
    """Parse one user message (see the module docstring)."""
    whole = normalise(text)
    reading = read_constraints(whole)
    low = reading.text
    request = Request(text=low, constraints=reading.constraints, questions=status_questions(whole))
    wanted = wanted_specimen(low)
    named = low
    if wanted is not None:
        request.specimen, request.seed, request.load_explicit = wanted.name, wanted.seed, wanted.explicit
        named = low.replace(wanted.span, " ") if wanted.span else low  # a name is not a request
        named = re.sub(SPECIMEN_ALIASES.get(wanted.name, re.escape(wanted.name)), " ", named)
        named = re.sub(r"\(?\s*seed\s*(?:=|:|of|#)?\s*\d+\s*\)?", " ", named)
    request.intents = {name for name, pattern in INTENT_PATTERNS.items() if re.search(pattern, named)}
    if wanted is not None:
        request.intents.add("load")
    request.unsupported = [what for pattern, what in UNSUPPORTED.items() if re.search(pattern, low)]
    request.point_nm = fov_point_nm(low)
    request.region_nm = region_nm(low)
    if asks_for_map(low):
        request.spectrum_map = True
        request.intents.add("spectrum")
    _parse_spectrum(low, request)
    _parse_scan(low, request)
    _parse_optics_and_beam(low, request)
    _parse_stage(low, request)
    _parse_afm(low, request)
    _fallback_fov(low, request)
    _parse_relative_zoom(low, request)
    if re.search(INSPECT_PATTERN, low) and not request.intents & {"defects", "particles", "atoms", "lattice"}:
        request.inspect = True
        request.intents.add("acquire")
    if "drift" in request.intents:
        request.drift_interval_s = requested_interval_s(low)
    if request.spectrum_map:
        request.map_pixels, request.pixels = request.pixels, None  # "a 4x4 spectrum image": the map's pixels
    if request.spectrum_map and request.region_nm is None:
        request.map_side_nm, request.fov_nm = request.fov_nm, None  # "over a 4 nm square" sizes the map, not the scan
    if request.fov_nm is not None or request.pixels is not None or request.dwell_us is not None:
        request.intents.add("scan")
    if "scan" in request.intents and "spectrum" not in request.intents and re.search(IMAGE_NOUN, low):
        request.intents.add("acquire")  # "a 5 nm, 512 px image please"
    if "focus_quality" in request.intents and not re.search(r"auto-?focus|refocus|focus (the|on|up)|into focus", low):
        request.intents.discard("focus")  # "is it in focus?" asks for a check, not a focus run
    if request.setpoint_nm is not None or request.p_gain is not None or request.i_gain_per_ms is not None:
        request.intents.discard("feedback_tune")  # gains given are set, not tuned
        request.intents.add("afm_context")
    acting = request.intents & {"acquire", "scan", "beam", "optics"}
    if "status" in request.intents and acting and not re.search(r"\bstatus\b", low):
        request.intents.discard("status")  # "an image with the current settings" asks for no status
    if any("acquire_image" in c.tools for c in request.constraints):
        request.use_last_image = True  # "count the atoms, don't take a new image"
    if "focus" in request.intents and "optics" in request.intents and not re.search(r"auto-?focus|refocus", low):
        request.intents.discard("focus")  # "defocus -5 nm" / "set focus to" is an optics setting
    imaging = re.sub(r"spectr(um|al|o?scopic) image", " ", low)  # a spectrum image is not a picture
    if "spectrum" in request.intents and not re.search(r"image|frame|picture|micrograph|haadf|\bbf\b", imaging):
        request.intents.discard("acquire")  # "acquire EDS for 0.5 ms" records a spectrum, not an image
    if "fft" in request.intents and not re.search(r"lattice (constant|parameter)", low):
        request.intents.discard("lattice")  # "the d-spacing of the FFT" is read from the FFT itself
    request.detector = detector(low)
    export_format = re.search(r"\b(hdf5|h5|tiff?|png)\b", low)
    if export_format:
        request.export_format = {"h5": "hdf5", "tif": "tiff"}.get(export_format.group(1), export_format.group(1))
    last = r"\b(last|previous|existing|current|that|this) "
    just = r" (i|you|we) (just )?(took|taken|recorded|acquired)"
    request.use_last_image = request.use_last_image or bool(
        re.search(last + r"(image|acquisition|scan|frame)|(image|frame)" + just, low)
    )
    request.use_last_spectrum = bool(re.search(last + r"spectrum|spectrum" + just, low))
    return request


def _parse_scan(low: str, request: Request) -> None:
    scan_word = r"(?:fov|field of view|field|scan size|view|(?:afm )?scan|raster)"
    fov = re.search(scan_word + r"\s*(?:of|to|=|:|at|is|for)?\s*(?:a\s*)?" + NUM + LENGTH_OR_A, low)
    fov = fov or re.search(
        NUM + LENGTH + r"\s*(?:afm )?(?:fov|field|wide|across|square|scan size|scan\b|view|survey|overview)", low
    )
    if fov:
        request.fov_nm = _length_nm(fov.group(1), fov.group(2))
    fovs = [_length_nm(v, u) for v, u in re.findall(NUM + LENGTH + r"\s*(?:fov|field of view)", low)]
    fovs += [_length_nm(v, u) for v, u in re.findall(r"\bzoom(?: in)?(?: to)?\s*(?:a\s*)?" + NUM + LENGTH, low)]
    request.zoom_on_feature = bool(re.search(r"interesting|feature", low))
    if "particles" in request.intents and re.search(r"\bzoom|\bcent(re|er) (it|on)|close[- ]?up|magnif", low):
        request.particle_target = "smallest" if re.search(r"smallest|tiniest", low) else "largest"
        request.intents.discard("survey_zoom")  # the zoom goes to the particle, not to a defect
    if request.fov_nm is not None and fovs and (len(fovs) >= 2 or fovs[-1] != request.fov_nm):
        request.zoom_fov_nm = fovs[-1]  # "an overview at 1000 nm field of view, then a 50 nm field of view image"
        request.intents.add("survey_zoom")
    elif "survey_zoom" in request.intents and not re.search(r"survey|overview|interesting|feature", low):
        request.intents.discard("survey_zoom")  # "zoom in to 20 nm": just a smaller field of view
        request.fov_nm = request.fov_nm if request.fov_nm is not None else (fovs[0] if fovs else None)
    pixels = re.search(r"(\d+)\s*(?:x|×|by)\s*\d+\b(?!\s*(?:nm|µm|um))", low)
    pixels = pixels or re.search(r"(\d+)\s*(?:px|pixels?)\b", low)
    pixels = pixels or re.search(r"pixels?\s*(?:of|to|=|:)?\s*(\d+)", low)
    if pixels:
        request.pixels = int(pixels.group(1))
    for match in re.finditer(NUM + TIME, low):
        value_us = to_tool_unit(match.group(1), match.group(2))
        if request.spectrum_kind and (
            value_us >= 100 or re.search(r"spectr|eels|eds", low[match.end() : match.end() + 30])
        ):
            request.spectrum_dwell_ms = value_us / 1000  # a spectrum's time is its own dwell, not the scan's
        else:
            request.dwell_us = value_us
    if rotation := re.search(r"rotat\w*\D{0,20}?" + NUM + r"\s*(?:°|deg)", low):
        request.rotation_deg = _num(rotation.group(1))
        request.intents.add("scan")
    if rate := re.search(NUM + r"\s*hz\b", low):
        request.rate_hz = _num(rate.group(1))


def _fallback_fov(low: str, request: Request) -> None:
    """ "A 5 nm, 512 px image": in an imaging request whose one length has no other role, it is the field of view."""
    roles = (request.point_nm, request.region_nm, request.defocus_nm, request.astig_nm, request.setpoint_nm)
    if request.fov_nm is not None or any(r is not None for r in roles) or request.defocus_series_nm:
        return
    if request.stage_um or request.stage_series_um:
        return
    lengths = re.findall(NUM + r"\s*(nm|å|angstroms?)\b", low)
    if len(lengths) == 1 and _image_request(request):
        request.fov_nm = _length_nm(*lengths[0])


def _parse_relative_zoom(low: str, request: Request) -> None:
    """A zoom with no field of view named, on no survey or particle: scale the current field of view, then image."""
    if request.fov_nm is not None or request.zoom_fov_nm is not None or request.particle_target is not None:
        return
    if "survey_zoom" in request.intents:
        return
    request.zoom_factor = relative_zoom_factor(low)
    if request.zoom_factor is not None:
        request.intents.add("acquire")


def _image_request(request: Request) -> bool:
    return bool(request.intents & {"acquire", "atoms", "lattice", "particles", "defects", "fft", "scan", "afm_image"})


def _parse_optics_and_beam(low: str, request: Request) -> None:
    request.defocus_series_nm = series_nm(low, "focus")
    defocus = re.search(
        r"(defocus|underfocus|overfocus|focus)(?: value)?\s*(?:of|to|=|:|at|by)?\s*" + NUM + LENGTH_OR_A, low
    ) or re.search(r"(defocus)\s*(?:to|=|:)?\s*(0)()\s*(?:$|[,.;]|\s+(?:and|then|please)\b)", low)
    if request.defocus_series_nm:
        request.intents.add("optics")
    elif defocus and (defocus.group(1) != "focus" or "optics" in request.intents or "set" in low):
        value = _length_nm(defocus.group(2), defocus.group(3) or "nm")
        sign = {"underfocus": -1.0, "overfocus": 1.0}.get(defocus.group(1))
        request.defocus_nm = sign * abs(value) if sign else value
        request.intents.add("optics")
    if "astig" in request.intents:
        astig = re.search(r"astig\w*\D{0,20}?" + NUM + LENGTH, low)
        astig = astig or re.search(NUM + LENGTH + r"\s*(?:of\s+)?(?:twofold\s+)?astig", low)
        corrected = re.search(r"(correct|remove|zero|cancel|null)", low)
        request.astig_nm = _length_nm(astig.group(1), astig.group(2)) if astig else (0.0 if corrected else None)
        if request.astig_nm is None or (not astig and re.search(r"\bif (so|needed|necessary|it is)\b", low)):
            request.astig_check = True  # no value to set, or only "if needed": judge it on images
            request.astig_fix = bool(re.search(r"\b(fix|correct|remove|cancel|null|zero|if so)", low))
            request.astig_nm = None
        if request.astig_nm is not None:
            request.intents.add("optics")
    if energy := re.search(NUM + r"\s*kv\b", low):
        request.energy_kv = _num(energy.group(1))
    if current := first(low, "current"):
        request.current_pa = current.value
    if cs := re.search(r"\b(?:cs|spherical aberration)\D{0,20}?" + NUM + r"\s*(mm|µm|um|nm)\b", low):
        request.cs_um = to_tool_unit(cs.group(1), cs.group(2)) / 1000
    if convergence := re.search(r"convergence\D{0,25}?" + NUM + r"\s*mrad\b", low):
        request.convergence_mrad = _num(convergence.group(1))
    if request.cs_um is not None or request.convergence_mrad is not None:
        request.intents.add("optics")
    if re.search(r"\bunblank", low):
        request.blanked = False
    elif re.search(r"\bblank", low):
        request.blanked = True


def _parse_stage(low: str, request: Request) -> None:
    moves = bool(re.search(r"\b(stage|move|drive|go to|translate)\b", low))
    positions = stage_positions_um(low, nm_allowed=moves and request.point_nm is None)
    if z := re.search(r"\bz\s*(?:=|:|to)?\s*" + NUM + r"\s*(µm|um)\b", low):
        positions = positions or [{}]
        positions[0]["z_um"] = _num(z.group(1))
    pair = re.search(r"(?:move|go|stage)\D*\(?\s*" + NUM + r"\s*,\s*" + NUM + r"\s*\)?\s*(µm|um)", low)
    pair = pair or re.search(
        r"\b(?:go|move|drive|return|back)(?: the stage)? to\s*\(?\s*"
        + NUM
        + r"\s*,\s*"
        + NUM
        + r"\s*\)?(?!\s*(?:nm|µm|um|\d))",
        low,
    )
    if re.search(
        r"\b(home|centre|center|zero) the stage|stage (to|back to) (the )?(origin|home|centre|center)|"
        r"origin of the stage",
        low,
    ):
        positions = positions or [{"x_um": 0.0, "y_um": 0.0}]
    if pair and not positions:
        positions = [{"x_um": _num(pair.group(1)), "y_um": _num(pair.group(2))}]
    shift = re.search(
        r"\b(?:move|shift|nudge|drive|step|translate|go)(?: the stage| the specimen| the sample)?\s*(by|another)?\s*"
        + NUM
        + r"\s*(nm|µm|um|microns?)\s*(?:in |along |to the )?(x|y|right|left|up|down)\b",
        low,
    )
    if shift and not positions:
        sign = -1.0 if shift.group(4) in ("left", "down") else 1.0
        axis = "x_um" if shift.group(4) in ("x", "right", "left") else "y_um"
        positions = [{axis: sign * to_tool_unit(shift.group(2), shift.group(3)) / 1000, "relative": True}]
    tilts, request.tilt_relative = stage_tilts_deg(re.sub(r"rotat\w*\D{0,20}?" + NUM + r"\s*(?:°|deg)", " ", low))
    if tilts and request.tilt_relative:
        request.tilt_deg = tilts  # a move "by" an angle is its own relative move_stage
    elif tilts:
        positions = positions or [{}]
        positions[0].update(tilts)
    elif re.search(r"\btilt", low) and not re.search(r"tilt series", low):
        request.unmapped.append("the tilt (name the angle in degrees, e.g. 'tilt alpha by 5 degrees')")
    if len(positions) > 1:
        request.stage_series_um = positions
    elif positions:
        request.stage_um = positions[0]
    if positions or request.tilt_deg:
        request.intents.add("stage")
    else:
        request.intents.discard("stage")


def _parse_afm(low: str, request: Request) -> None:
    if setpoint := re.search(r"setpoint\D{0,20}?" + NUM + r"\s*nm|" + NUM + r"\s*nm (?:amplitude )?setpoint", low):
        request.setpoint_nm = _num(setpoint.group(1) or setpoint.group(2))
    if p_gain := re.search(r"\b(?:p|proportional)[- ]gain\s*(?:=|:|to|of)?\s*" + NUM, low):
        request.p_gain = _num(p_gain.group(1))
    if i_gain := re.search(r"\b(?:i|integral)[- ]gain\s*(?:=|:|to|of)?\s*" + NUM, low):
        request.i_gain_per_ms = _num(i_gain.group(1))
    if re.search(r"\bphase\b", low) and request.intents & {"afm_image", "domains", "afm_approach"}:
        request.channels = ["height", "phase"]
    request.change_if_double = "tip_check" in request.intents and bool(re.search(r"change|replace|swap", low))
    if request.change_if_double:
        request.intents.discard("change_tip")  # changed only if the check finds a double tip


def _parse_spectrum(low: str, request: Request) -> None:
    if "spectrum" not in request.intents:
        return
    request.spectrum_kind = "EDS" if re.search(r"\beds\b|\bedx\b|x-ray", low) else "EELS"
    if request.point_nm is not None:
        return
    if re.search(r"bright|heaviest|strongest", low):
        request.spectrum_target = "brightest"
    elif re.search(r"dopant|impurit|substitution", low):
        request.spectrum_target = "dopant"
    elif re.search(r"defect|vacanc", low):
        request.spectrum_target = "defect"
    if request.spectrum_target and not re.search(
        r"(find|count|locate|how many)\s+(all\s+|the\s+)?(atoms|atomic col|col)", low
    ):
        request.intents.discard("atoms")  # "on the brightest atom" names a place, not an analysis
