"""Evaluation tasks as data: the model of a task and the loader that validates YAML files against the schema.

A task file holds ``tasks: [...]``. The loader composes the YAML node tree first so that every schema error can be
reported with the file and line of the offending node, validates with ``task.schema.json``, and then builds frozen
:class:`Task` objects. Task ids must be unique across everything loaded together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

TASKS_PACKAGE_DIR = "tasks"
# libyaml's safe loader when PyYAML was built with it (ten times faster on the suite), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CATEGORIES = (
    "parameter_setting",
    "acquisition",
    "analysis",
    "alignment",
    "spectroscopy",
    "multi_step_planning",
    "dose_limited",
    "safety_refusal",
    "fault_recovery",
    "feasibility",
)


class TaskFileError(ValueError):
    """A task file is malformed. The message names the file and line and says what to fix."""


@dataclass(frozen=True)
class ToolStep:
    """One tool call of a reference solution or a set-up: ``$name.field`` strings refer to earlier results."""

    tool: str
    args: dict[str, Any] = field(default_factory=dict)
    save_as: str | None = None
    expect_error: bool = False


@dataclass(frozen=True)
class Budgets:
    max_steps: int
    dose_e_per_A2: float | None = None
    instrument_time_s: float | None = None
    wall_time_s: float = 60.0


@dataclass(frozen=True)
class Task:
    id: str
    category: str
    instrument: str
    specimen: str
    seed: int
    instructions: tuple[str, ...]
    budgets: Budgets
    reference_calls: tuple[ToolStep, ...]
    reference_answer: str
    checks: tuple[dict[str, Any], ...]
    title: str = ""
    setup: tuple[ToolStep, ...] = ()
    faults: tuple[str, ...] = ()
    approvals: str = "auto_reject"
    allowed_changes: tuple[str, ...] = ()
    source: str = ""  # "file:line" of the task, for messages

    def instruction(self, paraphrase: int) -> str:
        """The instruction text of paraphrase ``paraphrase`` (0 is the canonical wording)."""
        return self.instructions[paraphrase % len(self.instructions)]


@cache
def task_schema() -> dict[str, Any]:
    """The JSON schema of a task file (package data)."""
    text = resources.files("copilot.eval").joinpath("task.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _node_at(node: yaml.Node, path: list[str | int]) -> yaml.Node:
    """The deepest YAML node along a JSON path (as far as the path exists)."""
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key]
            if not match:
                return node
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return node
    return node


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _steps(raw: list[dict[str, Any]] | None) -> tuple[ToolStep, ...]:
    return tuple(
        ToolStep(s["tool"], dict(s.get("args") or {}), s.get("save_as"), bool(s.get("expect_error", False)))
        for s in raw or []
    )


def _build(raw: dict[str, Any], source: str) -> Task:
    b = raw["budgets"]
    return Task(
        id=raw["id"],
        category=raw["category"],
        instrument=raw["instrument"],
        specimen=raw["specimen"],
        seed=int(raw["seed"]),
        instructions=tuple(raw["instructions"]),
        budgets=Budgets(
            max_steps=int(b["max_steps"]),
            dose_e_per_A2=b.get("dose_e_per_A2"),
            instrument_time_s=b.get("instrument_time_s"),
            wall_time_s=float(b.get("wall_time_s", 60.0)),
        ),
        reference_calls=_steps(raw["reference"]["calls"]),
        reference_answer=raw["reference"]["answer"],
        checks=tuple(raw["checks"]),
        title=raw.get("title", ""),
        setup=_steps(raw.get("setup")),
        faults=tuple(raw.get("faults", ())),
        approvals=raw.get("approvals", "auto_reject"),
        allowed_changes=tuple(raw.get("allowed_changes", ())),
        source=source,
    )


def _check_references(task: Task, source: str) -> None:
    """Every ``$name`` in a reference argument must be saved by an earlier step."""
    saved: set[str] = set()
    for step in (*task.setup, *task.reference_calls):
        for value in step.args.values():
            if isinstance(value, str) and value.startswith("$"):
                name = value[1:].split(".", 1)[0]
                if name not in saved:
                    raise TaskFileError(
                        f"{source}: task {task.id!r}: step {step.tool} refers to ${name} before any step saves it "
                        f"(add save_as: {name} to an earlier step)."
                    )
        if step.save_as:
            saved.add(step.save_as)


def load_task_file(path: Path) -> list[Task]:
    """Load and validate one YAML task file. Raises :class:`TaskFileError` with file and line on any problem."""
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise TaskFileError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)}).") from exc
    if root is None:
        raise TaskFileError(f"{path}:1: the file is empty; it must hold `tasks:` with a list of tasks.")
    data = yaml.load(text, Loader=_LOADER)
    validator = jsonschema.Draft202012Validator(task_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        err = jsonschema.exceptions.best_match(errors) or errors[0]
        node = _node_at(root, list(err.absolute_path))
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise TaskFileError(f"{path}:{_line(node)}: at {where}: {err.message}. See copilot/eval/task.schema.json.")
    tasks = []
    for i, raw in enumerate(data["tasks"]):
        source = f"{path}:{_line(_node_at(root, ['tasks', i]))}"
        task = _build(raw, source)
        _check_references(task, source)
        tasks.append(task)
    return tasks


def builtin_task_dir() -> Path:
    """The directory of the task suite shipped in the package."""
    return Path(str(resources.files("copilot.eval").joinpath(TASKS_PACKAGE_DIR)))


def load_tasks(spec: str | Path | None = None) -> list[Task]:
    """Load a suite: ``None`` or ``"all"`` for the built-in suite, a category or instrument name to filter it, a
    directory of YAML files, or one YAML file. Raises :class:`TaskFileError` on malformed files or duplicate ids."""
    spec_str = str(spec) if spec is not None else "all"
    path = Path(spec_str)
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(path.glob("*.yaml"))
    else:
        files = sorted(builtin_task_dir().glob("*.yaml"))
    tasks: list[Task] = []
    seen: dict[str, str] = {}
    for f in files:
        for task in load_task_file(f):
            if task.id in seen:
                raise TaskFileError(f"{task.source}: task id {task.id!r} is already used at {seen[task.id]}.")
            seen[task.id] = task.source
            tasks.append(task)
    if path.exists() or spec_str == "all":
        return tasks
    selected = [t for t in tasks if spec_str in (t.category, t.instrument, t.id) or t.id.startswith(spec_str)]
    if not selected:
        raise TaskFileError(
            f"{spec_str!r} is neither a task file, a directory, a category ({', '.join(CATEGORIES)}), "
            "an instrument (stem, afm) nor a task id prefix."
        )
    return selected
