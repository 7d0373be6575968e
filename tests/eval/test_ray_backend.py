"""The Ray backend runs episodes as Ray tasks on a local cluster and gives the local runner's results."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.eval.runner import RunConfig, run_suite
from copilot.eval.task import load_tasks

ray = pytest.importorskip("ray")

TASKS = ("stem-param-energy", "feas-bonds-over-20um", "afm-scan-settings")


def verdicts(results: list) -> list[tuple]:
    return [
        (r.key, r.success, round(r.score, 9), r.answer, [(c.kind, c.passed, c.detail) for c in r.checks])
        for r in results
    ]


@pytest.mark.slow
async def test_ray_tasks_give_the_same_results_as_the_local_runner(tmp_path: Path) -> None:
    from copilot.eval.ray_backend import run_suite_ray

    tasks = [t for name in TASKS for t in load_tasks(name)]
    local = await run_suite(tasks, RunConfig(model="reference", out_dir=tmp_path / "local", all_paraphrases=False))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        cfg = RunConfig(model="reference", out_dir=tmp_path / "ray", all_paraphrases=False)
        seen: list[str] = []
        remote = run_suite_ray(tasks, cfg, on_done=lambda r: seen.append(r.key))
    finally:
        ray.shutdown()
    assert verdicts(remote) == verdicts(local)
    assert sorted(seen) == sorted(r.key for r in local)
    assert all((tmp_path / "ray" / "runs" / t.id / "p0-t0" / "transcript.jsonl").exists() for t in tasks)
