"""The terminal chat's rendering and approval handling, over the small MCP server."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from rich.console import Console

from copilot.agent import CopilotAgent
from copilot.agent.cli import TerminalView, drive_turn
from copilot.agent.scripted import ScriptedChatModel
from tests.agent.minimal_server import MiniState, create_minimal_server


def console() -> Console:
    return Console(file=io.StringIO(), width=200, color_system=None, force_terminal=False)


async def test_the_terminal_shows_calls_numbers_and_where_previews_were_saved(tmp_path: Path) -> None:
    state = MiniState()
    replies = [
        AIMessage(content="", tool_calls=[{"name": "acquire_image", "args": {}, "id": "c1"}]),
        AIMessage(content="Took a0001."),
    ]
    agent = await CopilotAgent.create(
        None, chat_model=ScriptedChatModel(replies=replies), server=create_minimal_server(state)
    )
    view = TerminalView(console(), tmp_path / "previews")
    answer = await drive_turn(agent, agent.run("image"), view, interactive=False)
    await agent.aclose()
    out = view.console.file.getvalue()  # type: ignore[attr-defined]
    assert answer == "Took a0001."
    assert "→ acquire_image()" in out and "dose 5.243 e⁻/Å²" in out and "Took a0001." in out
    preview = tmp_path / "previews" / "c1-0.png"
    assert preview.read_bytes().startswith(b"\x89PNG") and str(preview) in out
    assert out.count("Took a0001.") == 1


@pytest.mark.parametrize("interactive", [True, False])
async def test_an_approval_is_asked_at_the_prompt_and_declined_when_not_interactive(
    tmp_path: Path, interactive: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = MiniState()
    replies = [AIMessage(content="", tool_calls=[{"name": "change_tip", "args": {}, "id": "c1"}]), AIMessage("ok")]
    agent = await CopilotAgent.create(
        None, chat_model=ScriptedChatModel(replies=replies), server=create_minimal_server(state)
    )
    monkeypatch.setattr("copilot.agent.cli.Confirm.ask", lambda *args, **kwargs: True)
    view = TerminalView(console(), tmp_path)
    await drive_turn(agent, agent.run("new tip"), view, interactive=interactive)
    await agent.aclose()
    assert state.tip_changes == (1 if interactive else 0)
    assert "needs your approval" in view.console.file.getvalue()  # type: ignore[attr-defined]
