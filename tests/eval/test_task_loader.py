"""The task loader accepts the shipped suite and rejects malformed files with the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.eval.task import TaskFileError, load_task_file, load_tasks

GOOD = """\
tasks:
  - id: set-kv
    category: parameter_setting
    instrument: stem
    specimen: graphene
    seed: 3
    instructions: ["Set the beam to 80 kV.", "Switch to 80 kV please."]
    budgets: {max_steps: 5}
    allowed_changes: [beam.energy_kv]
    reference:
      calls:
        - {tool: set_beam, args: {energy_kv: 80}}
      answer: The beam is at 80 kV.
    checks:
      - {type: state, path: beam.energy_kv, equals: 80, tol: 0.5}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tasks.yaml"
    path.write_text(text)
    return path


def test_a_well_formed_file_loads_into_tasks(tmp_path: Path) -> None:
    (task,) = load_task_file(write(tmp_path, GOOD))
    assert task.id == "set-kv" and task.budgets.max_steps == 5 and task.approvals == "auto_reject"
    assert task.instruction(1) == "Switch to 80 kV please." and task.instruction(2) == task.instruction(0)
    assert task.reference_calls[0].args == {"energy_kv": 80}
    assert task.source.endswith("tasks.yaml:2")


def test_a_wrong_category_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("parameter_setting", "vibes"))
    with pytest.raises(TaskFileError, match=r"tasks\.yaml:3: at tasks/0/category"):
        load_task_file(path)


def test_a_single_instruction_without_paraphrase_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('["Set the beam to 80 kV.", "Switch to 80 kV please."]', '["Set 80 kV."]'))
    with pytest.raises(TaskFileError, match=r":7: at tasks/0/instructions"):
        load_task_file(path)


def test_an_unknown_check_field_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("tol: 0.5}", "tolerance: 0.5}"))
    with pytest.raises(TaskFileError, match=r":15: at tasks/0/checks/0"):
        load_task_file(path)


def test_broken_yaml_and_dangling_references_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(TaskFileError, match=r"tasks\.yaml:\d+: not valid YAML"):
        load_task_file(write(tmp_path, GOOD.replace("budgets: {max_steps: 5}", "budgets: {max_steps: 5")))
    dangling = GOOD.replace("args: {energy_kv: 80}", "args: {energy_kv: $img.kv}")
    with pytest.raises(TaskFileError, match=r"refers to \$img"):
        load_task_file(write(tmp_path, dangling))


def test_duplicate_ids_across_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(TaskFileError, match="already used"):
        load_tasks(tmp_path)


def test_an_unknown_suite_name_says_what_is_accepted() -> None:
    with pytest.raises(TaskFileError, match="neither a task file"):
        load_tasks("no-such-suite")
