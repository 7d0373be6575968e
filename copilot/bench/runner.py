"""Run every benchmark area and print one table of medians."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.table import Table

from copilot.bench.core import BenchReport

# Each module exposes ``run(report: BenchReport) -> None``.
AREAS: dict[str, str] = {
    "twin": "copilot.bench.twin",
    "afm": "copilot.bench.afm",
    "server": "copilot.bench.server",
    "load": "copilot.bench.load",
    "accuracy": "copilot.bench.accuracy",
    "ui": "copilot.bench.ui",
}


def run_areas(names: Sequence[str], progress: Callable[[str], None] | None = None) -> BenchReport:
    """Measure the named areas (all when ``names`` is empty) into one report."""
    unknown = [n for n in names if n not in AREAS]
    if unknown:
        raise ValueError(f"unknown bench area(s) {unknown}; choose from {sorted(AREAS)}")
    report = BenchReport()
    for name in names or list(AREAS):
        if progress is not None:
            progress(name)
        module = importlib.import_module(AREAS[name])
        module.run(report)
    return report


def render(report: BenchReport, console: Console) -> None:
    """Print the report as a table: group, figure, median, target and verdict."""
    table = Table(title="copilot bench (medians)")
    for col in ("area", "figure", "median", "target", "ok"):
        table.add_column(col)
    for row in report.rows:
        verdict = "" if row.ok is None else ("yes" if row.ok else "NO")
        table.add_row(row.group, row.name, f"{row.value:.3g} {row.unit}", row.target, verdict)
    console.print(table)
