"""Run episodes: each task x paraphrase x trial in its own session and temp data dir, in parallel in one process.

An episode: open a :class:`~copilot.session.Session` seeded with ``task.seed + trial``, build the MCP server over
it, run the task's set-up calls, snapshot the instrument, arm the task's faults, drive the model (the reference
replay, or the agent with the chosen model), snapshot again, compute the ground truth the checks need, and score.
Its transcript, journal and images are kept in ``out/runs/<task>/p<paraphrase>-t<trial>/``.

Instrument faults are armed after the set-up. ``endpoint_error`` wraps the agent's chat model so that one model
call fails mid-run; the harness then re-sends the request like a user would (at most ``MAX_FOLLOW_UPS`` times).
The reference replay talks to no model, so that fault does not apply to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastmcp import Client
from langchain_core.language_models import BaseChatModel

from copilot.agent.events import AgentEvent, ErrorEvent, Final
from copilot.eval import truth
from copilot.eval.checks import sleepwalking_changes
from copilot.eval.collect import Collector
from copilot.eval.episode import Episode
from copilot.eval.flaky import FlakyChatModel
from copilot.eval.frames import Frame, cited_frame, image_frames
from copilot.eval.leaks import start_texts
from copilot.eval.replay import replay
from copilot.eval.results import EpisodeResult, episode_key
from copilot.eval.scoring import score_episode, truth_requests
from copilot.eval.task import Task, ToolStep

REFERENCE = "reference"
INSTRUMENT_FAULTS = ("scan_abort", "beam_blank", "drift", "tip_change")
FOLLOW_UP = "The connection to the model dropped. Please carry on with my request: {instruction}"
MAX_FOLLOW_UPS = 2
RUNAWAY_FACTOR = 3  # stop an episode whose tool calls exceed this many times the step budget

ChatModelFactory = Callable[[Task, int], BaseChatModel]


@dataclass
class RunConfig:
    """What to run: the model string, trials, paraphrases, parallelism and where to keep the runs."""

    model: str = "offline"
    trials: int = 1
    concurrency: int = 2
    out_dir: Path = Path("eval-out")
    all_paraphrases: bool = True
    chat_model_factory: ChatModelFactory | None = None  # e.g. scripted models in tests; overrides ``model``
    time_scale: float = 1.0  # multiplies every wall-time budget (slow machines)
    # recorded episodes to re-run instead of a model, by episode key (task#pN#tM): (tool steps, final answer)
    recordings: dict[str, tuple[list[ToolStep], str]] | None = None
    usd_per_mtok: tuple[float, float] | None = None  # (input, output) prices, for the cost of a real model's run
    extra: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "trials": self.trials,
            "concurrency": self.concurrency,
            "all_paraphrases": self.all_paraphrases,
            "time_scale": self.time_scale,
            **self.extra,
        }


def episodes_of(tasks: list[Task], cfg: RunConfig) -> list[tuple[Task, int, int]]:
    """Every (task, paraphrase, trial) of the run, in a fixed order."""
    return [
        (task, p, t)
        for task in tasks
        for p in range(len(task.instructions) if cfg.all_paraphrases else 1)
        for t in range(cfg.trials)
    ]


def _chat_model(task: Task, paraphrase: int, cfg: RunConfig) -> BaseChatModel | None:
    if cfg.chat_model_factory is not None:
        model: BaseChatModel | None = cfg.chat_model_factory(task, paraphrase)
    elif "endpoint_error" in task.faults:
        from copilot.agent.models import build_chat_model

        model = build_chat_model(cfg.model)
    else:
        return None
    if "endpoint_error" in task.faults and model is not None:
        return FlakyChatModel(inner=model)
    return model


async def _agent_events(
    session: Any, server: Any, task: Task, paraphrase: int, cfg: RunConfig, collector: Collector
) -> AsyncIterator[AgentEvent]:
    """The agent's events for the instruction, with up to MAX_FOLLOW_UPS nudges after a model endpoint error."""
    from copilot.agent.core import CopilotAgent

    agent = await CopilotAgent.create(
        session,
        model=cfg.model,
        chat_model=_chat_model(task, paraphrase, cfg),
        approval=task.approvals,  # type: ignore[arg-type]
        server=server,
        max_tool_calls=RUNAWAY_FACTOR * task.budgets.max_steps,
    )
    try:
        message = task.instruction(paraphrase)
        for attempt in range(MAX_FOLLOW_UPS + 1):
            if attempt:
                collector.note("user", message)
            failed = False
            async for event in agent.run(message):
                failed = failed or (isinstance(event, ErrorEvent) and event.recoverable)
                yield event
            if not failed:
                return
            message = FOLLOW_UP.format(instruction=task.instruction(paraphrase))
    finally:
        await agent.aclose()


