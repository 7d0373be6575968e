"""Ground truth and instrument measures for scoring, read from the session in process (never through a tool).

Providers are registered by name (the ``truth:`` of a check) and take the session and the check's ``params``. They
judge the final field of view: positions are returned in FOV coordinates (nm from the top-left of the current
image), which are also the coordinates of every tool argument and analysis result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastmcp import Client

from copilot.agent.events import ToolCall
from copilot.eval.collect import Locator

Provider = Callable[[Any, dict[str, Any]], Any]
PROVIDERS: dict[str, Provider] = {}
POINT_TOOLS = ("acquire_spectrum",)


def provider(name: str) -> Callable[[Provider], Provider]:
    """Register a ground-truth provider under ``name``."""

    def register(fn: Provider) -> Provider:
        PROVIDERS[name] = fn
        return fn

    return register


@dataclass(frozen=True)
class Measures:
    """What the instrument has been through: session dose, simulated clock, atoms lost to the beam."""

    dose_e_per_A2: float
    clock_s: float
    damaged_atoms: int


def measure(session: Any) -> Measures:
    """Current dose, clock and damage of a session."""
    return Measures(float(session.dose_used_e_per_A2), float(session.instrument_time_s()), damaged_atoms(session))


def damaged_atoms(session: Any) -> int:
    """Atoms the beam has removed from the specimen so far (0 on the AFM)."""
    specimen = getattr(session.instrument, "specimen", None)
    lost = getattr(specimen, "damaged_count", None)
    return int(lost() if callable(lost) else lost or 0)


async def read_only_tools(client: Client[Any]) -> frozenset[str]:
    """Names of the tools the server marks read-only (``readOnlyHint``)."""
    tools = await client.list_tools()
    return frozenset(t.name for t in tools if t.annotations is not None and t.annotations.readOnlyHint)


def inject_faults(session: Any, faults: list[str]) -> None:
    """Arm each instrument fault (``scan_abort``, ``beam_blank``, ``drift``, ``tip_change``)."""
    for kind in faults:
        session.instrument.inject_fault(kind)


def locator(session: Any) -> Locator:
    """Where on the specimen (nm) a point-spectrum call was aimed, from the instrument's current frame."""

    def locate(call: ToolCall) -> tuple[float, float] | None:
        if call.name not in POINT_TOOLS or "x_nm" not in call.args or "y_nm" not in call.args:
            return None
        x, y = session.instrument.fov_to_specimen(float(call.args["x_nm"]), float(call.args["y_nm"]))
        return (float(x), float(y))

    return locate


def compute(session: Any, requests: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The ground-truth values the checks of a task asked for, by name."""
    out: dict[str, Any] = {}
    for name, params in requests:
        if name not in PROVIDERS:
            raise KeyError(f"no ground-truth provider {name!r}; known: {sorted(PROVIDERS)}")
        out[name] = PROVIDERS[name](session, params)
    return out
