"""Timing primitives and the report that `copilot bench` prints.

Figures are medians of repeated runs. A figure with a target states it as a ratio to a reference measured in the
same run (so a slower machine does not fail a fair target) or as an absolute limit.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def median_seconds(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


@dataclass
class Row:
    group: str
    name: str
    value: float  # seconds for timings, or the unit named in ``unit``
    unit: str = "ms"
    target: str = ""  # human text, e.g. "<= 2x reference"
    ok: bool | None = None  # None when the row has no target


@dataclass
class BenchReport:
    rows: list[Row] = field(default_factory=list)

    def timing(
        self,
        group: str,
        name: str,
        seconds: float,
        *,
        limit_s: float | None = None,
        reference_s: float | None = None,
        max_ratio: float | None = None,
        reference_name: str = "reference",
    ) -> Row:
        """Record a median time; judge it against an absolute limit or a ratio to a same-run reference."""
        target, ok = "", None
        if reference_s is not None and max_ratio is not None:
            ratio = seconds / reference_s
            target = f"{ratio:.2f}x {reference_name} (target <= {max_ratio:g}x)"
            ok = ratio <= max_ratio
        elif limit_s is not None:
            target = f"target <= {limit_s * 1e3:g} ms"
            ok = seconds <= limit_s
        row = Row(group, name, seconds * 1e3, "ms", target, ok)
        self.rows.append(row)
        return row

    def value(self, group: str, name: str, value: float, unit: str, target: str = "", ok: bool | None = None) -> Row:
        """Record a non-time figure (memory in MB, a rate, a count)."""
        row = Row(group, name, value, unit, target, ok)
        self.rows.append(row)
        return row

    @property
    def all_ok(self) -> bool:
        return all(r.ok is not False for r in self.rows)
