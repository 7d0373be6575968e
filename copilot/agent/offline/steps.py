"""The plan's building blocks: a step, the stop signal, and arguments computed from the outcomes so far."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from copilot.agent.offline.outcomes import Outcome, current_fov_nm, last_acquisition_id

Args = dict[str, Any] | Callable[[Sequence[Outcome]], dict[str, Any] | str]
"""Fixed arguments, or a function of the outcomes so far returning arguments or the reason to skip the step."""


@dataclass(frozen=True)
class Step:
    """One planned tool call."""

    tool: str
    args: Args
    optional: bool = False  # a failure is noted and the plan goes on
    when: Callable[[Sequence[Outcome]], bool] | None = None  # run only if this holds for the outcomes so far


def given(**values: Any) -> dict[str, Any]:
    """Only the values that were actually given."""
    return {key: value for key, value in values.items() if value is not None}


def on_last_image(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
    """Arguments naming the newest acquisition, or why there is none."""
    acquisition = last_acquisition_id(outcomes)
    return {"acquisition_id": acquisition} if acquisition else "there is no image to work on yet"


def at_centre(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
    """The centre of the current field of view or scan."""
    fov = current_fov_nm(outcomes)
    if fov is None:
        return "the size of the current scan is unknown"
    return {"x_nm": round(fov / 2, 3), "y_nm": round(fov / 2, 3)}
