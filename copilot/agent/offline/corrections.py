"""Self-corrections in a request ("the field to forty no sorry thirty four nanometres", "six hundred fifty nanometres
to the right sorry I mean to the left", "seed 70 no wait seventy six"): what was corrected is dropped and the
correction kept, before anything else is read. A correction replaces only a thing of its own kind said right before
the marker (a number with or without its unit, a direction, a detector); a marker with nothing of that kind before
it ("sorry, is the beam blanked?") is left for the rest of the reading.
"""

from __future__ import annotations

import re

from copilot.agent.offline.spoken import NUMBER_WORD, SPOKEN_UNIT

MARKER = re.compile(
    r"[,;]?\s*\b(?:no,? sorry|sorry,? i mean|no,? wait|no,? make that|make that|i mean|scratch that|or rather|"
    r"correction|sorry|no)\b[,:;]?\s+"
)
"""The words a speaker corrects themself with; a bare "no" corrects only a number ("twenty no nineteen picoamps")."""
SAID_NUMBER = (
    r"(?:(?:an?\s+)?(?:(?:" + NUMBER_WORD + r")(?:[\s-]+(?:and\s+)?(?=(?:" + NUMBER_WORD + r")\b))?)+"
    r"(?:\s+point(?:\s+(?:" + NUMBER_WORD + r"))+)?|[-+]?\d+(?:\.\d+)?)"
)
"""A number in digits or in words ("70", "a hundred and thirty", "two point five")."""
KINDS = (
    r"\b" + SAID_NUMBER + r"(?:\s*" + SPOKEN_UNIT + r")?",
    r"\b(?:to the |towards the )?(?:left|right|up|down)\b|\bin [xy]\b",
    r"\b(?:haadf|bf|adf|abf|bright[- ]field|dark[- ]field|eels|eds|edx)\b",
)
"""The kinds of thing a correction replaces; the correction names one at its start."""


def corrected(low: str) -> str:
    """``low`` with each corrected thing dropped and the marker cut (see the module docstring)."""
    start = 0
    while marker := MARKER.search(low, start):
        before, after = low[: marker.start()], low[marker.end() :]
        kinds = KINDS[:1] if marker.group(0).strip(" ,;:") == "no" else KINDS
        replaced = next(
            (said for kind in kinds if re.match(kind, after) and (said := re.search(r"(?:" + kind + r")\s*$", before))),
            None,
        )
        if replaced is None:
            start = marker.end()
            continue
        low = before[: replaced.start()].rstrip() + " " + after
        start = replaced.start()
    return low
