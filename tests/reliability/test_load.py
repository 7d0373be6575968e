"""The HTTP server on 127.0.0.1 under 16 concurrent clients: zero errors and a consistent journal and store."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import pytest

from copilot.bench.core import BenchReport
from copilot.bench.load import LoadPlan, LoadResult, consistency_problems, run_load, serving

pytestmark = pytest.mark.slow

PLAN = LoadPlan(clients=16, calls_per_client=12, seed=1, time_limit_s=120.0)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadResult]:
    """One load run shared by the tests of this module (the server is stopped before they look at the files)."""
    data_dir = tmp_path_factory.mktemp("load") / "data"
    with serving(data_dir) as (url, _proc):
        result = asyncio.run(run_load(url, PLAN))
    return data_dir, result


def test_sixteen_concurrent_clients_get_no_errors(loaded: tuple[Path, LoadResult]) -> None:
    _, result = loaded
    assert len([r for r in result.records if r.client >= 0]) == PLAN.clients * PLAN.calls_per_client
    assert {r.client for r in result.records} == {-1, *range(PLAN.clients)}
    assert result.errors == []
    assert len(result.acquired) > PLAN.clients  # the mix really acquired, concurrently


def test_journal_store_and_status_agree_with_what_the_clients_were_told(loaded: tuple[Path, LoadResult]) -> None:
    data_dir, result = loaded
    assert consistency_problems(data_dir, result) == []


def test_latency_percentiles_are_ordered_and_finite(loaded: tuple[Path, LoadResult]) -> None:
    _, result = loaded
    p = result.latency_percentiles_s()
    assert all(math.isfinite(v) and v > 0 for v in p.values())
    assert p[50] <= p[95] <= p[99] <= max(r.latency_s for r in result.records)


def test_the_consistency_check_notices_a_lost_file_and_a_phantom_journal_line(
    loaded: tuple[Path, LoadResult], tmp_path: Path
) -> None:
    data_dir, result = loaded
    copy = tmp_path / "data"
    (copy / "acquisitions").mkdir(parents=True)
    lost = result.acquired[0].acq_id
    for f in (data_dir / "acquisitions").glob("a*.hspy"):
        if f.stem != lost:
            (copy / "acquisitions" / f.name).write_bytes(f.read_bytes())
    lines = (data_dir / "journal.jsonl").read_text().splitlines()
    phantom = {**json.loads(lines[-1]), "seq": len(lines) + 1, "tool": "set_scan", "ok": True}
    (copy / "journal.jsonl").write_text("\n".join([*lines, json.dumps(phantom), '{"seq": torn']) + "\n")
    problems = "\n".join(consistency_problems(copy, result))
    assert f"missing {{'{lost}'}}" in problems
    assert "set_scan: clients saw" in problems
    assert "1 journal line(s) do not parse" in problems


def test_the_bench_area_reports_percentiles_errors_and_consistency(monkeypatch: pytest.MonkeyPatch) -> None:
    from copilot.bench import load

    monkeypatch.setattr(load, "BENCH_PLAN", LoadPlan(clients=4, calls_per_client=5, time_limit_s=60.0))
    report = BenchReport()
    load.run(report)
    names = [row.name for row in report.rows]
    assert [n.split(" ")[0] for n in names[:3]] == ["p50", "p95", "p99"]
    assert all(row.group == "load" for row in report.rows)
    verdicts = {row.name: row.ok for row in report.rows if row.ok is not None}
    assert verdicts == {"tool errors": True, "journal/store/status disagreements": True}
