"""Read a microscopist's request in free wording into a ``Request``: what it asks for and the settings it names.

Pure functions of the text, no tools. The lexer (``lexicon``) normalises the words and reads the units; the
negated and bounded parts are cut out first (``clauses``); each family of settings is read by its own module
(``read_scan``, ``read_optics``, ``read_stage``, ``read_probe``); the rules here settle between families that
share words ("focus" in "defocus -5 nm", "image" in "spectrum image").
"""

from __future__ import annotations

import re

from copilot.agent.offline.analysis_options import read_analysis_options
from copilot.agent.offline.clauses import read_constraints
from copilot.agent.offline.conditions import COURTESY, cut_conditions
from copilot.agent.offline.edges import edge_onset_said
from copilot.agent.offline.lexicon import DONE_WITH, SPECIMEN_ALIASES, normalise, quantities, specimen_named
from copilot.agent.offline.places import fov_point_nm, region_nm, two_points_nm
from copilot.agent.offline.questions import (
    FEEDBACK_QUESTIONS,
    FRAME_TIME_ASKED,
    QUESTION_START,
    QUESTIONS,
    status_questions,
)
from copilot.agent.offline.read_optics import (
    ANNULUS,
    DETECTOR_ANGLE,
    EDGE_FIRST,
    EELS_ANGLE_AFTER,
    read_optics_and_beam,
)
from copilot.agent.offline.read_probe import read_afm, read_spectrum
from copilot.agent.offline.read_scan import fallback_fov, read_relative_zoom, read_scan
from copilot.agent.offline.read_stage import read_stage
from copilot.agent.offline.reasons import PURPOSE, PURPOSE_LEAD
from copilot.agent.offline.referred import referred
from copilot.agent.offline.relative_settings import read_scales
from copilot.agent.offline.remarks import without_remarks
from copilot.agent.offline.request import Request
from copilot.agent.offline.specimens import wanted_specimen
from copilot.agent.offline.spectrum_map import asks_for_map
from copilot.agent.offline.unread import changes_set_as_values, unread_numbers
from copilot.agent.offline.unread_words import unread_words
from copilot.agent.offline.vocabulary import (
    COUNT_ANY,
    INSPECT_PATTERN,
    INTENT_PATTERNS,
    MISSING_ATOMS,
    UNSUPPORTED,
    detector,
    instrument_named,
    instruments_named,
    requested_interval_s,
)

IMAGE_NOUN = (
    r"\b(image|frame|picture|micrograph|haadf|a?bf|adf|bright[- ]field|dark[- ]field|z[- ]contrast)\b"
    r"(?!\s*(?:size|rate|time|width|area|detector|signal|contrast|mode|collection|outer|inner|angle|disc|disk))"
    r"(?!\s+(?:of\s+)?[\d.]+\s*(?:nm|µm|um|å)\s*(?:[,;]|$|wide|across|square))"
    r"(?!\s+to\s+[\d.]+\s*(?:nm|µm|um|å)\b)"
)
"""An image said as the thing to take; "frame size", "frame time", "frame 750 nm, 384 px" name a setting of it."""
FRAME_SIZE = r"(?:^|[,;:]\s*)[\d.]+\s*(?:nm|µm|um|å)\s*$"
"""What comes before "frame" when a frame is said by its size in a list of settings ("600 nm frame, 1024 px,
1.5 Hz"): a setting, not a frame to take ("a 20 nm frame" and "20 nm frame please" are one)."""


def image_said(low: str) -> bool:
    """Whether the request names an image to take (see ``IMAGE_NOUN`` and ``FRAME_SIZE``)."""
    low = re.sub(FRAME_TIME_ASKED, " ", low)
    return any(
        found.group(1) != "frame"
        or not re.search(FRAME_SIZE, low[: found.start()])
        or not re.match(r"\s*[,;]", low[found.end() :])
        for found in re.finditer(IMAGE_NOUN, low)
    )


