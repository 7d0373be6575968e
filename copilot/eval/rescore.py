"""`copilot eval replay RUN`: re-score the recorded transcripts of a run offline, without the model or a key.

Every episode of a run keeps its transcript (``runs/<task>/p<paraphrase>-t<trial>/transcript.jsonl``). Replaying it
opens a fresh session with the episode's seed, runs the task's set-up and faults as the run did, re-issues the
recorded tool calls in order (the twin is deterministic per seed, so each call sees the same instrument), gives the
recorded final answer, and scores the episode with the task's checks as they are now. A published report can be
checked this way: the replayed successes must equal the recorded ones, and a change to a check shows which verdicts
it flips. Tokens and cost are those of the recorded run.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from copilot.eval.report import load_report
from copilot.eval.results import EpisodeResult, key_of
from copilot.eval.runner import RunConfig, run_suite
from copilot.eval.task import Task, TaskFileError, load_tasks

Recording = tuple[list[Any], str]


def read_transcript(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a recorded transcript; ``ValueError`` naming the file when it is missing or broken."""
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read a recorded transcript ({exc}).") from exc


def load_run(run_dir: Path) -> tuple[dict[str, Any], list[Task], dict[str, Recording]]:
    """A run's report, the tasks it ran, and each episode's recording by episode key (``task#pN#tM``)."""
    from copilot.eval.replay import recorded_steps

    report = load_report(run_dir / "report.json")
    by_id = {t.id: t for t in load_tasks()}
    missing = sorted({e["task_id"] for e in report["episodes"]} - set(by_id))
    if missing:
        raise TaskFileError(f"{run_dir}: the run has tasks the suite no longer holds: {', '.join(missing)}.")
    recordings: dict[str, Recording] = {}
    for e in report["episodes"]:
        transcript = read_transcript(
            run_dir / "runs" / e["task_id"] / f"p{e['paraphrase']}-t{e['trial']}" / "transcript.jsonl"
        )
        recordings[f"{e['task_id']}#p{e['paraphrase']}#t{e['trial']}"] = recorded_steps(transcript)
    tasks = [by_id[i] for i in dict.fromkeys(e["task_id"] for e in report["episodes"])]
    return report, tasks, recordings


async def rescore_run(run_dir: Path, out_dir: Path, concurrency: int = 2) -> tuple[dict[str, Any], list[EpisodeResult]]:
    """Replay every recorded episode of ``run_dir`` (runs kept under ``out_dir``); the recorded report and the
    re-scored results, with the recorded tokens and cost."""
    report, tasks, recordings = load_run(run_dir)
    config = report.get("config") or {}
    cfg = RunConfig(
        model=str(config.get("model", "recorded")),
        trials=int(config.get("trials", 1)),
        concurrency=concurrency,
        out_dir=out_dir,
        all_paraphrases=bool(config.get("all_paraphrases", True)),
        recordings=recordings,
    )
    results = await run_suite(tasks, cfg)
    recorded = {key_of(e): e for e in report["episodes"]}
    kept = [r for r in results if r.key in recorded]
    return report, [
        replace(
            r,
            input_tokens=recorded[r.key].get("input_tokens"),
            output_tokens=recorded[r.key].get("output_tokens"),
            cost_usd=recorded[r.key].get("cost_usd"),
        )
        for r in kept
    ]


def disagreements(report: dict[str, Any], results: list[EpisodeResult]) -> list[str]:
    """Episode keys whose replayed verdict differs from the recorded one."""
    recorded = {key_of(e): bool(e["success"]) for e in report["episodes"]}
    return [r.key for r in results if recorded.get(r.key) != r.success]
