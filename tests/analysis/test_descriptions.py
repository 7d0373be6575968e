"""Tool descriptions carry no specimen's true value: an agent must measure it, not read it."""

from __future__ import annotations

from pathlib import Path

from fastmcp import Client

from copilot.session import Session
from copilot.tools.server import create_server
from copilot.twin import Microscope
from copilot.twin.afm import AFM
from copilot.twin.afm.surfaces_topo import AtomicSteps


async def test_no_tool_description_quotes_a_true_value_of_a_specimen(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="graphene")
    async with Client(create_server(session)) as client:
        tools = await client.list_tools()
    session.close()
    text = " ".join(t.description or "" for t in tools)
    steps = AFM("afm_steps", seed=0).surface
    assert isinstance(steps, AtomicSteps)
    truths = [steps.step_height_nm]
    truths += [Microscope(name, seed=0).specimen.lattice["a_nm"] for name in ("graphene", "srtio3", "mos2")]
    for value in truths:
        assert f"{value:g}" not in text, value
