"""Read the beam and optics settings a request names: defocus (or a focal series), astigmatism, Cs, convergence,
beam energy, current and blanking."""

from __future__ import annotations

import re

from copilot.agent.offline.lexicon import NUM, first, number, to_tool_unit
from copilot.agent.offline.places import defocus_pair_nm, series_nm
from copilot.agent.offline.read_scan import LENGTH, LENGTH_OR_A, length_nm
from copilot.agent.offline.request import Request

FOCUS_SET_VERB = r"\bset|\b(?:put|change|adjust|bring|move|make|shift)\b"
"""A verb that makes "focus at -8 nm" a defocus setting ("put the focus at -8 nm"), not an autofocus."""
CORRECT = r"(correct|remove|zero|cancel|null|undo|get rid of|eliminate)"
"""A verb that sets an aberration to zero ("get rid of the axial coma")."""


DIRECTION = r"(?:\bat|\balong|\btowards?|\bangle(?: of| to)?|\bdirection(?: of)?|\bazimuth(?: of)?|(?<=nm),)\s*"
"""The words that give an aberration's direction ("A1 at 45 degrees", "stig of 8 nm along 30°")."""


def _angle_deg(low: str, word: str) -> float | None:
    """The direction said with an aberration: "3 nm of A1 at 45 degrees", "coma 20 nm, angle 30°"."""
    angle = re.search(
        word + r"(?:(?!\bthen\b)(?:[^.;]|(?<=\d)\.(?=\d))){0,30}?" + DIRECTION + NUM + r"\s*(?:°|deg)", low
    )
    angle = angle or re.search(DIRECTION + NUM + r"\s*(?:°|deg)\w*\s*(?:of\s+)?" + word, low)
    return number(angle.group(1)) if angle else None


def _defocus_said(low: str) -> tuple[str, str, str] | None:
    """(word, value, unit) of a defocus the request names: "defocus to -5 nm", "underfocus by 3 nm", "defocus 0",
    or the amount said before the word ("put in -15 nm of defocus")."""
    after = re.search(
        r"(defocus|underfocus|overfocus|focus)(?: value)?\s*(?:of|to|=|:|at|by)?\s*" + NUM + LENGTH_OR_A, low
    ) or re.search(r"(defocus)\s*(?:to|=|:)?\s*(0)()\s*(?:$|[,.;?]|\s+(?:and|then|please)\b)", low)
    after = after or re.search(r"(underfocus|overfocus),\s*" + NUM + LENGTH_OR_A, low)  # "overfocus, +3 nm"
    if after:
        return after.group(1), after.group(2), after.group(3)
    before = re.search(NUM + LENGTH_OR_A + r"\s*(?:of\s+)?(defocus|underfocus|overfocus)\b", low)
    return (before.group(3), before.group(1), before.group(2)) if before else None


DETECTOR_ANGLE = re.compile(
    r"\b(haadf|adf|dark[- ]field|bf|bright[- ]field|eels|spectrometer)(?: detector| disc| disk)?(?:'s)?\s*[,:]?\s+"
    r"(?:(inner|outer|collection|acceptance|entrance)\s+)?"
    r"(?:(?:semi-?)?angle|cut-?off|radius)?(?:\D{0,25}?|\s*signal (?:was |is )?collected\D{0,12}?)"
    + NUM
    + r"\s*mrad\b(?:\s+for the (?:eels|spectrometer|spectra?))?"
)
"""An angle said of a detector ("the HAADF inner angle to 50 mrad", "BF outer 10 mrad", "EELS collection angle
30 mrad"): a detector setting. Only probe or convergence words, or no detector word, make an angle the convergence."""