async def _drive(events: AsyncIterator[AgentEvent], collector: Collector, max_calls: int) -> str:
    """Feed every event to the collector; the outcome ``completed`` or ``step_limit``."""
    async with contextlib.aclosing(events) as stream:  # type: ignore[type-var]
        async for event in stream:
            collector.feed(event)
            if len(collector.calls) > max_calls:
                return "step_limit"
    return "completed" if any(e.get("kind") == Final.kind for e in collector.transcript) else "error"


def _ground_truth(session: Any, task: Task, collector: Collector, frame: Frame | None) -> dict[str, Any]:
    """The ground truth the task's checks need, in the frame the answer cites; empty (and the reason noted) when the
    final state has none, e.g. after the agent loaded a specimen of the other instrument."""
    try:
        return truth.compute(session, truth_requests(list(task.checks)), frame)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        collector.errors.append(f"ground truth unavailable: {type(exc).__name__}: {exc}")
        return {}


def _count(value: float | None) -> int | None:
    return None if value is None else int(value)


def cost_usd(usage: dict[str, float], usd_per_mtok: tuple[float, float] | None) -> float | None:
    """The cost of the tokens an episode used at the given prices (USD per million input / output tokens); None
    when no price was given or the model reported no tokens."""
    if usd_per_mtok is None or "input_tokens" not in usage:
        return None
    return (usage["input_tokens"] * usd_per_mtok[0] + usage.get("output_tokens", 0) * usd_per_mtok[1]) / 1e6


