"""The offline planner solves every instruction-following task of the suite (its canonical wording), judged by the
suite's own checks against the twin's ground truth. The judgement tasks (planning, feasibility, fix-and-measure,
tuning) are for language models and are not held to this."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from copilot.eval.results import EpisodeResult
from copilot.eval.runner import RunConfig, run_suite
from copilot.eval.task import Task, builtin_task_dir, load_tasks

INSTRUCTION_FILES = (
    "acquisition",
    "afm",
    "alignment",
    "analysis",
    "dose_limited",
    "fault_recovery",
    "multi_step",
    "parameter_setting",
    "safety_refusal",
    "spectroscopy",
)
"""The task files whose tasks say what to do (the others ask for a judgement)."""

TASKS: list[Task] = [task for name in INSTRUCTION_FILES for task in load_tasks(builtin_task_dir() / f"{name}.yaml")]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EpisodeResult]:
    """One offline run over the instruction tasks (first wording, two episodes at a time), by task id."""
    out: Path = tmp_path_factory.mktemp("offline-instruction-tasks")
    cfg = RunConfig(model="offline", out_dir=out, all_paraphrases=False, concurrency=2)
    return {r.task_id: r for r in asyncio.run(run_suite(TASKS, cfg))}


def test_every_instruction_file_holds_tasks() -> None:
    files = {Path(task.source.split(":")[0]).stem for task in TASKS}
    assert files == set(INSTRUCTION_FILES)
    assert len(TASKS) >= 60


@pytest.mark.parametrize("task", TASKS, ids=[task.id for task in TASKS])
def test_the_offline_planner_passes_the_instruction_task(task: Task, results: dict[str, EpisodeResult]) -> None:
    result = results[task.id]
    assert result.success, [f"{c.kind}: {c.detail}" for c in result.failed_checks] + result.errors + [result.answer]
