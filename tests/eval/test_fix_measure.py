"""The STEM "correct the hidden astigmatism, then measure" tasks: the search, and that skipping it fails."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from copilot.eval.results import episode_key
from copilot.eval.runner import RunConfig, run_episode
from copilot.eval.stigmate_search import polar
from copilot.eval.task import ToolStep, load_tasks


@pytest.mark.parametrize(("ax", "ay"), [(3.0, 0.0), (0.0, 4.0), (-2.0, -2.0), (-5.0, 1.0)])
def test_polar_stigmator_settings_are_the_twofold_components(ax: float, ay: float) -> None:
    a1, deg = polar(ax, ay)
    assert a1 == pytest.approx(math.hypot(ax, ay), abs=0.01)
    assert (a1 * math.cos(math.radians(2 * deg)), a1 * math.sin(math.radians(2 * deg))) == pytest.approx(
        (ax, ay), abs=0.02
    )


def test_the_reference_is_a_search_that_ends_on_one_of_its_trial_settings() -> None:
    for task in load_tasks("stem-fix-astig"):
        trials = [s for s in task.reference_calls if s.tool == "set_optics"]
        assert len(trials) >= 15, task.id  # a search, not one setting
        assert trials[-1].save_as == "fix" and trials[-1].args in [t.args for t in trials[:-1]], task.id


async def test_counting_without_stigmating_fails_the_task(tmp_path: Path) -> None:
    task = load_tasks("stem-fix-astig-count-2903")[0]
    skip = [
        ToolStep("set_scan", {"fov_nm": 8, "pixels": 512}),
        ToolStep("acquire_image", {"detector": "HAADF"}, save_as="img"),
        ToolStep("find_atoms", save_as="atoms"),
    ]
    answer = "In {img.id} I count {atoms.atom_count} atomic columns."
    cfg = RunConfig(
        model="recorded",
        out_dir=tmp_path,
        all_paraphrases=False,
        recordings={episode_key(task.id, 0, 0): (skip, answer)},
    )
    r = await run_episode(task, 0, 0, cfg)
    verdicts = {c.kind: c.passed for c in r.checks}
    assert not r.success and verdicts["measure"] is False and verdicts["fact"] is False, r.checks
