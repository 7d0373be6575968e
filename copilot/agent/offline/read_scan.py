"""Read the scan a request names: field of view (also as a survey's or a zoom's), pixels, dwell, rotation, line
rate, and a zoom by a factor; a spectrum's own dwell is told apart from the scan's."""

from __future__ import annotations

import re

from copilot.agent.offline.lexicon import NUM, number, to_tool_unit
from copilot.agent.offline.places import CORNER_SQUARE, FROM_EDGES, PLACED_SQUARE
from copilot.agent.offline.reasons import PURPOSE
from copilot.agent.offline.relative_zoom import relative_zoom_factor
from copilot.agent.offline.request import Request
from copilot.agent.offline.vocabulary import TIME, detector

LENGTH = r"\s*(nm|µm|μm|um|microns?|å|angstroms?|pm)\b"
LENGTH_OR_A = r"\s*(nm|µm|μm|um|microns?|å|a|angstroms?|pm)(?![a-z])"
IMAGE_AFTER = (
    r"\s+(?:(?:(?:haadf|a?bf|adf|bright[- ]field|dark[- ]field|stem)\s+)?(?:images?|frames?|pictures?|micrographs?)\b|"
    r"(?:haadf|a?bf|adf|bright[- ]field|dark[- ]field|z[- ]contrast)\b(?!\s*(?:detector|signal|contrast|mode)))"
)
"""A length said right before an image noun (perhaps with its detector), or before a detector said as the image ("a
10 nm HAADF"), is the image's field of view."""
DETECTOR_LENGTH = r"(?:[,;:]\s*|\bthen\s+|\band\s+|^\s*)(?:an?\s+|one\s+)?(?:haadf|a?bf|adf)\s+" + NUM + LENGTH + r"\b"
"""An image said by its detector and its field ("unblank, BF 116nm")."""
IMAGE_AT = (
    r"\b(?:images?|frames?|pictures?|micrographs?|shots?|haadf|a?bf|adf)\s+(?:at|of)\s+(?:a\s+)?(?![-+−])"
    + NUM
    + r"(?!\s*,\s*\d)"
    + LENGTH_OR_A
    + r"(?!\s*(?:of\s+)?(?:defocus|underfocus|overfocus|focus|astig|coma|under|over)\b)"
)
"""A length said right after an image noun ("image at 8 nm", "a frame of 40 nm") is the image's field of view,
unless an optics word claims it ("an image at 10 nm underfocus") or it has a sign ("frame at +10 nm" is a defocus)."""
LINES = (
    r"(\d+)\s*(?:scan\s+)?lines\b(?!\s*(?:profile|scan))|"
    r"\blines?\s*(?:per (?:frame|image|scan)\s*)?(?:of|to|=|:)\s*(\d+)(?![.\d]|\s*(?:hz|lines? per|per s))|"
    r"(\d+)\s*(?:samples|points|pixels) (?:per|a|each) line\b"
)
"""The scan lines of a frame ("512 lines", "lines: 256", "512 samples per line"): the pixels a side of a square scan
(AFM operators count lines, STEM operators pixels)."""


PARTICLE_ZOOM = (
    r"\bzoom\b(?!(?: in)?(?: to)?\s*(?:a\s*)?[-+]?\d)|"
    r"\bzoom.{0,30}\b(?:largest|biggest|smallest|tiniest|one|a) particle|"
    r"\bcent(re|er) (it|on)|close[- ]?up|magnif"
)
"""A zoom onto a particle ("zoom in on the largest one", "a close-up of the smallest particle"); a zoom to a named
field ("zoom to 40 nm, then particle stats") is a second frame, not a particle's close-up."""