ANNULUS = re.compile(
    r"\b(?:annular\s+)?(haadf|adf|dark[- ]field|annular(?= detector))(?: detector)?(?:'s)?\s+"
    r"(?:annulus|ring|collection(?: (?:range|angles?))?|angles?|range)?\s*"
    r"(?:from|of|:|=|to|(?:set )?at)?\s*" + NUM + r"\s*(?:mrad\s*)?(?:to|-|–|out to)\s*" + NUM + r"\s*mrad\b|"
    r"\b(?:annular\s+)?(haadf|adf|dark[- ]field)(?: detector)?(?:'s)?(?:\s+annulus)?\s*[:,]?\s*inner\s*"
    r"(?:angle\s*)?(?:of|at|=|:)?\s*"
    + NUM
    + r"\s*(?:mrad)?\s*,?\s*(?:and\s+)?outer\s*(?:angle\s*)?(?:of|at|=|:)?\s*"
    + NUM
    + r"\s*mrad\b"
)
"""An annular detector's inner and outer angle said as a range ("HAADF annulus from 70 to 200 mrad", "annular
dark-field from 75 out to 185 mrad", "HAADF collection 65 to 210 mrad", "dark-field annulus: inner 85, outer 230
mrad")."""


EELS_ANGLE_AFTER = re.compile(
    NUM + r"\s*mrad\s+(?:of\s+)?(?:collection|acceptance|entrance)\s+(?:semi-?)?angle\s+(?:into|for|of|on)\s+the\s+"
    r"(?:spectrometer|eels)\b|\bfor (?:the )?eels,?\s+collect\w*\s+(?:out\s+)?(?:to\s+)?" + NUM + r"\s*mrad\b"
)
"""The EELS collection angle said number first ("20 mrad collection angle into the spectrometer")."""


EDGE_FIRST = re.compile(
    r"\b(inner|outer) (?:(?:edge|radius|angle|cut-?off|limit) of the (?:haadf|adf|dark[- ]field) (?:annulus|detector)|"
    r"(?:haadf|adf|dark[- ]field) (?:edge|radius|angle|cut-?off|limit))\D{0,20}?" + NUM + r"\s*mrad\b"
)
"""An annular detector's edge said before the detector ("outer edge of the HAADF annulus at 180 mrad", "outer HAADF
edge 170 mrad")."""


DETECTOR_WORD = r"\b(?:haadf|adf|bf|bright[- ]field|dark[- ]field|detectors?|annul\w*|collection|spectrometer)\b"
"""A detector named: an angle in mrad said with it is never taken for the convergence."""


def detector_angles_mrad(low: str) -> dict[str, float]:
    """The set_detectors arguments the request names (see ``DETECTOR_ANGLE``, ``ANNULUS``, ``EELS_ANGLE_AFTER``)."""
    if edge_first := EDGE_FIRST.search(low):
        return {f"haadf_{edge_first.group(1)}_mrad": number(edge_first.group(2))}
    if eels := EELS_ANGLE_AFTER.search(low):
        return {"eels_collection_mrad": number(eels.group(1) or eels.group(2))}
    if annulus := ANNULUS.search(low):
        said = (annulus.group(2), annulus.group(3)) if annulus.group(1) else (annulus.group(5), annulus.group(6))
        inner, outer = sorted(number(value) for value in said)
        return {"haadf_inner_mrad": inner, "haadf_outer_mrad": outer}
    angles: dict[str, float] = {}
    for found in DETECTOR_ANGLE.finditer(low):
        detector, edge, value = found.group(1), found.group(2), number(found.group(3))
        if edge is None and (after := re.match(r"\s*(inner|outer)\b", low[found.end() :])):
            edge = after.group(1)  # "dark field, 200 mrad outer"
        if detector in ("bf", "bright field", "bright-field"):
            angles["bf_outer_mrad"] = value
        elif detector in ("eels", "spectrometer"):
            angles["eels_collection_mrad"] = value
        else:
            angles["haadf_outer_mrad" if edge == "outer" else "haadf_inner_mrad"] = value
            other = "inner" if edge == "outer" else "outer"  # "ADF inner angle 90 mrad, outer 220"
            if more := re.match(
                r"\s*(?:,|and|,\s*and)\s*" + other + r"\s*(?:angle\s*)?(?:to|of|=|:|at)?\s*" + NUM + r"(?:\s*mrad)?",
                low[found.end() :],
            ):
                angles[f"haadf_{other}_mrad"] = number(more.group(1))
    return angles


