"""Derive the reference solution of a "correct the hidden astigmatism, then measure" task by running the search.

The twin hides the column's intrinsic twofold astigmatism: the stigmator setting that cancels it is unknown to the
operator and to the task. A reference solution therefore has to do what an operator does: step the stigmator,
judge each quick frame with ``focus_quality`` and keep the sharpest setting. This module runs that search through
the MCP tools on a fresh twin with the task's seed and set-up, and writes the calls it made (every trial setting, its
frame and its sharpness) as the task's ``reference.calls``: the final setting is the sharpest one the recorded
frames showed, never the ground truth.

The search is a coordinate descent on the stigmator's Cartesian components (a_x, a_y) = A1 (cos 2t, sin 2t): both
metrics fall off with the residual |A1| in every direction, so each axis can be optimised in turn. The coarse
passes (6 nm steps) judge by the normalised ``sharpness``, which still changes 10 nm from the optimum; the fine
passes (3, 1.5 and 0.75 nm) by the ``brenner`` gradient, which peaks sharply within 2 nm where the sharpness
saturates. ``python -m copilot.eval.stigmate_search SPECIMEN SEED`` prints the calls as YAML.
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from fastmcp import Client

COARSE_NM = (-12.0, -6.0, 0.0, 6.0, 12.0)
REFINE_STEPS_NM = (3.0, 1.5, 0.75)
SURVEY = {"fov_nm": 8.0, "pixels": 256}  # quick frames: a quarter of the dose and time of a 512 px frame


def polar(ax_nm: float, ay_nm: float) -> tuple[float, float]:
    """Stigmator magnitude (nm) and direction (deg) of the Cartesian components (twofold: the angle is halved)."""
    return round(math.hypot(ax_nm, ay_nm), 2), round(math.degrees(math.atan2(ay_nm, ax_nm)) / 2.0, 2)


class Search:
    """Records every call of the search and remembers the sharpness of each trial setting."""

    def __init__(self, client: Client[Any]) -> None:
        self.client = client
        self.calls: list[dict[str, Any]] = []
        self.seen: dict[tuple[float, float], dict[str, float]] = {}

    async def call(self, tool: str, args: dict[str, Any], save_as: str | None = None) -> dict[str, Any]:
        result = await self.client.call_tool(tool, args, raise_on_error=True)
        step: dict[str, Any] = {"tool": tool, "args": args} if args else {"tool": tool}
        if save_as:
            step["save_as"] = save_as
        self.calls.append(step)
        return dict(result.structured_content or {})

    async def quality(self, ax_nm: float, ay_nm: float, metric: str) -> float:
        """``metric`` of ``focus_quality`` on a frame at this stigmator setting (each setting imaged once)."""
        key = (round(ax_nm, 2), round(ay_nm, 2))
        if key not in self.seen:
            a1, deg = polar(*key)
            await self.call("set_optics", {"astig_nm": a1, "astig_angle_deg": deg})
            await self.call("acquire_image", {"detector": "HAADF"})
            self.seen[key] = await self.call("focus_quality", {})
        return float(self.seen[key][metric])

    async def best_along(self, ax_nm: float, ay_nm: float, axis: int, offsets: tuple[float, ...], metric: str) -> float:
        """The coordinate along ``axis`` (0: a_x, 1: a_y) with the best ``metric`` among the offsets."""
        scored = []
        for d in offsets:
            point = (ax_nm + d, ay_nm) if axis == 0 else (ax_nm, ay_nm + d)
            scored.append((await self.quality(*point, metric), point[axis]))
        return max(scored)[1]

    async def run(self) -> tuple[float, float]:
        ax = await self.best_along(0.0, 0.0, 0, COARSE_NM, "sharpness")
        ay = await self.best_along(ax, 0.0, 1, COARSE_NM, "sharpness")
        ax = await self.best_along(ax, ay, 0, COARSE_NM, "sharpness")
        for step in REFINE_STEPS_NM:
            ax = await self.best_along(ax, ay, 0, (-step, 0.0, step), "brenner")
            ay = await self.best_along(ax, ay, 1, (-step, 0.0, step), "brenner")
        return ax, ay


async def reference_calls(specimen: str, seed: int, setup: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Any]:
    """The recorded search (ending on the sharpest setting) for a task, and the session it ran on (for checking
    the result against the ground truth; the caller closes it)."""
    from copilot.session import Session
    from copilot.tools import create_server  # type: ignore[attr-defined]

    session = Session(Path(tempfile.mkdtemp(prefix="stigmate-")), specimen=specimen, seed=seed)
    async with Client(create_server(session)) as client:
        for step in setup:
            await client.call_tool(step["tool"], step.get("args", {}), raise_on_error=True)
        search = Search(client)
        await search.call("set_scan", dict(SURVEY))
        ax, ay = await search.run()
        a1, deg = polar(ax, ay)
        search.calls.append({"tool": "set_optics", "args": {"astig_nm": a1, "astig_angle_deg": deg}, "save_as": "fix"})
        await client.call_tool("set_optics", {"astig_nm": a1, "astig_angle_deg": deg}, raise_on_error=True)
    return search.calls, session


def main(argv: list[str]) -> None:
    specimen, seed = argv[0], int(argv[1])
    setup = [{"tool": "set_optics", "args": {"astig_nm": 0, "astig_angle_deg": 0}}]
    calls, session = asyncio.run(reference_calls(specimen, seed, setup))
    residual = session.instrument.ground_truth_aberrations()["astig_nm"]
    session.close()
    print(f"# residual twofold astigmatism after the search: {residual:.2f} nm ({len(calls)} calls)")
    print(yaml.safe_dump(calls, sort_keys=False, default_flow_style=None, width=120))


if __name__ == "__main__":
    main(sys.argv[1:])