SURVEY_DETECTOR = r"(?:(?:with\s+|in\s+)?(?:haadf|bf|adf|bright[- ]field|dark[- ]field)\s+)?"
"""The detector a survey or the closer frame is said with ("an overview with BF of 2.2 µm, then a HAADF of 175 nm")."""
SURVEY_THEN = (
    r"\b(?:(?:survey|overview|start wide)(?:\s+(?:image|frame|scan))?(?:\s+first)?\s*"
    + SURVEY_DETECTOR
    + r"(?:at|of)?\s*"
    + NUM
    + LENGTH
    + r"(?:\s+wide)?|"
    + NUM
    + LENGTH
    + r"\s+(?:survey|overview)(?:\s+(?:image|frame|scan))?)"
    + r"(?:\s+first)?\s*[,;]?\s*(?:and\s+)?(?:then|after that|afterwards|next)\s+"
    + r"(?:at\s+|(?:(?:zoom|close|come|step)(?: in)?\s+|go\s+|(?:go )?down\s+|drop\s+)?to\s+)?"
    + r"(?:(?:a|one)\s+)?(?:(?:closer|smaller|tighter|zoomed[- ]in|detailed)\s+)?"
    + SURVEY_DETECTOR
    + r"(?:(?:image|frame)\s+)?(?:at\s+|of\s+)?"
    + NUM
    + LENGTH
    + r"(?!\s*(?:defocus|under|over|step|away|left|right|up|down))"
)
"""A survey's field of view and the next frame's, said as a sequence ("overview at 3 µm, then 80 nm")."""


def length_nm(value: str, unit: str) -> float:
    """A length in nm; a bare "a" after a number is an ångström."""
    return number(value) * 0.1 if unit.lower() == "a" else to_tool_unit(value, unit)


PIXEL_SIZE = (
    NUM
    + LENGTH_OR_A
    + r"\s*(?:/\s*(?:px|pixel)\b|per\s+(?:px|pixel)\b|(?:a|each)\s+pixel\b|pixels?\b(?!\s*(?:at|of|and|,)))|"
    r"\bpixel\s*(?:size|spacing)\s*(?:of|to|=|:|at)?\s*" + NUM + LENGTH_OR_A
)
"""A pixel size ("0.05 nm per pixel", "2 nm/px", "pixel size 0.1 nm"): one pixel's length, never the field of view."""


def read_pixel_size(low: str, request: Request) -> str:
    """Read a pixel size into ``request.pixel_size_nm``; the text without it, for the other lengths to be read."""
    found = re.search(PIXEL_SIZE, low)
    if found is None:
        return low
    value, unit = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
    request.pixel_size_nm = length_nm(value, unit)
    return low[: found.start()] + " " + low[found.end() :]


