"""Requests written as numbered steps ("1) blank the beam 2) set the current to 13 pA 3) unblank", "step 1: ...
step 2: ..."): the numbers are cut and the steps joined by "then", so no step number is read as a setting and the
steps run in the order written. Numbers in parentheses ("(7, 11) nm") are never step numbers, and steps count up
from 1 or they are not steps."""

from __future__ import annotations

import re

STEP_MARK = re.compile(r"(?:^|(?<=[\s:;,.!]))(?:step\s*(\d{1,2})\s*[).:-]?|(\d{1,2})\s*[).:])(?=\s)")
"""A step number: "1)", "2.", "3:", "step 4", "step 5:"."""


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
