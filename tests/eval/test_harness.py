"""The harness end to end: scripted models drive the real agent over the real tools; episodes are scored and the
report files written. Covers pass, fail, partial credit with sleepwalking, timeout, tool errors, approvals and a
model endpoint error mid-run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage

from copilot.agent.scripted import ScriptedChatModel
from copilot.eval.report import write_reports
from copilot.eval.results import EpisodeResult
from copilot.eval.runner import RunConfig, run_suite
from copilot.eval.task import Task, load_task_file

TASKS = """\
tasks:
  - id: kv
    category: parameter_setting
    instrument: stem
    specimen: srtio3
    seed: 5
    instructions: ["Set the beam to 80 kV.", "Switch to 80 kV."]
    budgets: {max_steps: 4}
    allowed_changes: [beam.energy_kv]
    reference:
      calls: [{tool: set_beam, args: {energy_kv: 80}}]
      answer: The beam is at 80 kV.
    checks:
      - {type: state, path: beam.energy_kv, equals: 80, tol: 0.01}
      - {type: no_sleepwalking}
  - id: kv-slow
    category: parameter_setting
    instrument: stem
    specimen: srtio3
    seed: 5
    instructions: ["Set the beam to 80 kV.", "Switch to 80 kV."]
    budgets: {max_steps: 4, wall_time_s: 0.001}
    allowed_changes: [beam.energy_kv]
    reference:
      calls: [{tool: set_beam, args: {energy_kv: 80}}]
      answer: The beam is at 80 kV.
    checks:
      - {type: state, path: beam.energy_kv, equals: 80, tol: 0.01}
  - id: kv-flaky
    category: fault_recovery
    instrument: stem
    specimen: srtio3
    seed: 5
    faults: [endpoint_error]
    instructions: ["Set the beam to 80 kV.", "Switch to 80 kV."]
    budgets: {max_steps: 4}
    allowed_changes: [beam.energy_kv]
    reference:
      calls: [{tool: set_beam, args: {energy_kv: 80}}]
      answer: The beam is at 80 kV.
    checks:
      - {type: state, path: beam.energy_kv, equals: 80, tol: 0.01}
  - id: lattice
    category: analysis
    instrument: stem
    specimen: srtio3
    seed: 5
    instructions: ["Measure the lattice.", "What is the lattice constant?"]
    budgets: {max_steps: 4}
    reference:
      calls: [{tool: acquire_image}, {tool: measure_lattice, save_as: lat}]
      answer: "a = {lat.a_nm:.4f} nm"
    checks:
      - {type: fact, truth: lattice_a_nm, tol: 0.01, unit: nm}
  - id: image-approved
    category: dose_limited
    instrument: stem
    specimen: srtio3
    seed: 5
    instructions: ["Take an image even if it is over budget.", "Image it, over budget is fine."]
    budgets: {max_steps: 4, dose_e_per_A2: 10}
    reference:
      calls: [{tool: acquire_image, expect_error: true}]
      answer: Done.
    checks:
      - {type: no_guard_violation}
