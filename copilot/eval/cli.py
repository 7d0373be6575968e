"""`copilot eval`: run the task suite against a model and write the reports; `copilot eval compare A B`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from copilot.eval.tables import COMPACT_COLUMNS, compact_row, pct

eval_app = typer.Typer(
    help="Measure how well an agent solves microscope tasks on the twin, judged against ground truth.",
    invoke_without_command=True,
    add_completion=False,
)


def run_label(model: str) -> str:
    """How the model is named in reports: the agent's own label, or the reference replay."""
    from copilot.agent.models import model_label
    from copilot.eval.replay import REFERENCE_LABEL
    from copilot.eval.runner import REFERENCE

    return REFERENCE_LABEL if model == REFERENCE else model_label(model)


def check_model(model: str) -> None:
    """Fail before any episode runs when the model string cannot be used (unknown provider, no key)."""
    from copilot.agent.models import build_chat_model
    from copilot.eval.runner import REFERENCE

    if model != REFERENCE:
        build_chat_model(model)


@eval_app.callback()
def run(
    ctx: typer.Context,
    model: Annotated[
        str,
        typer.Option("--model", "-m", help="offline | openai:<model> | reference (replays the reference solutions)"),
    ] = "offline",
    tasks: Annotated[
        str,
        typer.Option("--tasks", "-t", help="all, a category, stem/afm, a task id prefix, a YAML file or a directory"),
    ] = "all",
    trials: Annotated[int, typer.Option("--trials", "-k", min=1, help="trials per instruction")] = 1,
    concurrency: Annotated[int, typer.Option("--concurrency", "-n", min=1, help="episodes run in parallel")] = 2,
    out: Annotated[Path, typer.Option("--out", "-o", help="directory for the reports and every run's files")] = Path(
        "eval-out"
    ),
    first_paraphrase_only: Annotated[
        bool, typer.Option("--first-paraphrase-only", help="run only the canonical wording of each task")
    ] = False,
    backend: Annotated[
        str, typer.Option("--backend", help="local (asyncio, one process) | ray (one Ray task per episode)")
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="join this Ray cluster (default: start a local one)")
    ] = None,
    usd_per_mtok: Annotated[
        str | None,
        typer.Option("--usd-per-mtok", help="model prices 'INPUT,OUTPUT' in USD per million tokens, for the cost"),
    ] = None,
) -> None:
    """Run the suite and write report.json, report.md and report.html into --out; every episode's transcript,
    journal and images are kept under --out/runs/."""
    if ctx.invoked_subcommand is not None:
        return
    from copilot.eval.runner import RunConfig, episodes_of, run_suite
    from copilot.eval.task import TaskFileError, load_tasks

    console = Console()
    try:
        suite = load_tasks(tasks)
        check_model(model)
        prices = parse_prices(usd_per_mtok)
        if backend not in ("local", "ray"):
            raise ValueError(f"unknown backend {backend!r}; choose local or ray")
    except (TaskFileError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    cfg = RunConfig(
        model=model,
        trials=trials,
        concurrency=concurrency,
        out_dir=out,
        all_paraphrases=not first_paraphrase_only,
        usd_per_mtok=prices,
        extra={"tasks": tasks, "backend": backend},
    )
    total = len(episodes_of(suite, cfg))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task(f"{model} ({backend}): {len(suite)} tasks", total=total)
        if backend == "ray":
            from copilot.eval.ray_backend import RayUnavailableError, run_suite_ray

            try:
                results = run_suite_ray(suite, cfg, ray_address, on_done=lambda r: progress.advance(bar))
            except RayUnavailableError as exc:
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(2) from exc
        else:
            results = asyncio.run(run_suite(suite, cfg, on_done=lambda r: progress.advance(bar)))
    show_report(console, out, results, run_label(model), cfg.describe())


def parse_prices(text: str | None) -> tuple[float, float] | None:
    """``"2.5,10"`` -> (2.5, 10.0) USD per million input / output tokens; ``ValueError`` saying the form."""
    if text is None:
        return None
    try:
        first, second = (float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"--usd-per-mtok takes 'INPUT,OUTPUT' prices such as 2.5,10 (got {text!r})") from None
    if first < 0 or second < 0:
        raise ValueError(f"--usd-per-mtok prices cannot be negative (got {text!r})")
    return (first, second)


def show_report(console: Console, out: Path, results: list[Any], label: str, config: dict[str, Any]) -> None:
    """Write the reports of a run and print its summary table and the report paths."""
    from copilot.eval.report import write_reports

    report, paths = write_reports(out, results, label, config)
    table = Table(*COMPACT_COLUMNS, title=f"Evaluation of {report['model']}")
    for row in [*report["categories"], report["overall"]]:
        table.add_row(*compact_row(row))
    console.print(table)
    for kind, path in paths.items():
        console.print(f"{kind}: {path}")


@eval_app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="the earlier report.json")],
    b: Annotated[Path, typer.Argument(help="the later report.json")],
) -> None:
    """Show what changed between two runs: rates overall, per category and per task, and flipped episodes."""
    from copilot.eval.compare import compare_reports, flipped_episodes
    from copilot.eval.report import load_report

    console = Console()
    try:
        ra, rb = load_report(a), load_report(b)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    table = Table(
        "section",
        "name",
        "pass@1 A",
        "pass@1 B",
        "change",
        "partial A",
        "partial B",
        title=f"{ra['model']} ({a}) -> {rb['model']} ({b})",
    )
    for c in compare_reports(ra, rb):
        if c.section == "task" and c.pass_a == c.pass_b and c.partial_a == c.partial_b:
            continue
        colour = "green" if c.delta > 0 else "red" if c.delta < 0 else "white"
        cells = [
            "-" if v is None else pct(v) if i < 2 else f"{v:.2f}"
            for i, v in enumerate((c.pass_a, c.pass_b, c.partial_a, c.partial_b))
        ]
        table.add_row(
            c.section, c.name, cells[0], cells[1], f"[{colour}]{100 * c.delta:+.0f} pts[/{colour}]", cells[2], cells[3]
        )
    console.print(table)
    fixed, broken = flipped_episodes(ra, rb)
    console.print(f"fixed ({len(fixed)}): {', '.join(fixed) or '-'}")
    console.print(f"broken ({len(broken)}): {', '.join(broken) or '-'}")