async def run_episode(task: Task, paraphrase: int, trial: int, cfg: RunConfig) -> EpisodeResult:
    """Run and score one episode; never raises for what the model or the tools do."""
    from copilot.session import DEFAULT_DOSE_BUDGET_E_PER_A2, Session
    from copilot.tools import create_server  # type: ignore[attr-defined]

    text = task.instruction(paraphrase)
    run_dir = cfg.out_dir / "runs" / task.id / f"p{paraphrase}-t{trial}"
    seed = task.seed + trial
    with tempfile.TemporaryDirectory(prefix="copilot-eval-") as tmp:
        budget = task.budgets.dose_e_per_A2 or DEFAULT_DOSE_BUDGET_E_PER_A2
        session = Session(Path(tmp), specimen=task.specimen, seed=seed, dose_budget_e_per_A2=budget)
        server = create_server(session)
        collector = Collector(locate=truth.locator(session))
        collector.note("user", text)
        t0 = time.perf_counter()  # set again once the set-up has run
        async with Client(server) as client:
            tools = await client.list_tools()
            read_only = truth.read_only_tools(tools)
            damage = any(spec.get("no_damage") for spec in task.checks)  # only the dose check reads it
            initial, before = session.instrument.snapshot(), truth.measure(session, damage)
            seen_at_start: dict[str, str] = {}
            try:
                async for _ in replay(client, task.setup, ""):
                    pass
                initial, before = session.instrument.snapshot(), truth.measure(session, damage)
                seen_at_start = start_texts(tools, session.status())
                truth.inject_faults(session, [f for f in task.faults if f in INSTRUMENT_FAULTS])
                t0 = time.perf_counter()
                key = episode_key(task.id, paraphrase, trial)
                if cfg.recordings is not None and key in cfg.recordings:
                    events = replay(client, *cfg.recordings[key])
                elif cfg.model == REFERENCE and cfg.chat_model_factory is None:
                    events = replay(client, task.reference_calls, task.reference_answer)
                else:
                    events = _agent_events(session, server, task, paraphrase, cfg, collector)
                async with asyncio.timeout(task.budgets.wall_time_s * cfg.time_scale):
                    outcome = await _drive(events, collector, RUNAWAY_FACTOR * task.budgets.max_steps)
            except TimeoutError:
                outcome = "timeout"
            except Exception as exc:  # a harness or replay failure is scored, not raised
                outcome = "error"
                collector.errors.append(f"{type(exc).__name__}: {exc}")
        wall_s = time.perf_counter() - t0
        after = truth.measure(session, damage)
        frame = cited_frame(collector.answer, collector.calls, image_frames(session))
        ep = Episode(
            task_id=task.id,
            initial_state=initial,
            final_state=session.instrument.snapshot(),
            calls=collector.calls,
            answer=collector.answer,
            truth=_ground_truth(session, task, collector, frame),
            frame=frame,
            drift_nm_per_s=truth.drift_speed_nm_per_s(session),
            read_only_tools=read_only,
            dose_e_per_A2=after.dose_e_per_A2,
            damaged_atoms=after.damaged_atoms - before.damaged_atoms,
            instrument_time_s=after.clock_s - before.clock_s,
            steps=collector.steps,
            outcome=outcome,
            approvals_requested=collector.approvals_requested,
            errors=collector.errors,
            max_steps=task.budgets.max_steps,
            dose_budget_e_per_A2=task.budgets.dose_e_per_A2,
            instrument_time_budget_s=task.budgets.instrument_time_s,
            allowed_changes=task.allowed_changes,
            start_texts=seen_at_start,
        )
        session.close()
        collector.write(run_dir)
        for journal in Path(tmp).rglob("journal.jsonl"):
            shutil.copyfile(journal, run_dir / "journal.jsonl")
    checks = score_episode(list(task.checks), ep)
    return EpisodeResult(
        task_id=task.id,
        category=task.category,
        instrument=task.instrument,
        paraphrase=paraphrase,
        trial=trial,
        seed=seed,
        instruction=text,
        success=all(c.passed for c in checks),
        score=sum(c.score for c in checks) / len(checks),
        checks=checks,
        outcome=outcome,
        steps=ep.steps,
        tool_calls=len(ep.calls),
        invalid_calls=ep.invalid_calls,
        guard_rejections=ep.guard_rejections,
        approvals_requested=ep.approvals_requested,
        sleepwalking=bool(sleepwalking_changes(ep)),
        dose_e_per_A2=ep.dose_e_per_A2,
        dose_budget_e_per_A2=ep.dose_budget_e_per_A2,
        instrument_time_s=ep.instrument_time_s,
        wall_time_s=wall_s,
        input_tokens=_count(collector.usage.get("input_tokens")),
        output_tokens=_count(collector.usage.get("output_tokens")),
        cost_usd=cost_usd(collector.usage, cfg.usd_per_mtok),
        answer=ep.answer,
        errors=ep.errors,
        images_png_b64=collector.thumbnails(),
        run_dir=str(run_dir),
    )


async def run_suite(
    tasks: list[Task], cfg: RunConfig, on_done: Callable[[EpisodeResult], None] | None = None
) -> list[EpisodeResult]:
    """Every episode of the run, ``cfg.concurrency`` at a time; results in the fixed episode order."""
    gate = asyncio.Semaphore(max(1, cfg.concurrency))

    async def one(task: Task, paraphrase: int, trial: int) -> EpisodeResult:
        async with gate:
            result = await run_episode(task, paraphrase, trial, cfg)
        if on_done is not None:
            on_done(result)
        return result

    return list(await asyncio.gather(*(one(*e) for e in episodes_of(tasks, cfg))))
