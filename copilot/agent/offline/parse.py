"""Read a microscopist's request in free wording: settings with units, and what is asked for.

Pure functions of the text, no tools. Units are converted to the tool units (nm, µs, kV, pA, µm, degrees).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NUM = r"([-+−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
LENGTH_TO_NM = {
    "nm": 1.0,
    "µm": 1000.0,
    "μm": 1000.0,
    "um": 1000.0,
    "micron": 1000.0,
    "microns": 1000.0,
    "å": 0.1,
    "a": 0.1,
    "angstrom": 0.1,
    "angstroms": 0.1,
    "pm": 0.001,
}
TIME_TO_US = {
    "µs": 1.0,
    "μs": 1.0,
    "us": 1.0,
    "microsecond": 1.0,
    "microseconds": 1.0,
    "ns": 0.001,
    "nanosecond": 0.001,
    "nanoseconds": 0.001,
    "ms": 1000.0,
    "millisecond": 1000.0,
    "milliseconds": 1000.0,
}
LENGTH = r"\s*(nm|µm|μm|um|microns?|å|angstroms?|pm)\b"
LENGTH_OR_A = r"\s*(nm|µm|μm|um|microns?|å|a|angstroms?|pm)(?![a-z])"
TIME = r"\s*(µs|μs|us|microseconds?|ns|nanoseconds?|ms|milliseconds?)\b"

INTENT_PATTERNS: dict[str, str] = {
    "status": r"\bstatus\b|current (settings|state|setup)|what is loaded|how is the (instrument|microscope)",
    "dose": r"\bdose (used|spent|so far|map|budget|left)|how much dose|remaining dose",
    "list_specimens": r"(list|which|what) (the |of the )?(specimens|samples)|(specimens|samples) (are )?"
    r"(available|can)",
    "load": r"\b(load|insert|mount|switch to|put in)\b",
    "beam": r"\d\s*kv\b|\d\s*pa\b|\bblank|\bunblank",
    "optics": r"defocus|underfocus|overfocus|astigmat",
    "stage": r"\b(move|go|stage|translate|tilt)\b.*(\d\s*(µm|um|μm|°|deg))|\bstage\b",
    "scan": r"\bfov\b|field of view|\d\s*(px|pixels?)\b|\d\s*(x|×)\s*\d|dwell|\d" + TIME,
    "focus": r"auto-?focus|\brefocus|\bfocus (the|on|it|up)|into focus|\bfocus\b(?! quality)",
    "acquire": r"\b(acquire|take|grab|record|capture|snap|shoot|collect)\b.*\b(image|picture|frame|micrograph|scan|"
    r"haadf|abf|bf)\b|\bacquire\b|\bimage (it|the sample|the specimen)\b|^\s*(image|scan)\b",
    "atoms": r"\batoms?\b|atomic columns?|\bcolumns\b",
    "defects": r"defects?|vacanc|dopants?|impurit|substitution",
    "lattice": r"lattice|d-?spacing|interplanar|periodicity|unit cell",
    "particles": r"particles?|nanoparticles?|clusters|size distribution",
    "spectrum": r"spectrum|spectra|\beels\b|\beds\b|\bedx\b|spectroscop",
    "elements": r"(which|what) elements|identify (the )?elements|composition|chemical make",
    "survey_zoom": r"survey|overview|most interesting|zoom",
    "fft": r"\bfft\b|fourier|diffractogram|power spectrum",
    "denoise": r"denois|noise reduction",
    "drift": r"\bdrift",
    "focus_quality": r"focus quality|sharpness|how sharp|is it in focus|check (the )?focus",
    "export": r"\bexport|save (the |it|this)?\s*(data|image|acquisition)|\btiff?\b|\bhdf5\b",
    "afm_approach": r"\bapproach\b|\bengage\b|land the tip",
    "afm_withdraw": r"withdraw|retract the tip|lift the tip|disengage",
    "afm_image": r"\bafm\b|topograph|height (image|map)|tapping|contact mode",
    "roughness": r"roughness|\brms\b",
    "step_height": r"step height|terrace|\bsteps?\b",
    "force_curve": r"force[- ]?(curve|distance|spectroscop)|adhesion",
    "change_tip": r"(change|replace|swap|new) (the )?(afm )?tip",
    "tip_check": r"tip (artifact|artefact|check|condition|state|shape|quality)|double tip|blunt",
    "grating": r"grating|pitch",
    "domains": r"domains?",
    "plane_level": r"plane[- ]level|level(ling)? the|flatten|plane fit",
}
UNSUPPORTED: dict[str, str] = {
    r"\b(heat|cool|temperature|cryo|anneal)": "change the specimen temperature (no heating or cryo holder)",
    r"tomograph|tilt series|3d reconstruct": "record a tomography tilt series",
    r"hologra": "do electron holography",
    r"\b(cbed|diffraction pattern|4d-?stem)": "record diffraction patterns (no diffraction camera on the twin)",
    r"\b(gas|liquid cell|in[- ]situ|bias(ing)? holder)": "run in-situ experiments",
    r"\b(email|e-mail|internet|web|weather|order|buy)\b": "do anything outside the microscope",
    r"\b(vent|pump down|open the column|bake)": "service the column (venting, pumping or baking)",
}


@dataclass
class Request:
    """What a request asks for: families in ``intents`` and the settings it names, in tool units."""

    intents: set[str] = field(default_factory=set)
    fov_nm: float | None = None
    pixels: int | None = None
    dwell_us: float | None = None
    defocus_nm: float | None = None
    energy_kv: float | None = None
    current_pa: float | None = None
    blanked: bool | None = None
    stage_um: dict[str, float] = field(default_factory=dict)
    specimen: str | None = None
    seed: int | None = None
    detector: str | None = None
    spectrum_kind: str | None = None
    spectrum_at: tuple[float, float] | None = None
    spectrum_target: str | None = None  # "brightest", "dopant", "defect" or None
    export_format: str | None = None
    use_last_image: bool = False
    unsupported: list[str] = field(default_factory=list)


def _num(text: str) -> float:
    return float(text.replace("−", "-"))


def _length_nm(value: str, unit: str) -> float:
    return _num(value) * LENGTH_TO_NM[unit.lower().rstrip(".")]


def parse_request(text: str) -> Request:
    """Parse one user message (see the module docstring)."""
    low = " ".join(text.lower().replace("μ", "µ").split())
    request = Request()
    _parse_specimen(low, request)
    named = low.replace(request.specimen, " ") if request.specimen else low  # a name is not a request
    request.intents = {name for name, pattern in INTENT_PATTERNS.items() if re.search(pattern, named)}
    request.unsupported = [what for pattern, what in UNSUPPORTED.items() if re.search(pattern, low)]
    _parse_scan(low, request)
    _parse_optics_and_beam(low, request)
    _parse_stage(low, request)
    _parse_spectrum(low, request)
    if "focus" in request.intents and "optics" in request.intents and not re.search(r"auto-?focus|refocus", low):
        request.intents.discard("focus")  # "defocus -5 nm" / "set focus to" is an optics setting
    detector = re.search(r"\b(haadf|abf|adf|bf)\b", low)
    request.detector = detector.group(1).upper() if detector else None
    export_format = re.search(r"\b(hdf5|h5|tiff?|png)\b", low)
    if export_format:
        request.export_format = {"h5": "hdf5", "tif": "tiff"}.get(export_format.group(1), export_format.group(1))
    request.use_last_image = bool(
        re.search(r"\b(last|previous|existing|current|that|this) (image|acquisition|scan)", low)
    )
    return request


def _parse_scan(low: str, request: Request) -> None:
    fov = re.search(r"(?:fov|field of view|field|scan size|view)\s*(?:of|to|=|:|at|is)?\s*" + NUM + LENGTH_OR_A, low)
    fov = fov or re.search(NUM + LENGTH + r"\s*(?:fov|field|wide|across|square|region|area|view)", low)
    if fov:
        request.fov_nm = _length_nm(fov.group(1), fov.group(2))
    pixels = re.search(r"(\d+)\s*(?:x|×|by)\s*\d+\b", low) or re.search(r"(\d+)\s*(?:px|pixels?)\b", low)
    pixels = pixels or re.search(r"pixels?\s*(?:of|to|=|:)?\s*(\d+)", low)
    if pixels:
        request.pixels = int(pixels.group(1))
    dwell = re.search(NUM + TIME, low)
    if dwell:
        request.dwell_us = _num(dwell.group(1)) * TIME_TO_US[dwell.group(2)]


def _parse_optics_and_beam(low: str, request: Request) -> None:
    defocus = re.search(r"(defocus|underfocus|overfocus|focus)\s*(?:of|to|=|:|at|by)?\s*" + NUM + LENGTH_OR_A, low)
    if defocus and (defocus.group(1) != "focus" or "optics" in request.intents or "set" in low):
        value = _length_nm(defocus.group(2), defocus.group(3))
        sign = {"underfocus": -1.0, "overfocus": 1.0}.get(defocus.group(1))
        request.defocus_nm = sign * abs(value) if sign else value
        request.intents.add("optics")
    if energy := re.search(NUM + r"\s*kv\b", low):
        request.energy_kv = _num(energy.group(1))
    if current := re.search(NUM + r"\s*pa\b", low):
        request.current_pa = _num(current.group(1))
    if re.search(r"\bunblank", low):
        request.blanked = False
    elif re.search(r"\bblank", low):
        request.blanked = True


def _parse_stage(low: str, request: Request) -> None:
    for axis in ("x", "y", "z"):
        if match := re.search(rf"\b{axis}\s*(?:=|:|to)?\s*" + NUM + r"\s*(µm|um|nm)\b", low):
            scale = 0.001 if match.group(2) == "nm" else 1.0
            request.stage_um[f"{axis}_um"] = _num(match.group(1)) * scale
    pair = re.search(r"(?:move|go|stage)\D*\(?\s*" + NUM + r"\s*,\s*" + NUM + r"\s*\)?\s*(µm|um)", low)
    if pair and not request.stage_um:
        request.stage_um = {"x_um": _num(pair.group(1)), "y_um": _num(pair.group(2))}
    if tilt := re.search(r"(?:tilt|alpha)\D{0,12}?" + NUM + r"\s*(?:°|deg)", low):
        request.stage_um["alpha_deg"] = _num(tilt.group(1))
    if request.stage_um:
        request.intents.add("stage")
    else:
        request.intents.discard("stage")


def _parse_specimen(low: str, request: Request) -> None:
    match = re.search(
        r"\b(?:load|insert|mount|switch to|put in)\s+(?:the\s+|a\s+|an\s+)?(?:specimen\s+|sample\s+)?"
        r"([\w\-\.\+/ ]+?)(?:\s+(?:specimen|sample|crystal))?"
        r"(?:\s+with\b|\s+seed\b|[,;]|\.\s|\.$|\s+and\b|\s+then\b|$)",
        low,
    )
    if match:
        request.specimen = match.group(1).strip()
    if seed := re.search(r"seed\s*(?:=|:|of)?\s*(\d+)", low):
        request.seed = int(seed.group(1))


def _parse_spectrum(low: str, request: Request) -> None:
    if "spectrum" not in request.intents:
        return
    request.spectrum_kind = "EDS" if re.search(r"\beds\b|\bedx\b|x-ray", low) else "EELS"
    at = re.search(r"at\s*\(?\s*(?:x\s*=?\s*)?" + NUM + r"\s*(?:nm)?\s*,\s*(?:y\s*=?\s*)?" + NUM + r"\s*nm", low)
    if at:
        request.spectrum_at = (_num(at.group(1)), _num(at.group(2)))
    elif re.search(r"bright|heaviest|strongest", low):
        request.spectrum_target = "brightest"
    elif re.search(r"dopant|impurit|substitution", low):
        request.spectrum_target = "dopant"
    elif re.search(r"defect|vacanc", low):
        request.spectrum_target = "defect"
    if request.spectrum_target and not re.search(r"(find|count|locate|how many)\b[^.]*\batom", low):
        request.intents.discard("atoms")  # "on the brightest atom" names a place, not an analysis