LATTICE_PAIR = r"drift[- ](?:corrected|free)|\bfrom (?:the|both) (?:pair|two|frames|images)\b|\bfrom both\b"
"""A lattice measured on a frame and its rotated repeat ("the drift-corrected lattice from the pair")."""
DENOISE_METHOD = r"\b(gaussian|median|wiener|nl[- _]means|non-?local[- ]means)\b"
"""A denoise method named ("nl-means denoise", "a median filter"): passed to denoise_image."""
EXPORT_NAME = re.compile(
    r"\b(?:called|named|(?:file ?)?name(?: it)?|call(?:ing)? it)\s+(?!(?:the|its|a|an|all|each|which|what)\s)"
    r"[\"'‘“]?([a-z0-9][\w.-]*?)[\"'’”]?(?=\.?(?:[\s,;!?]|$))|"
    r"\bas\s+[\"'‘“]([a-z0-9][\w.-]*?)[\"'’”]|"
    r"\bas\s+(?!(?:an?|the|tiff?|hdf5|h5|png|well|before|usual|it|is|one|a file)\b)([a-z0-9][\w.-]*?)(?=[,;!?]|\.?$)"
)
"""The file name an export is given ("a TIFF called mos2_edge", "named run3", "as 'edge'", "to hdf5 as run42")."""
NO_NEW_DOSE = r"\b(?:zero|no|without) (?:extra|more|new|additional|further) (?:dose|exposure)\b"
"""Work on data already taken, said by the dose ("zero extra dose please")."""
FOCUS_RUN = (
    r"auto-?focus|refocus|focus (the|on|up)|into focus|(?:^|[,;]\s*|\b(?:then|and|first|please)\s+)focus\b"
    r"(?!\s+(?:quality|score|metric|rating))"
)
"""A focus run asked for: the routine named, or "focus" said as a verb ("focus and then tell me how sharp it is")."""
COUNTED = {"defects", "particles", "atoms", "lattice"}
HYPOTHETICAL = (
    r"\bwhat (would|will|could) happen if\b|\bwhat if\b|\b(should|must) (i|we)\b(?! not)|"
    r"\b(would|will) it be (ok|okay|safe|wise|fine|better|a good idea) to\b|\bis it (ok|okay|safe|wise|fine) to\b|"
    r"\bdo (i|we) (need|have) to\b|\bdo you (think|recommend)\b"
)
"""A request that asks whether or what if, and orders nothing: the planner says what it would run and runs nothing."""
MOVING_ON = {"time", "for", "next", "up", "now", "then", "please", "ok", "okay", "let's", "lets", "on", "to", "over"}
MOVING_ON |= {"go", "the", "a", "an", "sample", "specimen", "crystal", "moving", "onto", "and"}
MOVING_ON |= {"i", "we", "i'd", "we'd", "need", "want", "would", "like", "give", "bring", "me", "us", "use", "some"}
MOVING_ON |= {"do", "try", "switch", "over", "right", "alright", "so"}
"""The words around a specimen's name that move on to it ("time for the grain boundary sample", "on to the STO", "I
need the polymer blend now")."""


