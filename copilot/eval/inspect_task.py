"""The suite as an inspect-ai task, so agent developers can run it in their own harness (``pip install inspect-ai``).

``inspect eval copilot/eval/inspect_task.py --model openai/gpt-4o-mini`` runs every task wording as one sample.
Each sample gets its own twin: :func:`twin_tools` (a solver) opens a :class:`~copilot.eval.live.LiveEpisode` with the
task's specimen, seed and set-up, and gives the model the server's MCP tools as inspect tools (images come back as
image content); any agent that uses ``state.tools`` can follow it (the default is inspect's tool loop,
``generate(tool_calls="loop")``). :func:`twin_checks` (the scorer) takes the last assistant message as the answer
and judges the episode with the same checks and ground truth as ``copilot eval``: the score is 1 when every check
passes, its metadata holds the partial credit and each check's verdict. Task options (``-T``): ``tasks`` (as for
``copilot eval --tasks``), ``all_paraphrases`` (false: the canonical wording only), ``trial`` (the seed offset) and
``out_dir`` (where each episode's transcript and journal go).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from inspect_ai import Task as InspectTask
from inspect_ai import task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ContentImage, ContentText
from inspect_ai.scorer import Score, Target, accuracy, scorer, stderr
from inspect_ai.solver import Generate, Solver, TaskState, generate, solver, system_message
from inspect_ai.tool import Tool, ToolDef, ToolError, ToolParams

from copilot.eval.live import LiveEpisode
from copilot.eval.runner import RUNAWAY_FACTOR
from copilot.eval.task import Task, load_tasks

SYSTEM = (
    "You operate a digital-twin microscope (STEM or AFM) through its tools. Carry out the user's request by calling "
    "the tools, measure what you report, and finish with a plain-text answer that states the numbers with their "
    "units and the acquisition ids they come from. Decline, with the physical reason quantified, a request that "
    "cannot be done within its limits."
)
LABEL = "inspect-ai"
# JSON-schema keys inspect's ToolParam holds; the rest (title, $schema, ...) is dropped.
_PARAM_KEYS = frozenset({"type", "format", "description", "default", "enum", "items", "additionalProperties"})
_PARAM_KEYS |= {"anyOf", "required", "pattern", "minLength", "maxLength", "minimum", "maximum", "examples"}
_LIVE: dict[str, LiveEpisode] = {}  # by the sample's uuid, from the solver to the scorer


def _param(schema: Any) -> Any:
    """A JSON schema reduced to what inspect's ToolParam holds (exclusive bounds become inclusive ones)."""
    if isinstance(schema, list):
        return [_param(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _param(v) if k in ("items", "anyOf") else v for k, v in schema.items() if k in _PARAM_KEYS}
    if "properties" in schema:
        out["properties"] = {k: _param(v) for k, v in schema["properties"].items()}
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if exclusive in schema and bound not in out:
            out[bound] = schema[exclusive]
    return out


def tool_params(input_schema: dict[str, Any]) -> ToolParams:
    """inspect parameters of an MCP tool's input schema (a parameter without a description is described by its
    title, as inspect requires one)."""
    properties = {}
    for name, schema in (input_schema.get("properties") or {}).items():
        param = _param(schema)
        param.setdefault("description", str(schema.get("title") or name.replace("_", " ")))  # inspect needs one
        properties[name] = param
    return ToolParams(
        properties=properties,
        required=list(input_schema.get("required") or []),
    )


def samples(tasks: list[Task], all_paraphrases: bool = True) -> list[Sample]:
    """One sample per task wording; the metadata names the task, its wording and category."""
    return [
        Sample(
            input=t.instruction(p),
            id=f"{t.id}#p{p}",
            metadata={"task_id": t.id, "paraphrase": p, "category": t.category, "instrument": t.instrument},
        )
        for t in tasks
        for p in range(len(t.instructions) if all_paraphrases else 1)
    ]


def _b64(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


def _inspect_tool(live: LiveEpisode, name: str, description: str, schema: dict[str, Any]) -> Tool:
    limit = RUNAWAY_FACTOR * live.task.budgets.max_steps

    async def execute(**kwargs: Any) -> str | list[ContentText | ContentImage]:
        if len(live.collector.calls) >= limit:
            live.outcome = "step_limit"
            raise ToolError(f"The step budget of this task is used up ({limit} tool calls); give your answer now.")
        result = await live.call(name, {k: v for k, v in kwargs.items() if v is not None})
        if not result.ok:
            raise ToolError(result.text or str(result.data.get("error", "the tool failed")))
        pictures = [
            ContentImage(image=f"data:image/png;base64,{base64.b64encode(im.png).decode()}") for im in result.images
        ]
        return [ContentText(text=result.text or str(result.data)), *pictures] if pictures else result.text

    return ToolDef(execute, name=name, description=description, parameters=tool_params(schema)).as_tool()


@solver
def twin_tools(trial: int = 0, out_dir: str = "inspect-out") -> Solver:
    """Open the sample's twin (specimen, seed + ``trial``, set-up, faults) and give the model its MCP tools; the
    episode's transcript and journal are kept in ``out_dir/runs/<task>/p<paraphrase>-t<trial>/``."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = state.metadata
        chosen = load_tasks(str(meta["task_id"]))
        task_ = next(t for t in chosen if t.id == meta["task_id"])
        run_dir = Path(out_dir) / "runs" / task_.id / f"p{meta['paraphrase']}-t{trial}"
        live = LiveEpisode(task_, int(meta["paraphrase"]), trial, run_dir)
        await live.__aenter__()
        _LIVE[state.uuid] = live
        await live.set_up()
        state.tools = [_inspect_tool(live, t.name, t.description or "", t.input_schema) for t in live.tools]
        return state

    return solve


@scorer(metrics=[accuracy(), stderr()])
def twin_checks() -> Any:
    """Judge the sample's episode with the task's checks against the twin's ground truth: 1 when every check
    passes; the metadata holds the partial credit (mean check score) and every check's verdict."""

    async def score(state: TaskState, target: Target) -> Score:
        live = _LIVE.pop(state.uuid, None)
        if live is None:
            return Score(value=0, explanation="the sample's twin was never opened (twin_tools did not run)")
        answer = state.output.completion if state.output else ""
        live.answer(answer, f"{LABEL}:{state.model}")  # tokens and cost: inspect's own log keeps them
        await live.__aexit__(None, None, None)
        r = live.finish(live.outcome)
        failed = [f"{c.kind}: {c.detail}" for c in r.checks if not c.passed]
        return Score(
            value=int(r.success),
            answer=answer,
            explanation="; ".join(failed) or "every check passed",
            metadata={
                "partial_credit": r.score,
                "outcome": r.outcome,
                "checks": [{"kind": c.kind, "passed": c.passed, "detail": c.detail} for c in r.checks],
            },
        )

    return score


@task
def microscope_copilot(
    tasks: str = "all", all_paraphrases: bool = True, trial: int = 0, out_dir: str = "inspect-out"
) -> InspectTask:
    """The Microscope Copilot suite: every chosen task wording as a sample on its own seeded twin."""
    chosen = load_tasks(tasks)
    return InspectTask(
        dataset=MemoryDataset(samples(chosen, all_paraphrases), name="microscope-copilot"),
        solver=[twin_tools(trial, out_dir), system_message(SYSTEM), generate(tool_calls="loop")],
        scorer=twin_checks(),
    )
