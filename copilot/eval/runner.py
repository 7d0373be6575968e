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
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from copilot.agent.events import AgentEvent, ErrorEvent, Final
from copilot.eval.collect import Collector
from copilot.eval.flaky import FlakyChatModel
from copilot.eval.live import LiveEpisode
from copilot.eval.replay import replay
from copilot.eval.results import EpisodeResult, episode_key
from copilot.eval.task import Task, ToolStep

REFERENCE = "reference"
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


async def run_episode(task: Task, paraphrase: int, trial: int, cfg: RunConfig) -> EpisodeResult:
    """Run and score one episode; never raises for what the model or the tools do."""
    live = LiveEpisode(task, paraphrase, trial, cfg.out_dir / "runs" / task.id / f"p{paraphrase}-t{trial}")
    async with live:
        try:
            await live.set_up()
            key = episode_key(task.id, paraphrase, trial)
            if cfg.recordings is not None and key in cfg.recordings:
                events = replay(live.client, *cfg.recordings[key])
            elif cfg.model == REFERENCE and cfg.chat_model_factory is None:
                events = replay(live.client, task.reference_calls, task.reference_answer)
            else:
                events = _agent_events(live.session, live.server, task, paraphrase, cfg, live.collector)
            async with asyncio.timeout(task.budgets.wall_time_s * cfg.time_scale):
                outcome = await _drive(events, live.collector, RUNAWAY_FACTOR * task.budgets.max_steps)
        except TimeoutError:
            outcome = "timeout"
        except Exception as exc:  # a harness or replay failure is scored, not raised
            outcome = "error"
            live.collector.errors.append(f"{type(exc).__name__}: {exc}")
    return live.finish(outcome, cfg.usd_per_mtok)


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