def parse_request(text: str) -> Request:
    """Parse one user message (see the module docstring)."""
    whole = normalise(text)
    if (said := referred(whole)) != whole:
        whole = normalise(said)  # "set C3 to that": the value put in, its setting spelled out
    whole, remarks = without_remarks(whole)  # "last week we ran at 26 pA" tells, it asks for no setting
    whole = re.sub(COURTESY, " ", whole)  # "if it's not too much trouble" is polite, it negates nothing
    reading = read_constraints(whole)
    low, unjudged = cut_conditions(reading.text, whole, any(c.kind == "limit" for c in reading.constraints))
    request = Request(text=low, constraints=reading.constraints, questions=status_questions(whole, low))
    request.unjudged = unjudged
    request.remarks = remarks
    said = re.sub(PURPOSE, " ", whole)  # "while I talk about the STEM side" names no instrument to use
    request.instruments_named = instruments_named(said)
    request.instrument = instrument_named(said)  # "don't approach, just set the scan": the AFM's scan
    wanted = wanted_specimen(low)
    named = low
    if wanted is not None:
        request.specimen, request.seed, request.load_explicit = wanted.name, wanted.seed, wanted.explicit
        named = low.replace(wanted.span, " ") if wanted.span else low  # a name is not a request
        named = re.sub(SPECIMEN_ALIASES.get(wanted.name, re.escape(wanted.name)), " ", named)
        named = re.sub(r"\(?\s*seed\s*(?:=|:|of|#)?\s*\d+\s*\)?", " ", named)
    named = re.sub(FRAME_TIME_ASKED, " ", named)
    named = _without_file_name(re.sub(DONE_WITH, " ", named))  # "named overview_3": a file name asks for no survey
    named = re.sub(
        PURPOSE_LEAD, " ", re.sub(PURPOSE, " ", named)
    )  # "so the light atoms show up" says why, it asks for no atom count
    for angle in (DETECTOR_ANGLE, ANNULUS, EELS_ANGLE_AFTER, EDGE_FIRST):
        named = angle.sub(" ", named)  # "HAADF outer angle 180 mrad" asks for no image
    request.intents = {name for name, pattern in INTENT_PATTERNS.items() if re.search(pattern, named)}
    if wanted is None and (alone := lone_specimen(low)) is not None:
        request.specimen, request.load_explicit = alone, False  # "time for the grain boundary sample"
        request.intents = set()  # its name is all it says: "the gold particles now" asks for no particle sizing
    if wanted is not None or request.specimen:
        request.intents.add("load")
    asked = re.sub(PURPOSE, " ", low)  # "for the PFM part of the protocol" asks for no PFM
    request.unsupported = [what for pattern, what in UNSUPPORTED.items() if re.search(pattern, asked)]
    request.magnification = next((q.value for q in quantities(low) if q.dimension == "magnification"), None)
    request.point_nm = fov_point_nm(low)
    request.region_nm = region_nm(low)
    if "line_profile" in request.intents and request.region_nm is None:
        request.line_nm = two_points_nm(low)
        request.line_diagonal = bool(re.search(r"corner to corner|diagonal", low))
    if asks_for_map(low):
        request.spectrum_map = True
        request.intents.add("spectrum")
    if onset := edge_onset_said(low):
        request.edge_onset = onset
        request.intents.add("edge_onset")
    read_spectrum(low, request)
    scan_said = read_analysis_options(low, request)  # without a line's width or a filter's scale
    read_scan(scan_said, request)
    read_optics_and_beam(low, request)
    read_stage(low, request)
    read_afm(low, request)
    unscaled = read_scales(low, request)  # "shrink the AFM frame to a fifth" names a setting, not a frame to take
    if re.search(INSPECT_PATTERN, low) and not request.intents & COUNTED:
        request.inspect = True
        request.intents.add("acquire")
    if re.search(COUNT_ANY, named) and not request.intents & COUNTED:
        request.count_any = True  # "count them": atoms or particles, by the scale of the image
        request.intents.add("acquire")
    fallback_fov(scan_said, request)
    read_relative_zoom(low, request)
    if "lattice" in request.intents and re.search(LATTICE_PAIR, low):
        request.lattice_pair = True  # measured on both frames, not a drift estimate
        request.intents.discard("drift")
    if "drift" in request.intents:
        request.drift_interval_s = requested_interval_s(low)
    _settle_intents(unscaled, request)
    if request.questions and any(QUESTIONS[i][0] in FEEDBACK_QUESTIONS for i in request.questions):
        request.intents.discard("feedback_tune")  # "what's the P gain?" asks for its value, not for a tuning
    _read_targets(low, request, text)
    reasons_cut = _without_file_name(re.sub(PURPOSE_LEAD, " ", asked))  # why it is asked, or a file name, sets nothing
    request.unread = unread_numbers(reasons_cut, request) + changes_set_as_values(low, request)
    request.unread_words = unread_words(reasons_cut, request)
    request.hypothetical = bool(re.search(HYPOTHETICAL, said))  # "or should I put in an order?" says why
    return request


TAKEN_BEFORE = (
    r"\b(?:take|acquire|record|grab|snap|shoot) (?:an? |one |the )?(?:new |fresh )?(?:[\w-]+ )?"
    r"(?:image|frame|topograph|picture|scan)\b"
)
"""An image taken earlier in the request: "that image" after it is this one."""


def _without_file_name(low: str) -> str:
    """The text with the export file names it gives blanked (the words that give them stay)."""
    for found in EXPORT_NAME.finditer(low):
        group = next(i for i in range(1, 4) if found.group(i))
        low = low[: found.start(group)] + " " * len(found.group(group)) + low[found.end(group) :]
    return low


def lone_specimen(low: str) -> str | None:
    """The specimen a request names when it asks for nothing else and is no question ("time for the grain boundary
    sample", "the STO now"): the specimen to work on, loaded if it is not in."""
    named = specimen_named(low)
    if named is None or low.rstrip().endswith("?") or re.match(QUESTION_START, low):
        return None
    rest = re.sub(SPECIMEN_ALIASES.get(named[0], re.escape(named[0])), " ", low)
    return named[0] if set(re.findall(r"[\w']+", rest)) <= MOVING_ON else None