def read_scan(low: str, request: Request) -> None:
    low = read_pixel_size(read_particle_sizes(low, request), request)
    low = re.sub(PLACED_SQUARE, " ", re.sub(CORNER_SQUARE, " ", low))  # a region's side is no field of view
    low = re.sub(FROM_EDGES, " ", low)  # "600 nm across and 150 nm down" is a place, not a field
    scan_word = r"(?:fov|field of view|field|scan size|view|(?:afm )?scan|afm (?:size|frame)|raster|survey|overview)"
    fov = re.search(scan_word + r"(?:\s+first)?\s*(?:of|to|=|:|at|is|for)?\s*(?:a\s*)?" + NUM + LENGTH_OR_A, low)
    fov = fov or re.search(
        NUM + LENGTH + r"\s*(?:afm )?(?:fov|field|wide|across|square|scan size|scan\b|view|survey|overview)", low
    )
    fov = fov or re.search(NUM + LENGTH + IMAGE_AFTER, low)  # "a 10 nm HAADF image": the image is 10 nm across
    fov = fov or re.search(IMAGE_AT, low) or re.search(DETECTOR_LENGTH, low)
    if fov:
        request.fov_nm = length_nm(fov.group(1), fov.group(2))
    fovs = [length_nm(v, u) for v, u in re.findall(NUM + LENGTH + r"\s*(?:fov|field of view)", low)]
    fovs += [length_nm(v, u) for v, u in re.findall(r"\bzoom(?: in)?(?: to)?\s*(?:a\s*)?" + NUM + LENGTH, low)]
    if then := re.search(SURVEY_THEN, low):  # "survey at 600 nm, then 30 nm": the second frame's field of view
        first_nm = length_nm(then.group(1), then.group(2)) if then.group(1) else length_nm(then.group(3), then.group(4))
        fovs += [first_nm, length_nm(then.group(5), then.group(6))]
        request.fov_nm = first_nm  # the survey's field ("start wide at 3.5 µm, then ...")
        after = re.search(r"\b(?:then|after that|afterwards|next)\b", then.group(0))
        request.zoom_detector = detector(then.group(0)[after.end() :]) if after else None
    request.zoom_on_feature = bool(re.search(r"interesting|feature", low))
    if "particles" in request.intents and re.search(PARTICLE_ZOOM, low) and not then:  # a zoom to a field said
        request.particle_target = "smallest" if re.search(r"smallest|tiniest", low) else "largest"
        request.intents.discard("survey_zoom")  # the zoom goes to the particle, not to a defect
    if request.fov_nm is not None and fovs and (len(fovs) >= 2 or fovs[-1] != request.fov_nm):
        request.zoom_fov_nm = fovs[-1]  # "an overview at 1000 nm field of view, then a 50 nm field of view image"
        request.intents.add("survey_zoom")
    elif "survey_zoom" in request.intents and not re.search(SURVEY_SAID, re.sub(PURPOSE, " ", low)):
        request.intents.discard("survey_zoom")  # "zoom in to 20 nm": just a smaller field of view
        request.fov_nm = request.fov_nm if request.fov_nm is not None else (fovs[0] if fovs else None)
    pixels = re.search(r"(\d+)\s*(?:x|×|by)\s*\d+\b(?!\s*(?:nm|µm|um))", low)
    pixels = pixels or re.search(r"(\d+)\s*(?:px|pixels?)\b", low)
    pixels = pixels or re.search(r"pixels?(?: count| number)?\s*(?:of|to|=|:)?\s*(\d+)", low)
    pixels = pixels or re.search(LINES, low)  # "512 lines": a square scan has as many pixels a side as lines
    if pixels:
        request.pixels = int(next(group for group in pixels.groups() if group))
    for match in re.finditer(NUM + TIME, low):
        value_us = to_tool_unit(match.group(1), match.group(2))
        if request.spectrum_kind and (
            value_us >= 100 or re.search(r"spectr|eels|eds", low[match.end() : match.end() + 30])
        ):
            request.spectrum_dwell_ms = value_us / 1000  # a spectrum's time is its own dwell, not the scan's
        else:
            request.dwell_us = value_us
    seconds = re.search(NUM + r"\s*(s|secs?|seconds?|mins?|minutes?)\b", low)
    if request.spectrum_kind and request.spectrum_dwell_ms is None and seconds:
        per_minute = seconds.group(2).startswith("m")  # "EDS for 2 s", "a 1 min EELS": the spectrum's own time
        request.spectrum_dwell_ms = number(seconds.group(1)) * (60000.0 if per_minute else 1000.0)
    rotated = (
        r"rotat\w*\D{0,20}?"
        + NUM
        + r"\s*(?:°|deg)|\bscan rotation\s*(?:of|to|=|:|at)?\s*"
        + NUM
        + r"(?![\d.]|\s*[a-zµ%])"
    )
    if rotation := re.search(rotated, low):
        request.rotation_deg = number(rotation.group(1) or rotation.group(2))  # "scan rotation 30": degrees
        request.intents.add("scan")
    if rate := re.search(NUM + r"\s*hz\b", low):
        request.rate_hz = number(rate.group(1))


SIZE_BOUND = (
    r"(?<!bf )(?<!bright field )(?<!haadf )(?<!adf )(?<!image )(?<!frame )(?<!scan )(?<!survey )"
    r"\b(bigger|larger|wider|greater|more|over|above|at least|smaller|less|under|below|at most|up to)(?: than)?\s*"
    + NUM
    + LENGTH_OR_A
)
"""A size bound said of the particles ("only the particles bigger than 3 nm", "smaller than 10 nm across"); a length
said "over" right after an image ("BF over 1.1 µm") is its field."""
SIZE_RANGE = r"\b(?:between|from)\s*" + NUM + r"(?:" + LENGTH + r")?\s*(?:and|to|-)\s*" + NUM + LENGTH
SIZED_SPAN = (
    r"\b(?:particles?|ones|those)\s+(?:only\s+)?(?:(?:that|which) (?:are|measure)\s+|measuring\s+|of\s+|sized\s+)?"
    + NUM
    + r"(?:"
    + LENGTH
    + r")?"
    r"\s*(?:to|-)\s*" + NUM + LENGTH
)
"""A size range said of the particles ("between 2 and 8 nm across", "count particles 2.5 to 18 nm across", "the
particles that are 40-330 Å across")."""
LEFT_OUT = r"\b(?:ignor\w*|exclud\w*|drop\w*|skip\w*|discard\w*|leav\w* out|without)\s+(?:\w+\s+){0,2}$"
"""Words that leave the bounded particles out ("ignoring anything under 1.5 nm": the smallest kept is 1.5 nm)."""


