"""The plan in the order the request says its actions: "AF, then a 1k HAADF" focuses before it sets the scan, "take
an image, then defocus to -10 nm" images before the defocus (the plan of the whole request puts the settings first).

The request is cut into clauses (at "then", a semicolon, "after that", and at each comma or "and" before an action,
as ``sequence.clauses`` cuts); each clause is planned on its own, and each step of the whole plan belongs to the
first clause whose own plan calls the same tool. The steps are then ordered by their clause, keeping the whole
plan's order within one. Only settings, alignments and acquisitions are ordered, and only those whose tool the
whole plan calls once (a survey and its zoom set the scan twice: their order is the plan's); an analysis, or a step
no clause asks for (an unblank the status calls for, a listing of the acquisitions an analysis works on), stays
with the step it is planned after, and so does a step that runs only when a result calls for it (the tip change
and the new image after a double tip). A clause ending in "first" goes before the others. A step marked ``last``
(blanking the beam once the acquisitions are done) stays last: an image needs the beam, whatever order the request
says them in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from copilot.agent.offline.parse import parse_request
from copilot.agent.offline.reasons import PURPOSE_LEAD
from copilot.agent.offline.request import Request
from copilot.agent.offline.sequence import SPLIT
from copilot.agent.offline.steps import Step

FRAME_SAID = r"(?:an?|one|another)\s+(?:[\d.]+\s*(?:nm|µm|um|å)\s+)?(?:haadf|bf|adf|abf|image|frame|picture)\b"
"""A frame said by its noun alone after an action ("autofocus, and a 40 nm BF"): a clause of its own."""
ORDER_SPLIT = re.compile(
    SPLIT.pattern + r"|\s*[,;]?\s*\b(?:and\s+)?(?:then|after that|afterwards|followed by)\b[,\s]*|\s*;\s*|"
    r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?=" + FRAME_SAID + ")"
)
ORDERED_KINDS = {"Set", "Align", "Acquire"}
"""The kinds of step done in the order said; analyses stay with the data they work on."""
REPEATED_IN_ORDER = {"acquire_image", "acquire_afm_image"}
"""Tools a plan may call more than once whose k-th call belongs to the k-th clause that asks for one ("HAADF, then
rotate the scan and take a second one": the rotation goes between the two frames)."""
FIRST = r"\b(?:first|beforehand|before anything else|to start)\s*$"
"""A clause said to come first ("take a 5 nm image, autofocus first")."""


def said_clauses(text: str) -> list[str]:
    """The clauses of a request in the order it says them (see the module docstring)."""
    text = re.sub(PURPOSE_LEAD, " ", text)  # a purpose said first orders nothing
    return [part.strip(" ,.;") for part in ORDER_SPLIT.split(text) if part and part.strip(" ,.;")]


def as_said(text: str, build: Callable[[Request], list[Step]], whole: Sequence[Step]) -> list[Step]:
    """The ``whole`` plan's steps in the order the request says them (``build`` plans one clause)."""
    parts = said_clauses(text)
    if len(parts) < 2 or len(whole) < 2:
        return list(whole)
    asked = [[step.tool for step in build(parse_request(part))] for part in parts]
    rank = [-1 if re.search(FIRST, part) else index for index, part in enumerate(parts)]
    owners: list[int | None] = []
    seen: dict[str, int] = {}
    for step in whole:
        said = [i for i, tools in enumerate(asked) for tool in tools if tool == step.tool]
        times = sum(other.tool == step.tool for other in whole)
        nth = seen[step.tool] = seen.get(step.tool, -1) + 1
        once = bool(said) and times == 1
        repeated = times > 1 and len(said) >= times and step.tool in REPEATED_IN_ORDER  # k-th call: k-th said
        owner = rank[said[0]] if once else (rank[said[nth]] if repeated else None)
        owners.append(owner if step.kind in ORDERED_KINDS and step.when is None else None)  # conditional: in place
    known = [owner for owner in owners if owner is not None]
    if not known:
        return list(whole)
    filled: list[int] = []
    for owner in owners:
        filled.append(owner if owner is not None else (filled[-1] if filled else known[0]))
    order = sorted(range(len(whole)), key=lambda i: (whole[i].last, filled[i], i))
    return [whole[i] for i in order]
