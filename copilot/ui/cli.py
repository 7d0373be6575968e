"""``copilot ui``: open the Streamlit chat front end (``app.py``) on a local port."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from copilot.ui.settings import DATA_DIR_ENV, MCP_URL_ENV, MODEL_ENV, ModelChoice

APP_PATH = Path(__file__).resolve().parents[2] / "app.py"


def streamlit_command(port: int, host: str, app_path: Path = APP_PATH) -> list[str]:
    """The ``streamlit run`` command line for the app (headless, no usage statistics, no source watcher), through
    ``copilot.ui.launch``: the server imports what a session needs before it answers, not on the first page."""
    return [
        sys.executable,
        "-m",
        "copilot.ui.launch",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",  # a running page never reloads its modules (state would hold stale classes)
        "none",
    ]


def ui(
    port: Annotated[int, typer.Option(help="Port of the web page.", min=1, max=65535)] = 8501,
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1 keeps it local).")] = "127.0.0.1",
    model: Annotated[str, typer.Option(help="'offline' (no key) or 'openai:<model>' preselected in the page.")] = (
        "offline"
    ),
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder for session data (default ~/.microscope-copilot/sessions).")
    ] = None,
    mcp_url: Annotated[str, typer.Option(help="Preset URL of a running `copilot serve --transport http`.")] = "",
) -> None:
    """Open the chat with the microscope in the browser (http://HOST:PORT)."""
    try:
        ModelChoice.from_string(model)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--model") from exc
    if not APP_PATH.is_file():
        raise typer.BadParameter(f"app.py not found at {APP_PATH}; run from a source checkout (pip install -e .)")
    env = dict(os.environ, **{MODEL_ENV: model, MCP_URL_ENV: mcp_url})
    if data_dir is not None:
        env[DATA_DIR_ENV] = str(data_dir.expanduser().resolve())
    typer.echo(f"Microscope Copilot on http://{host}:{port} (model: {model}); Ctrl+C stops it.")
    try:
        raise typer.Exit(subprocess.call(streamlit_command(port, host), env=env))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