def _settle_intents(low: str, request: Request) -> None:
    """Settle the families that share words (see the module docstring)."""
    intents = request.intents
    if request.spectrum_map:
        request.map_pixels, request.pixels = request.pixels, None  # "a 4x4 spectrum image": the map's pixels
    if request.spectrum_map and request.region_nm is None:
        request.map_side_nm, request.fov_nm = request.fov_nm, None  # "over a 4 nm square" sizes the map, not the scan
    size = request.pixel_size_nm
    if size and request.fov_nm is None and request.pixels:
        request.fov_nm = round(request.pixels * size, 6)  # "512 px at 0.1 nm/px": a 51.2 nm field of view
    elif size and request.fov_nm is not None and request.pixels is None:
        request.pixels = max(1, round(request.fov_nm / size))
    if request.fov_nm is not None or request.pixels is not None or request.dwell_us is not None or size:
        intents.add("scan")
    if (
        "scan" in intents
        and "spectrum" not in intents
        and image_said(re.sub(PURPOSE_LEAD, " ", re.sub(PURPOSE, " ", low)))
    ):
        intents.add("acquire")  # "a 5 nm, 512 px image please"
    if "change_tip" in intents and not re.search(r"\bcheck|artifact|artefact|double", low):
        intents.discard("tip_check")  # "tip's blunt, put a new one in": the tip is changed, not checked first
    asks_wear = re.search(r"\bhow (?:worn|blunt|used)|\bwear\b|\b(?:is|are) (?:the |my )?tip", low)
    if "change_tip" in intents and not asks_wear:
        intents.discard("tip_wear")  # "the tip seems worn, put on a new one": why it is changed, not a question
    if "tip_wear" in intents and not re.search(r"\bcheck|artifact|artefact|double", low):
        intents.discard("tip_check")  # "how blunt has the tip got?": its record answers, no image is taken
    if "focus_quality" in intents and not re.search(FOCUS_RUN, low):
        intents.discard("focus")  # "is it in focus?" asks for a check, not a focus run
    if request.setpoint_nm is not None or request.p_gain is not None or request.i_gain_per_ms is not None:
        intents.discard("feedback_tune")  # gains given are set, not tuned
        intents.add("afm_context")
    acting = intents & {"acquire", "scan", "beam", "optics"}
    if "status" in intents and acting and not re.search(r"\bstatus\b", low):
        intents.discard("status")  # "an image with the current settings" asks for no status
    if "focus" in intents and "optics" in intents and not re.search(r"auto-?focus|refocus", low):
        intents.discard("focus")  # "defocus -5 nm" / "set focus to" is an optics setting
    imaging = re.sub(r"spectr(um|al|o?scopic) image", " ", low)  # a spectrum image is not a picture
    if "spectrum" in intents and not re.search(r"image|frame|picture|micrograph|haadf|\bbf\b", imaging):
        intents.discard("acquire")  # "acquire EDS for 0.5 ms" records a spectrum, not an image
    if "defects" in intents and not re.search(INTENT_PATTERNS["atoms"], re.sub(MISSING_ATOMS, " ", low)):
        intents.discard("atoms")  # "were any atoms missing?" asks for the defects, not a column count
    if "fft" in intents and not re.search(r"lattice (constant|parameter)", low):
        intents.discard("lattice")  # "the d-spacing of the FFT" is read from the FFT itself