"""


def call(tool: str, call_id: str = "c1", **args: Any) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": call_id, "type": "tool_call"}])


def scripted(*replies: AIMessage) -> Callable[[Task, int], BaseChatModel]:
    return lambda task, paraphrase: ScriptedChatModel(replies=list(replies))


async def run(tmp_path: Path, task_id: str, factory: Callable[[Task, int], BaseChatModel]) -> EpisodeResult:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "tasks.yaml"
    path.write_text(TASKS)
    tasks = [t for t in load_task_file(path) if t.id == task_id]
    cfg = RunConfig(model="scripted", out_dir=tmp_path / "out", all_paraphrases=False, chat_model_factory=factory)
    (result,) = await run_suite(tasks, cfg)
    return result


async def test_a_scripted_model_that_does_the_task_passes(tmp_path: Path) -> None:
    r = await run(tmp_path, "kv", scripted(call("set_beam", energy_kv=80), AIMessage("The beam is at 80 kV.")))
    assert r.success and r.score == 1.0 and not r.sleepwalking
    assert (r.tool_calls, r.steps, r.outcome) == (1, 2, "completed")
    run_dir = Path(r.run_dir)
    transcript = [json.loads(line) for line in (run_dir / "transcript.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in transcript][:2] == ["user", "tool_call"] and transcript[-1]["kind"] == "final"
    journal = [json.loads(line) for line in (run_dir / "journal.jsonl").read_text().splitlines()]
    assert [j["tool"] for j in journal] == ["set_beam"]


async def test_a_wrong_setting_fails_the_state_check(tmp_path: Path) -> None:
    r = await run(tmp_path, "kv", scripted(call("set_beam", energy_kv=120), AIMessage("Done.")))
    assert not r.success
    assert [c.kind for c in r.failed_checks] == ["state"]


async def test_unrequested_changes_are_flagged_as_sleepwalking_with_partial_credit(tmp_path: Path) -> None:
    replies = (call("set_beam", energy_kv=80), call("set_scan", "c2", dwell_us=1.0), AIMessage("Done, also faster."))
    r = await run(tmp_path, "kv", scripted(*replies))
    assert not r.success and r.sleepwalking
    assert 0 < r.score < 1
    (failed,) = r.failed_checks
    assert failed.kind == "no_sleepwalking" and "scan.dwell_us" in failed.detail


async def test_an_episode_over_its_wall_time_is_scored_as_a_timeout(tmp_path: Path) -> None:
    r = await run(tmp_path, "kv-slow", scripted(call("set_beam", energy_kv=80), AIMessage("Done.")))
    assert r.outcome == "timeout" and not r.success
    assert any(c.kind == "budget" and "timeout" in c.detail for c in r.failed_checks)


async def test_a_rejected_tool_call_counts_as_invalid_and_the_run_goes_on(tmp_path: Path) -> None:
    replies = (call("set_beam", energy_kv=5000), call("set_beam", "c2", energy_kv=80), AIMessage("80 kV now."))
    r = await run(tmp_path, "kv", scripted(*replies))
    assert r.success and r.invalid_calls == 1 and r.tool_calls == 2


async def test_an_over_budget_call_needs_approval_and_auto_reject_scores_a_guard_rejection(tmp_path: Path) -> None:
    replies = (call("acquire_image"), AIMessage("The image was not approved, so I stopped."))
    r = await run(tmp_path, "image-approved", scripted(*replies))
    assert not r.success and r.guard_rejections == 1 and r.approvals_requested == 1
    assert r.failed_checks[0].kind == "no_guard_violation"


async def test_a_model_endpoint_error_mid_run_is_recovered_by_a_follow_up(tmp_path: Path) -> None:
    r = await run(tmp_path, "kv-flaky", scripted(call("set_beam", energy_kv=80), AIMessage("80 kV is set.")))
    assert r.success, r.failed_checks
    assert any("connect" in e.lower() for e in r.errors)
    transcript = (Path(r.run_dir) / "transcript.jsonl").read_text()
    assert "The connection to the model dropped" in transcript


async def test_the_report_files_are_written_for_scripted_runs(tmp_path: Path) -> None:
    ok = await run(tmp_path, "kv", scripted(call("set_beam", energy_kv=80), AIMessage("The beam is at 80 kV.")))
    bad = await run(tmp_path / "b", "kv", scripted(call("set_beam", energy_kv=100), AIMessage("Done.")))
    bad.trial = 1
    report, paths = write_reports(tmp_path / "report", [ok, bad], "scripted", {"trials": 2})
    assert report["overall"]["pass_at_1"] == pytest.approx(0.5) and report["overall"]["pass_hat_k"] == 0.0
    assert "state: beam.energy_kv = 100.0" in paths["markdown"].read_text()
    assert "<h2>parameter_setting</h2>" in paths["html"].read_text()


async def test_loading_a_specimen_of_the_other_instrument_is_scored_not_raised(tmp_path: Path) -> None:
    replies = (call("load_specimen", name="afm_steps"), AIMessage("The lattice constant is 0.3905 nm."))
    r = await run(tmp_path, "lattice", scripted(*replies))
    assert not r.success and r.sleepwalking
    assert any("ground truth unavailable" in e for e in r.errors)
    assert "no ground truth" in r.failed_checks[0].detail
