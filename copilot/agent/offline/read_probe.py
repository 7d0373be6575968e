"""Read what a request asks of the probe on a point: the AFM feedback, channels and tip, and the kind and target
of a spectrum (given coordinates, or the brightest atom, a dopant, a defect)."""

from __future__ import annotations

import re

from copilot.agent.offline.lexicon import NUM, number
from copilot.agent.offline.request import Request

CHANNEL = r"(?:[- ](?:and|plus)[- ]|\s*(?:,|\+|and|plus|with)\s*(?:the\s+)?|\s+)"
CHANNEL += (
    r"(?:(?:the\s+)?(?:pfm|piezo(?:response)?)\s+amplitude(?:\s+and\s+phase)?|(?:pfm|piezo(?:response)?)\s+phase|error|"
)
CHANNEL += r"amplitude|phase)\b(?!\s+setpoint)"
CHANNELS = re.compile(r"(?<!step )\b(?:height|topography|topograph)((?:" + CHANNEL + r"(?:\s+(?:channels?|signal))?)+)")
"""The AFM channels said with the height ("height and amplitude", "height with the error channel", "a
height-and-phase scan"): recorded in the order said."""


def _channels_said(said: str) -> list[str]:
    """The channels named after the height, in order; an amplitude or a phase of the PFM is the piezo channel."""
    piezo = r"(?:pfm|piezo(?:response)?)\s+"
    said = re.sub(piezo + r"amplitude\s+and\s+phase", "piezo_amplitude piezo_phase", said)
    said = re.sub(piezo + r"(amplitude|phase)", r"piezo_\1", said)
    return re.findall(r"piezo_amplitude|piezo_phase|error|amplitude|phase", said)


AFM_CENTRE = re.compile(
    r"\bcent(?:re|er)(?: the)?(?: afm)? scan (?:at|on|around|about)\s*\(?\s*" + NUM + r"\s*,\s*" + NUM + r"\s*\)?\s*"
    r"(µm|um|microns?|nm)\b"
)
"""Where the AFM scan is centred on the specimen ("centre the AFM scan at (0.65, -1.1) µm")."""


def read_afm(low: str, request: Request) -> None:
    if setpoint := re.search(
        r"setpoint\D{0,20}?" + NUM + r"\s*nm|" + NUM + r"\s*nm (?:on |for )?(?:the )?(?:amplitude )?setpoint", low
    ):
        request.setpoint_nm = number(setpoint.group(1) or setpoint.group(2))
    gains_said = re.search(r"\bgains?\b|\bfeedback\b|\bp\s*" + NUM + r"\s*,?\s*(?:and\s+)?i\s*" + NUM, low)
    gain = r"(?:[- ]gain)?" if gains_said else r"[- ]gain"  # "gains: P 0.2, I 2", "P 0.08, I 0.5 per ms"
    if p_gain := re.search(r"\b(?:p|prop|proportional)" + gain + r"\s*(?:=|:|to|of)?\s*" + NUM, low):
        request.p_gain = number(p_gain.group(1))
    if i_gain := re.search(r"\b(?:i|integral)" + gain + r"\s*(?:=|:|to|of)?\s*" + NUM, low):
        request.i_gain_per_ms = number(i_gain.group(1))
    if centre := AFM_CENTRE.search(low):
        per_um = 1000.0 if centre.group(3) == "nm" else 1.0
        request.afm_centre_um = (number(centre.group(1)) / per_um, number(centre.group(2)) / per_um)
        request.intents.add("afm_context")
    if re.search(r"\bphase\b", low) and request.intents & {"afm_image", "domains", "afm_approach"}:
        request.channels = ["height", "phase"]
    if said := CHANNELS.search(low):
        request.channels = ["height", *dict.fromkeys(_channels_said(said.group(1)))]
        request.intents.add("afm_image")
    conditional = re.search(r"\b(?:if|when|should|in case|whenever)\b|\b(?:a|the|any) double tip\b", low)
    request.change_if_double = "tip_check" in request.intents and bool(
        conditional and re.search(r"change|replace|swap", low)
    )
    if request.change_if_double:
        request.intents.discard("change_tip")  # changed only if the check finds a double tip


SPECTRUM_KIND = r"\beels\b|\beds\b|\bedx\b|x-ray"
"""The words naming a spectrum's kind."""


def read_spectrum(low: str, request: Request) -> None:
    if "spectrum" not in request.intents:
        return
    request.spectrum_kind = "EDS" if re.search(r"\beds\b|\bedx\b|x-ray", low) else "EELS"
    said = [("EDS" if m.group(0) != "eels" else "EELS", m.start()) for m in re.finditer(SPECTRUM_KIND, low)]
    kinds = list(dict.fromkeys(kind for kind, _ in sorted(said, key=lambda k: k[1])))
    if len(kinds) == 2:
        request.spectrum_kinds = kinds  # "EELS at 3,3 nm, then EDS on the same spot": two spectra, in that order
    if request.point_nm is not None or request.region_nm is not None:
        return  # the place is given: "EDS map of (8, 10) nm to (29, 28) nm for the dopant distribution"
    if re.search(r"bright|heaviest|strongest", low):
        request.spectrum_target = "brightest"
    elif re.search(r"dopant|impurit|substitution", low):
        request.spectrum_target = "dopant"
    elif re.search(r"defect|vacanc|\bmissing\b", low):
        request.spectrum_target = "defect"
    if request.spectrum_target and not re.search(
        r"(find|count|locate|how many)\s+(all\s+|the\s+)?(atoms|atomic col|col)", low
    ):
        request.intents.discard("atoms")  # "on the brightest atom" names a place, not an analysis