def read_particle_sizes(low: str, request: Request) -> str:
    """Read the particle size range a sizing names; the text without it, for the other lengths to be read."""
    if "particles" not in request.intents:
        return low
    if span := re.search(SIZE_RANGE, low) or re.search(SIZED_SPAN, low):
        low_nm = length_nm(span.group(1), span.group(2) or span.group(4))
        high_nm = length_nm(span.group(3), span.group(4))
        request.min_diameter_nm, request.max_diameter_nm = min(low_nm, high_nm), max(low_nm, high_nm)
        return low[: span.start()] + " " * (span.end() - span.start()) + low[span.end() :]
    for found in re.finditer(SIZE_BOUND, low):
        value = length_nm(found.group(2), found.group(3))
        upper = found.group(1) in ("smaller", "less", "under", "below", "at most", "up to")
        if re.search(LEFT_OUT, low[: found.start()]):
            upper = not upper  # "ignoring anything under 1.5 nm" keeps 1.5 nm and up
        if upper:
            request.max_diameter_nm = value
        else:
            request.min_diameter_nm = value
        low = low[: found.start()] + " " * (found.end() - found.start()) + low[found.end() :]
    return low


def fallback_fov(low: str, request: Request) -> None:
    """ "A 5 nm, 512 px image": in an imaging request whose one length has no other role, it is the field of view."""
    lengths_said = (request.defocus_nm, request.astig_nm, request.coma_nm, request.setpoint_nm, request.cs_um)
    roles = (request.point_nm, request.region_nm, *lengths_said)
    if request.fov_nm is not None or any(r is not None for r in roles) or request.defocus_series_nm:
        return
    if request.stage_um or request.stage_series_um:
        return
    spans = re.sub(SIZED_SPAN, " ", re.sub(SIZE_RANGE, " ", low))
    said = re.sub(SIZE_BOUND, " ", spans) if "particles" in request.intents else low
    said = re.sub(PURPOSE, " ", said)  # "(they quote 0.5 nm/min)" is no length of the request
    lengths = re.findall(NUM + r"\s*(nm|å|angstroms?|µm|um|microns?)\b", re.sub(PIXEL_SIZE, " ", said))
    if len(lengths) == 1 and image_request(request):
        request.fov_nm = length_nm(*lengths[0])


SURVEY_SAID = r"survey|overview|interesting|feature"
"""A zoom that goes with a survey ("zoom in on the most interesting feature of an overview"), unless said as why."""


def read_relative_zoom(low: str, request: Request) -> None:
    """A zoom with no field of view named, on no survey or particle: scale the current field of view, then image
    unless the zoom said its factor (see ``relative_zoom``)."""
    if request.fov_nm is not None or request.zoom_fov_nm is not None or request.particle_target is not None:
        return
    if "fov_nm" in request.scales or "fov_nm" in request.offsets:
        return  # "widen the FOV by 25 percent": a setting scaled, not a zoom to image
    if "survey_zoom" in request.intents:
        return
    if zoom := relative_zoom_factor(low):
        request.zoom_factor, numbered = zoom
        request.intents.add("scan" if numbered else "acquire")


def image_request(request: Request) -> bool:
    imaging = {"acquire", "atoms", "lattice", "particles", "defects", "fft", "scan", "afm_image", "image_any", "drift"}
    imaging |= {"roughness", "step_height", "grating", "domains", "tip_check", "tallest"}  # on a new AFM image
    return bool(request.intents & imaging)
