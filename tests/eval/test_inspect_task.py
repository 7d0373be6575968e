"""The suite as an inspect-ai task: a scripted model that plays a task's reference solution through inspect's tool
loop gets the verdict, partial credit and answer of the local runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("inspect_ai")

from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, ModelUsage, get_model

from copilot.eval import inspect_task
from copilot.eval.replay import render_answer, resolve_args
from copilot.eval.runner import RunConfig, run_episode
from copilot.eval.task import Task, load_tasks

MOCK = "mockllm/model"
# inspect-ai's own dependencies (tenacity's retry settings) announce deprecations we cannot fix
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def reference_outputs(task: Task) -> Iterator[ModelOutput]:
    """The reference solution as model turns: one tool call per turn, each reading the results of the earlier
    ones from the sample's live episode, then the answer."""
    saved: dict[str, Any] = {}
    for step in task.reference_calls:
        yield _counted(ModelOutput.for_tool_call(MOCK, step.tool, resolve_args(step.args, saved)))
        (live,) = inspect_task._LIVE.values()
        if step.save_as:
            saved[step.save_as] = live.collector.calls[-1].data
    yield _counted(ModelOutput.from_content(MOCK, render_answer(task.reference_answer, saved)))


def _counted(output: ModelOutput) -> ModelOutput:
    """A scripted turn with its token usage given (else the mock model counts tokens with a downloaded encoding)."""
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output


def test_tool_parameters_keep_what_inspect_holds() -> None:
    schema = {
        "type": "object",
        "properties": {
            "fov_nm": {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "null"}], "title": "Fov Nm"},
            "detector": {"enum": ["HAADF", "BF"], "type": "string", "default": "HAADF"},
        },
        "required": ["detector"],
    }
    params = inspect_task.tool_params(schema)
    assert params.required == ["detector"]
    assert params.properties["fov_nm"].anyOf is not None and params.properties["fov_nm"].anyOf[0].minimum == 0
    assert params.properties["detector"].enum == ["HAADF", "BF"]


def test_every_task_wording_is_one_sample() -> None:
    tasks = load_tasks("stem-param")
    assert len(inspect_task.samples(tasks)) == sum(len(t.instructions) for t in tasks)
    assert len(inspect_task.samples(tasks, all_paraphrases=False)) == len(tasks)


@pytest.mark.parametrize(
    "task_id", ["stem-ana-lattice-graphene", "afm-fix-then-step-2701", "feas-si-eels-under-critical-dose"]
)
def test_the_reference_played_through_inspect_scores_as_in_the_local_runner(task_id: str, tmp_path: Path) -> None:
    task = next(t for t in load_tasks(task_id) if t.id == task_id)
    local = __import__("asyncio").run(run_episode(task, 0, 0, RunConfig(model="reference", out_dir=tmp_path / "local")))
    model = get_model(MOCK, custom_outputs=reference_outputs(task))
    evaluated = inspect_task.microscope_copilot(tasks=task_id, all_paraphrases=False, out_dir=str(tmp_path / "out"))
    (log,) = inspect_eval(evaluated, model=model, log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    (sample,) = log.samples or []
    score = sample.scores["twin_checks"]
    assert score.value == int(local.success) == 1, score.explanation
    assert score.metadata["partial_credit"] == pytest.approx(local.score)
    assert score.answer == local.answer
    assert (tmp_path / "out" / "runs" / task_id / "p0-t0" / "transcript.jsonl").is_file()
