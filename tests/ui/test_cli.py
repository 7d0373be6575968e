"""`copilot ui`: the command line it runs and the options it refuses."""

from __future__ import annotations

import subprocess

import pytest
import streamlit
import typer
from typer.testing import CliRunner

from copilot.ui.cli import APP_PATH, streamlit_command, ui


def test_the_command_runs_the_app_headless_on_the_chosen_address() -> None:
    command = streamlit_command(8600, "127.0.0.1")
    assert command[1:4] == ["-m", "copilot.ui.launch", "run"] and command[4] == str(APP_PATH)
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.headless") + 1] == "true"
    assert APP_PATH.is_file()


def test_an_unknown_model_is_refused_before_anything_starts() -> None:
    app = typer.Typer()
    app.command()(ui)
    result = CliRunner().invoke(app, ["--model", "claude"])
    assert result.exit_code == 2
    text = " ".join(result.output.replace("│", " ").split())  # the message is wrapped in a box
    assert "unknown model 'claude'" in text


@pytest.mark.slow  # the launcher opens a throwaway session first (a few seconds on 2 cores)
def test_the_launcher_warms_up_then_hands_its_arguments_to_streamlit() -> None:
    command = streamlit_command(8600, "127.0.0.1")
    result = subprocess.run([*command[:3], "version"], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert f"Streamlit, version {streamlit.__version__}" in result.stdout
