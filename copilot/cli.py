"""The `copilot` command: serve the MCP tools, chat, evaluate, open the UI, benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from copilot.agent.cli import chat
from copilot.eval.cli import eval_app
from copilot.tools.cli import serve
from copilot.ui.cli import ui

app = typer.Typer(
    name="copilot",
    help="Microscope Copilot: a language-model agent that runs a digital-twin microscope through MCP tools.",
    no_args_is_help=True,
    add_completion=False,
)
app.command(help="Serve the microscope tools over MCP: stdio (default) or streamable HTTP.")(serve)
app.command(help="Chat with the microscope in the terminal (or one turn with --once).")(chat)
app.command(help="Open the chat UI in the browser.")(ui)
app.add_typer(eval_app, name="eval")


@app.command()
def bench(
    areas: Annotated[
        list[str] | None, typer.Argument(help="Areas to run, e.g. `copilot bench accuracy` (default: all).")
    ] = None,
    area: Annotated[
        list[str] | None,
        typer.Option("--area", "-a", help="Only these areas (twin, afm, server, load, accuracy)."),
    ] = None,
) -> None:
    """Print the speed figures as medians, with same-run reference ratios and targets, and the analysis
    accuracy against the twin's ground truth (error, precision, recall)."""
    from copilot.bench.runner import render, run_areas

    console = Console()
    chosen = [*(areas or []), *(area or [])]
    with console.status("benchmarking...") as status:
        report = run_areas(chosen, progress=lambda name: status.update(f"benchmarking {name}..."))
    render(report, console)
    if not report.all_ok:
        console.print("[yellow]some figures miss their targets[/yellow]")


@app.command()
def gallery(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the PNG files.")] = Path("docs/specimens"),
    seed: Annotated[int, typer.Option(help="Random seed of every specimen.", min=0)] = 0,
) -> None:
    """Render every specimen (STEM survey and atomic views, AFM height maps) as PNG files."""
    from copilot.gallery import render_gallery

    console = Console()
    with console.status("rendering...") as status:
        pictures = render_gallery(out, seed, progress=lambda name: status.update(f"rendering {name}..."))
    for picture in pictures:
        console.print(f"{picture.specimen:20s} {picture.view:7s} FOV {picture.fov_nm:g} nm -> {picture.path}")


def main() -> None:
    app()
