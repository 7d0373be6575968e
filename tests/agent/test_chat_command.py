"""``copilot chat --once``: one scripted turn from the command line, over the real session and server."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from copilot.agent.cli import chat


def app() -> typer.Typer:
    cli = typer.Typer()
    cli.command()(chat)
    cli.command("noop")(lambda: None)  # two commands, so `chat` is addressed by name as in `copilot chat`
    return cli


def test_once_runs_one_turn_and_prints_calls_numbers_previews_and_the_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app(), ["chat", "--once", "fov 20 nm, 64 px and take an image", "--data-dir", str(tmp_path)]
    )
    out = result.output
    assert result.exit_code == 0, out
    assert "→ set_scan(fov_nm=20.0, pixels=64)" in out, out
    assert "← acquire_image" in out and "dose" in out, out
    assert "preview saved" in out and list((tmp_path / "chat_previews").glob("*.png")), out
    assert "offline planner (no LLM)" in out, out


def test_an_unusable_model_string_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app(), ["chat", "--once", "hi", "--model", "openai:gpt-4o", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "OPENAI_API_KEY" in result.output
