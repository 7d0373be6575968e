"""The typed plan between reading a request and calling tools: steps of a kind (the request's constraints are
``clauses.Constraint``).

A step's arguments are fixed or computed from the outcomes so far (the id of the image just taken, the position
of a found dopant); a computed argument may come out as a reason to skip the step. Each step has a kind, the verb
of the plan it belongs to: ``Set`` a setting, ``Acquire`` data, ``Align`` the instrument (autofocus, approach),
``Analyse`` data, ``Locate`` a feature to act on, ``Centre`` it, ``Compare`` two acquisitions, ``Query`` the
instrument, ``Export`` a file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from copilot.agent.offline.outcomes import Outcome, current_fov_nm, last_acquisition_id, recent_acquisitions

Args = dict[str, Any] | Callable[[Sequence[Outcome]], dict[str, Any] | str]
"""Fixed arguments, or a function of the outcomes so far returning arguments or the reason to skip the step."""
Kind = Literal["Set", "Acquire", "Align", "Analyse", "Locate", "Centre", "Compare", "Query", "Export"]
KINDS: dict[str, Kind] = {
    "autofocus": "Align",
    "approach": "Align",
    "withdraw": "Align",
    "change_tip": "Align",
    "estimate_drift": "Compare",
    "export_acquisition": "Export",
    "get_status": "Query",
    "get_dose_map": "Query",
    "get_tip_state": "Query",
    "list_specimens": "Query",
    "list_acquisitions": "Query",
    "load_specimen": "Set",
    "move_stage": "Set",
}


def kind_of(tool: str) -> Kind:
    """The kind a call to ``tool`` usually has in a plan."""
    if tool in KINDS:
        return KINDS[tool]
    if tool.startswith("set_"):
        return "Set"
    return "Acquire" if tool.startswith("acquire") else "Analyse"


class Step(BaseModel):
    """One planned tool call."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    tool: str
    args: Args
    kind: Kind
    optional: bool = False  # a failure is noted and the plan goes on
    when: Callable[[Sequence[Outcome]], bool] | None = None  # run only if this holds for the outcomes so far
    fallback: tuple[str, ...] = ()  # arguments passed only to a tool whose schema requires them
    last: bool = False  # runs after the rest of the plan, whatever order the request says it in

    def __init__(self, tool: str, args: Args, kind: Kind | None = None, **options: Any) -> None:
        super().__init__(tool=tool, args=args, kind=kind or kind_of(tool), **options)


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


def _image(position: int, count: int) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    def args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        images = [o for o in outcomes if o.ok and o.name == "acquire_image"]
        records = recent_acquisitions(images, count)
        if len(records) < count:
            return f"there are not {count} images of this turn to compare"
        record = records[position]
        return {"acquisition_id": str(record.get("id") or record.get("acquisition_id"))}

    return args


def compare_steps(count: int = 2) -> list[Step]:
    """The sharpness of each of the last ``count`` images of the turn, oldest first."""
    return [Step("focus_quality", _image(position, count), kind="Compare") for position in range(count)]