def _read_targets(low: str, request: Request, said: str) -> None:
    """The detector, the export format and file name (as ``said``, in its own case), and whether the request works on
    data taken before."""
    request.detector = detector(low)
    export_format = re.search(r"\b(hdf5|h5|tiff?|png)\b", low)
    if export_format:
        request.export_format = {"h5": "hdf5", "tif": "tiff"}.get(export_format.group(1), export_format.group(1))
    if "export" in request.intents and (name := re.search(EXPORT_NAME, request.text)):
        named = re.sub(r"\.(hdf5|h5|tiff?|png)$", "", next(group for group in name.groups() if group))
        as_said = re.search(r"(?<![\w.-])" + re.escape(named) + r"(?![\w-])", said, re.IGNORECASE)
        request.export_name = as_said.group(0) if as_said else named  # "FA2291_sto_hr" keeps its capitals
    last = r"\b(last|latest|newest|most recent|previous|existing|current|that|this|earlier|old|older|overnight|"
    last += r"(?:yesterday|today|this (?:morning|afternoon|evening)|last night|friday|monday)(?:'s|’s)) "
    just = r" (i|you|we)(?:'ve| have)? (just |already )?"
    just += r"(took|taken|recorded|acquired|have|had|got|shot|imaged|grabbed|made)\b|(?: \w+)? from (before|earlier|"
    just += r"a (moment|minute) ago|just now|this (?:morning|afternoon)|yesterday|last night|overnight|the weekend)"
    just += r"| (taken|recorded) (earlier|before|just now)| on (the )?screen| on display"
    just += r"| of (?:this (?:morning|afternoon)|yesterday|last night|before|earlier|today)\b"
    just += r"| from (?:just )?(?:before|after) (?:lunch|the break|the meeting|coffee|my meeting)\b"
    just += r"|(?: [\w.]+){1,3} (?:took|recorded|acquired|ran|shot) (?:before|earlier|yesterday|last night|"
    just += r"this (?:morning|afternoon)|today)|(?: [\w.]+){1,2} just (?:took|recorded|acquired|ran|shot)\b"
    just += r"| (?:of|from) (?:the )?(?:previous|last|earlier|other|old) (?:user|shift|session|group)s?\b"
    just += r"| (?:(?:already|previously) (?:taken|recorded|acquired)|(?:taken|recorded|acquired) already)\b"
    just += r"| (?:already |that's |that is )?(?:on disk|saved|stored)\b"
    just += r"| (?:i|we|you) (?:showed|displayed|demoed)\b"
    just += r"| for the (?:last|previous|earlier|other) (?:group|visitors?|demo)\b"
    # "the frame Dr Sato took before", "the EDX Mei ran earlier", "the frame Jonas just took"
    no_new_image = any("acquire_image" in c.tools for c in request.constraints)  # "don't take a new image"
    no_new_image = no_new_image or bool(re.search(NO_NEW_DOSE, low))
    image = r"(?:(afm |haadf |bf |stem |height |topography )?(image|acquisition|scan|frame|shot|picture|micrograph|"
    image += r"topograph\w*)|"
    image += r"(?:height|phase|topography) map|(?:haadf|a?bf|adf)\b(?! (?:detector|angle|inner|outer)))"
    taken = r"\bwhat (i|you|we) (just |already )?(took|recorded|acquired|got|imaged)\b"  # "FFT of what I just took"
    named = r"(?:(?!(?:new|fresh|next|another|one|second|first)\b)[a-z][\w₂-]* )?"  # "this morning's MoS2 frame"
    alone = r"\b(?:the )?(?:latest|newest|most recent|last one)\b(?= (?:as|to|into|in) )"  # "export the latest as tiff"
    earlier = re.search(last + named + image + "|" + image + f"(?:{just})|{taken}|{alone}", low)
    if earlier and earlier.group(1) in ("that", "this") and re.search(TAKEN_BEFORE, low[: earlier.start()]):
        earlier = None  # "take an image, and check that image for tip artefacts": the image just taken
    request.use_last_image = no_new_image or bool(earlier)
    if "denoise" in request.intents and (method := re.search(DENOISE_METHOD, low)):
        said = method.group(1)
        request.denoise_method = "nl_means" if "local" in said else said.replace("-", "_").replace(" ", "_")
    recorded = r"\b(?:i|we|you)(?:'ve| have)? (?:just |already )?(?:recorded|took|acquired|ran|measured|collected) "
    request.use_last_spectrum = bool(
        re.search(
            last
            + r"(?:(eels |eds |edx )?spectrum|(?:eels|eds|edx)\b)|(?:spectrum|eels|eds|edx)"
            + f"(?:{just})|"
            + recorded
            + r"(?:an? |the )?(?:eels |eds |edx )?(?:spectrum|spectra|eels|eds|edx)\b|"
            + r"\bthe (?:eels |eds |edx )?spectrum (?:that )?(?:the|a|my|our|his|her|their) [\w' -]{1,30}? "
            + r"(?:took|recorded|acquired|collected)\b|"  # "the spectrum the student before me took"
            + r"\bthe (?:eels |eds |edx )?spectrum (?:that was |you )?(?:recorded|taken|acquired|collected) "
            + r"(?:while|when|before|earlier)\b",
            low,
        )
    )
