"""Requests that are a sequence: "defocus by 50 nm, take an image, then autofocus, take another image and compare
them". The request is cut into its clauses at each comma, "then" or "and" before an action; when two or more
clauses take an image and another clause changes something between them, each clause is planned on its own and
the plans run in order, so nothing is merged or dropped. Analyses of a later clause work on the newest image of
the turn; "compare them" measures the sharpness of the last two images and says which is sharper.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from copilot.agent.offline.outcomes import Outcome
from copilot.agent.offline.parse import parse_request
from copilot.agent.offline.request import Request
from copilot.agent.offline.steps import Step, compare_steps
from copilot.agent.summary import format_number

ACTION = (
    r"(?:please\s+)?(?:take|acquire|image|record|grab|snap|set|defocus|underfocus|overfocus|refocus|autofocus|focus|"
    r"move|go|tilt|zoom|compare|measure|count|find|check|change|lower|raise|increase|decrease|blank|unblank|"
    r"back to|return to|frame|score|"
    r"(?:an? |one )?(?:(?:core|low)[- ]loss )?(?:eels|eds|edx)(?= (?:spot |spectrum |point )?(?:at|on|for|\d+)\b| \()|"
    r"\d+(?:\.\d+)?\s*(?:ms|s|µs) of (?:eels|eds|edx)|"
    r"(?:an? |one )?\d+(?:\.\d+)?\s*(?:ms|s|secs?|seconds?) (?:eels|eds|edx))\b"
)
SPLIT = re.compile(
    r"\s*(?:,|;|\bthen\b|\band\b|\bfollowed by\b)\s*(?:(?:and|then|after that|after it|afterwards|after this|next)\s+)*"
    r"(?=" + ACTION + ")|"
    r"\s*,?\s*(?:and\s+)?\bthen\s+(?=at\s+\(?\s*-?\d+(?:\.\d+)?\s*,)"
)
"""Where a request's clauses part: before an action after a comma, "then" or "and", or before a place said after
"then" ("EDS at 2,2 nm then at 6,6 nm")."""
SPECTRUM_KIND = re.compile(r"\b(eels|eds|edx)\b")
AT_PLACE = re.compile(r"^at\s+\(?\s*-?\d")
"""A clause that names only a place: it goes on with the spectrum the clause before it named."""
CHANGES = {"optics", "beam", "scan", "stage", "focus"}
COMPARE = r"\bcompare\b|which (one |image )?is (sharper|better)|\bboth\b.{0,20}\bsharp|\bsharp\w*.{0,20}\bboth\b"
SETTING_WORDS = r"\b(defocus|underfocus|overfocus|field of view|fov|dwell|current|high tension|convergence)\b"
"""The setting a later clause of a sequence goes on with when it names only a value ("back to 0", "at +10 nm")."""
VALUE_ONLY = re.compile(r"^(?:(?:back|return) to|(?:a |another |one more )?frame at|image at)\s+([-+]?\d)")
"""A clause that names a value but not its setting: "back to 0", "frame at +10 nm"."""
PLACE = r"\bat\s+\(?\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*\)?"
PLACE_UNIT = re.compile(PLACE + r"\s*(nm|å)\b")
BARE_PLACE = re.compile(r"(" + PLACE + r")(?!\s*(?:nm|å|µm|um|[\d.]))")
"""A place said with its unit, and one said without it ("EELS at 19, 25 nm ..., after that EDX at 24, 27"): the
later place is in the unit of the earlier one."""


def clauses(text: str) -> list[str]:
    """The clauses of a request, cut before each action that follows a comma, "then" or "and"; a clause that names
    only a value goes on with the setting the clause before it named ("defocus -20 nm, take a frame, back to 0"
    sets the defocus to 0)."""
    parts = [part.strip(" ,.;") for part in SPLIT.split(text) if part.strip(" ,.;")]
    setting = None
    unit = None
    for index, part in enumerate(parts):
        if unit and (bare := BARE_PLACE.search(part)):
            parts[index] = part = f"{part[: bare.end()].rstrip()} {unit} {part[bare.end() :].lstrip()}".strip()
        if index and AT_PLACE.match(part) and (kind := SPECTRUM_KIND.findall(parts[index - 1])):
            parts[index] = part = f"{kind[-1]} {part}"
        if placed := PLACE_UNIT.search(part):
            unit = placed.group(1)
        said = re.findall(SETTING_WORDS, part)
        if said:
            setting = said[-1]
        elif setting and (value := VALUE_ONLY.match(part)):
            signed = value.group(1)[0] in "+-" or setting not in ("field of view", "fov")
            if signed or part.startswith(("back", "return")):
                take = "take an image at " if re.match(r"(?:a |another |one more )?frame|image", part) else ""
                parts[index] = f"{take}{setting} {part[value.start(1) :]}"
    return parts


def sequence_steps(text: str, build: Callable[[Request], list[Step]], whole: Sequence[Step]) -> list[Step] | None:
    """The steps of each clause in order (``build`` plans one clause), or None when the request is no sequence or
    the plan of the ``whole`` request already takes every image the clauses ask for. Spectra at two or more places
    ("EELS at (2, 3) nm, then EDS at (8, 3) nm") are a sequence too: one spectrum at each place, in order."""
    parts = clauses(text)
    requests = [parse_request(part) for part in parts]
    spots = [r for r in requests if "spectrum" in r.intents and r.point_nm is not None]
    if len(spots) >= 2 and len(spots) == sum("spectrum" in r.intents for r in requests):
        return [step for request in requests for step in build(request)]  # a spectrum at each place said, in order
    images = [i for i, r in enumerate(requests) if "acquire" in r.intents or re.search(r"\banother\b", parts[i])]
    if len(images) < 2 or not any(requests[i].intents & CHANGES for i in range(images[0] + 1, images[-1] + 1)):
        return None
    if sum(step.tool == "acquire_image" for step in whole) >= len(images):
        return None
    steps: list[Step] = []
    for index, (part, request) in enumerate(zip(parts, requests, strict=True)):
        if re.search(COMPARE, part):
            steps += compare_steps()
            continue
        if re.search(r"\banother\b", part):
            request.intents.add("acquire")
        clause = build(request)
        if index > images[0]:  # a later analysis works on the image just taken, not a listed one
            clause = [step for step in clause if step.tool != "list_acquisitions"]
        steps += clause
    return steps if sum(step.tool == "acquire_image" for step in steps) == len(images) else None


def compare_line(outcomes: Sequence[Outcome], count: int = 2) -> str | None:
    """Which of the ``count`` compared images is sharpest, with their sharpness values."""
    values = [o.data.get("sharpness") for o in outcomes if o.ok and o.name == "focus_quality"][-count:]
    if len(values) < count or not all(isinstance(v, int | float) for v in values):
        return None
    scores = [float(v) for v in values]  # type: ignore[arg-type]
    if count > 2:
        best = max(range(count), key=scores.__getitem__)
        listed = ", ".join(format_number(v) for v in scores)
        return f"Image {best + 1} of {count} is the sharpest: sharpness {listed}, in the order taken."
    first, second = scores
    figures = f"sharpness {format_number(first)} for the first, {format_number(second)} for the second"
    if first == second:
        return f"The two images are equally sharp: {figures}."
    return f"The {'second' if second > first else 'first'} image is sharper: {figures}."