def read_optics_and_beam(low: str, request: Request) -> None:
    request.defocus_series_nm = series_nm(low, "focus") or defocus_pair_nm(low)
    said = _defocus_said(low)
    if request.defocus_series_nm:
        request.intents.add("optics")
    elif said and (said[0] != "focus" or "optics" in request.intents or re.search(FOCUS_SET_VERB, low)):
        word, value, unit = said
        length = length_nm(value, unit or "nm")
        sign = {"underfocus": -1.0, "overfocus": 1.0}.get(word)
        request.defocus_nm = sign * abs(length) if sign else length
        request.intents.add("optics")
    if "astig" in request.intents:
        astig = re.search(r"astig\w*\D{0,20}?" + NUM + LENGTH, low)
        astig = astig or re.search(NUM + LENGTH + r"\s*(?:of\s+)?(?:twofold\s+)?astig", low)
        corrected = re.search(CORRECT, low)
        request.astig_nm = length_nm(astig.group(1), astig.group(2)) if astig else (0.0 if corrected else None)
        if request.astig_nm is None or (not astig and re.search(r"\bif (so|needed|necessary|it is)\b", low)):
            request.astig_check = True  # no value to set, or only "if needed": judge it on images
            request.astig_fix = bool(re.search(r"\b(fix|correct|remove|cancel|null|zero|if so)", low))
            request.astig_nm = None
        if request.astig_nm is not None:
            request.intents.add("optics")
            request.astig_angle_deg = _angle_deg(low, r"astig\w*")
    if re.search(r"\bcoma\b", low):
        coma = re.search(r"\bcoma\D{0,20}?" + NUM + LENGTH, low)
        coma = coma or re.search(NUM + LENGTH + r"\s*(?:of\s+)?(?:axial\s+)?coma\b", low)
        if coma or re.search(CORRECT + r".{0,25}\bcoma\b", low):
            request.coma_nm = length_nm(coma.group(1), coma.group(2)) if coma else 0.0
            request.coma_angle_deg = _angle_deg(low, r"coma")
            request.intents.add("optics")
    if energy := re.search(NUM + r"\s*kv\b", low):
        request.energy_kv = number(energy.group(1))
    if current := first(low, "current"):
        request.current_pa = current.value
    if cs := re.search(r"\b(?:cs|spherical aberration)\D{0,20}?" + NUM + r"\s*(mm|µm|um|microns?|nm)\b", low):
        request.cs_um = to_tool_unit(cs.group(1), cs.group(2)) / 1000
    request.detector_mrad = detector_angles_mrad(low)
    if request.detector_mrad:
        request.intents.add("detectors")
    if convergence := re.search(r"convergence\D{0,25}?" + NUM + r"\s*mrad\b", low):
        request.convergence_mrad = number(convergence.group(1))
    elif not request.detector_mrad and not re.search(DETECTOR_WORD, low) and (angle := first(low, "mrad")):
        request.convergence_mrad = angle.value  # the convergence is the one setting in mrad ("open the probe to 35")
    if request.cs_um is not None or request.convergence_mrad is not None:
        request.intents.add("optics")
    blank = re.search(r"\bblank", low)
    if blank and re.search(r"\bunblank", low[blank.end() :]):
        request.blank_around = True  # "blank, drop to 60 kV, unblank": the change is made with the beam blanked
        request.blanked = False
    elif re.search(r"\bunblank", low):
        request.blanked = False
    elif re.search(r"\bblank", low):
        request.blanked = True