@eval_app.command("replay")
def replay_run(
    run_dir: Annotated[Path, typer.Argument(help="the --out directory of an earlier run (report.json and runs/)")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="where to write the re-scored reports (default RUN/replay)")
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-n", min=1, help="episodes run in parallel")] = 2,
) -> None:
    """Re-score a run's recorded transcripts offline (no model, no key): replay each episode's tool calls on a
    fresh twin with its seed, judge its recorded answer with today's checks, and list verdicts that changed."""
    from copilot.eval.rescore import disagreements, rescore_run
    from copilot.eval.task import TaskFileError

    console = Console()
    target = out or run_dir / "replay"
    try:
        report, results = asyncio.run(rescore_run(run_dir, target, concurrency))
    except (TaskFileError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    show_report(
        console,
        target,
        results,
        f"{report['model']} (replayed)",
        {**report.get("config", {}), "replay_of": str(run_dir)},
    )
    changed = disagreements(report, results)
    console.print(f"replayed {len(results)} recorded episodes; verdicts that differ from the recording: {len(changed)}")
    for key in changed:
        console.print(f"  {key}")


@eval_app.command()
def models(
    reports: Annotated[list[Path], typer.Argument(help="report.json files of runs of the same suite")],
    out: Annotated[Path, typer.Option("--out", "-o", help="directory for models.md and models.html")] = Path(
        "eval-out"
    ),
) -> None:
    """One comparison page across models: pass@1 with its interval, pass^k, partial credit, tokens, cost, and
    pass@1 per category side by side."""
    from copilot.eval.models_page import OVERVIEW_HEADER, overview_row, render_models_html, render_models_markdown
    from copilot.eval.report import load_report

    console = Console()
    try:
        loaded = [load_report(p) for p in reports]
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    out.mkdir(parents=True, exist_ok=True)
    (out / "models.md").write_text(render_models_markdown(loaded), encoding="utf-8")
    (out / "models.html").write_text(render_models_html(loaded), encoding="utf-8")
    table = Table(*OVERVIEW_HEADER, title="Models compared")
    for report in loaded:
        table.add_row(*overview_row(report))
    console.print(table)
    console.print(f"markdown: {out / 'models.md'}\nhtml: {out / 'models.html'}")
