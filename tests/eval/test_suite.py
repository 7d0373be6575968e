"""The shipped task suite: its shape, and every reference solution solves its task (every task is solvable)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from copilot.eval.runner import RunConfig, run_episode, run_suite
from copilot.eval.scoring import build_check, truth_requests
from copilot.eval.task import CATEGORIES, Task, load_tasks
from copilot.eval.truth import PROVIDERS


def test_the_suite_has_enough_stem_and_afm_tasks_in_every_category() -> None:
    tasks = load_tasks()
    by_instrument = Counter(t.instrument for t in tasks)
    assert by_instrument["stem"] >= 40 and by_instrument["afm"] >= 10
    assert set(CATEGORIES) <= {t.category for t in tasks}
    assert all(len(t.instructions) >= 2 for t in tasks)
    assert all(len(set(t.instructions)) == len(t.instructions) for t in tasks)


def test_every_check_builds_and_names_a_known_ground_truth() -> None:
    for task in load_tasks():
        for spec in task.checks:
            build_check(spec)
        unknown = [name for name, _ in truth_requests(list(task.checks)) if name not in PROVIDERS]
        assert not unknown, f"{task.source}: unknown ground truth {unknown}"


def test_suites_can_be_selected_by_category_instrument_and_id_prefix() -> None:
    assert {t.category for t in load_tasks("alignment")} == {"alignment"}
    assert {t.instrument for t in load_tasks("afm")} == {"afm"}
    assert all(t.id.startswith("stem-param") for t in load_tasks("stem-param"))


SUITE = load_tasks()
# Task id -> the limit of the tools or the twin that keeps its reference solution from passing (strict xfail).
KNOWN_FAILURES: dict[str, str] = {}  # none today: every reference solution passes its own checks


def _case(task: Task) -> Any:
    """A suite task as a test case; a known failure of the current twin is expected to fail (strictly)."""
    reason = KNOWN_FAILURES.get(task.id)
    marks = [pytest.mark.xfail(strict=True, reason=f"known limit: {reason}")] if reason else []
    return pytest.param(task, id=task.id, marks=marks)


@pytest.mark.parametrize("task", [_case(t) for t in SUITE])
async def test_the_reference_solution_passes_its_own_checks(task: Task, tmp_path: Path) -> None:
    cfg = RunConfig(model="reference", out_dir=tmp_path, all_paraphrases=False)
    r = await run_episode(task, 0, 0, cfg)
    assert r.success, [f"{c.kind}: {c.detail}" for c in r.failed_checks] + r.errors
    assert task.id.startswith("stem-fault") or (not r.sleepwalking and r.invalid_calls == 0)


async def test_episodes_are_deterministic_per_seed(tmp_path: Path) -> None:
    tasks = load_tasks("stem-fault-fast-drift")
    cfg = RunConfig(model="reference", out_dir=tmp_path, all_paraphrases=False, trials=2)
    first = await run_suite(tasks, cfg)
    again = await run_suite(tasks, cfg)
    assert [r.answer for r in first] == [r.answer for r in again]
    assert first[0].seed != first[1].seed and first[0].answer != first[1].answer
