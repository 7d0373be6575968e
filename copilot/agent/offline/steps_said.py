"""Requests written as numbered steps ("1) blank the beam 2) set the current to 13 pA 3) unblank", "step 1: ...
step 2: ..."): the numbers are cut and the steps joined by "then", so no step number is read as a setting and the
steps run in the order written. Numbers in parentheses ("(7, 11) nm") are never step numbers, and steps count up
from 1 or they are not steps. A checklist's item numbers ("Item 5:", "check 27 -", "for item 3 (stage
repeatability)", "item 85 is done") name an entry of the user's list, never a setting: they are cut. So is a
sample's lot, wafer or batch number ("lot 9", "from lot 7's run", "wafer #12"): it names where the sample came
from."""

from __future__ import annotations

import re

STEP_MARK = re.compile(r"(?:^|(?<=[\s:;,.!]))(?:step\s*(\d{1,2})\s*[).:-]?|(\d{1,2})\s*[).:])(?=\s)")
"""A step number: "1)", "2.", "3:", "step 4", "step 5:"."""


ITEM_LABEL = re.compile(
    r"(?:\b(?:for|on|in|of|off|from|under|per|with)\s+)?\bitem\s+(?:no\.?\s*|#\s*)?\d{1,3}[a-z]?\b"
    r"(?:\s+of (?:the|my|our|this) [\w -]{1,30}?(?=\s*[,:;.-]))?"
    r"(?:\s+(?:is|was) (?:done|finished|complete|through|ticked off|signed off)\b|\s+(?:passed|done)\b)?"
    r"(?:\s*\([^()]{0,40}\))?|"
    r"(?:(?<=^)|(?<=[.;:!?] ))check\s+(?:no\.?\s*|#\s*)?\d{1,3}[a-z]?\b(?=\s*[-:,.)])|"
    r"^(?:[\w-]+ ){1,3}item(?:\s+\d{1,3}[a-z]?)?\s*:|"
    r"^[a-z]{1,4}-\d{2,6}(?: first| next| now| again)?\s*:"
)
"""A checklist item's number: "item 5", "for item 3 (stage repeatability)", "item 1 of the acceptance list",
"item 85 is done", "check 27" as a label before a dash or a colon, and an item's name said first ("EDX count-rate
item:", "spectrometer item 51:") or a job's number ("FA-2291 first:"); the instrument a label names stays ("AFM
item:")."""


LOT_NUMBER = re.compile(r"\b(lot|wafer|batch)\s+(?:no\.?\s*|#\s*)?\d{1,5}[a-z]?\b")
"""A sample's lot, wafer or batch number: "lot 9", "wafer #12"; the word stays, the number goes."""


def without_item_labels(low: str) -> str:
    """``low`` with its checklist items' and lots' numbers cut (see the module docstring)."""
    low = LOT_NUMBER.sub(r"\1", low)
    return ITEM_LABEL.sub(lambda label: " " + " ".join(re.findall(r"\b(?:afm|stem)\b", label.group(0))) + " ", low)


def joined_steps(low: str) -> str:
    """``low`` with its numbered steps joined by "then" (see the module docstring)."""
    marks: list[re.Match[str]] = []
    for mark in STEP_MARK.finditer(low):
        before = low[: mark.start()]
        closed = before.count(")") - sum(")" in m.group(0) for m in marks)  # a step's own ")" closes nothing
        if before.count("(") == closed:
            marks.append(mark)
    if len(marks) < 2 or [int(m.group(1) or m.group(2)) for m in marks] != list(range(1, len(marks) + 1)):
        return low
    ends = [m.start() for m in marks[1:]] + [len(low)]
    steps = [low[m.end() : end].strip(" ,;.") for m, end in zip(marks, ends, strict=True)]
    return low[: marks[0].start()] + ", then ".join(step for step in steps if step)
