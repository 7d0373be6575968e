"""One live episode on the twin: its session and MCP client, the record of what the agent did, and its score.

:class:`LiveEpisode` is the part of an episode that does not depend on who drives it. Entering it opens a
:class:`~copilot.session.Session` seeded with ``task.seed + trial`` in a temp data dir, builds the MCP server over it,
connects an in-memory client, runs the task's set-up calls, snapshots the instrument, keeps what the agent can read
before measuring (for the leak check) and arms the task's faults. The driver then feeds the agent's events to
``collector`` (the local runner, the reference replay), or calls tools through :meth:`LiveEpisode.call`, which feeds
them itself (a foreign harness such as inspect-ai). :meth:`LiveEpisode.finish` snapshots again, computes the ground
truth the checks ask for, in the frame the answer cites, and scores the episode.
"""

from __future__ import annotations

import base64
import itertools
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from fastmcp import Client
from mcp import types as mcp_types

from copilot.agent.events import Final, ImageRef, ToolCall, ToolResult
from copilot.eval import truth
from copilot.eval.checks import sleepwalking_changes
from copilot.eval.collect import Collector
from copilot.eval.episode import Episode
from copilot.eval.frames import Frame, cited_frame, image_frames
from copilot.eval.leaks import start_texts
from copilot.eval.replay import replay
from copilot.eval.results import EpisodeResult
from copilot.eval.scoring import score_episode, truth_requests
from copilot.eval.task import Task

INSTRUMENT_FAULTS = ("scan_abort", "beam_blank", "drift", "tip_change")


def cost_usd(usage: dict[str, float], usd_per_mtok: tuple[float, float] | None) -> float | None:
    """The cost of the tokens an episode used at the given prices (USD per million input / output tokens); None
    when no price was given or the model reported no tokens."""
    if usd_per_mtok is None or "input_tokens" not in usage:
        return None
    return (usage["input_tokens"] * usd_per_mtok[0] + usage.get("output_tokens", 0) * usd_per_mtok[1]) / 1e6


def _count(value: float | None) -> int | None:
    return None if value is None else int(value)


class LiveEpisode:
    """An episode's session, server and client (``async with``), its collector, and its scoring."""

    def __init__(self, task: Task, paraphrase: int, trial: int, run_dir: Path) -> None:
        self.task, self.paraphrase, self.trial, self.run_dir = task, paraphrase, trial, run_dir
        self.seed = task.seed + trial
        self.instruction = task.instruction(paraphrase)
        self.outcome = "completed"  # a foreign driver sets step_limit when the agent runs past the budget
        self._ids = itertools.count()

    async def __aenter__(self) -> LiveEpisode:
        from copilot.session import DEFAULT_DOSE_BUDGET_E_PER_A2, Session
        from copilot.tools import create_server  # type: ignore[attr-defined]

        task = self.task
        self._tmp = tempfile.TemporaryDirectory(prefix="copilot-eval-")
        budget = task.budgets.dose_e_per_A2 or DEFAULT_DOSE_BUDGET_E_PER_A2
        data_dir = Path(self._tmp.name)
        self.session = Session(data_dir, specimen=task.specimen, seed=self.seed, dose_budget_e_per_A2=budget)
        self.server = create_server(self.session)
        self.collector = Collector(locate=truth.locator(self.session))
        self.collector.note("user", self.instruction)
        self.client: Client[Any] = Client(self.server)
        await self.client.__aenter__()
        self.tools = await self.client.list_tools()
        self.read_only = truth.read_only_tools(self.tools)
        self.damage = any(spec.get("no_damage") for spec in task.checks)  # only the dose check reads it
        self.initial, self.before = self.session.instrument.snapshot(), truth.measure(self.session, self.damage)
        self.seen_at_start: dict[str, str] = {}
        self.t0 = time.perf_counter()  # set again once the set-up has run
        return self

    async def set_up(self) -> None:
        """Run the task's set-up calls, snapshot the start state and arm the task's instrument faults."""
        async for _ in replay(self.client, self.task.setup, ""):
            pass
        self.initial, self.before = self.session.instrument.snapshot(), truth.measure(self.session, self.damage)
        self.seen_at_start = start_texts(self.tools, self.session.status())
        truth.inject_faults(self.session, [f for f in self.task.faults if f in INSTRUMENT_FAULTS])
        self.t0 = time.perf_counter()

    async def call(self, tool: str, args: dict[str, Any]) -> ToolResult:
        """Call one tool for a foreign driver and record it (call and result) as the agent's own."""
        call_id = f"call-{next(self._ids)}"
        self.collector.feed(ToolCall(call_id, tool, dict(args)))
        result = await self.client.call_tool(tool, args, raise_on_error=False)
        text = "\n".join(b.text for b in result.content if isinstance(b, mcp_types.TextContent))
        data = dict(result.structured_content or {}) if not result.is_error else {"error": text}
        images = tuple(
            ImageRef(png=base64.b64decode(b.data)) for b in result.content if isinstance(b, mcp_types.ImageContent)
        )
        event = ToolResult(call_id, tool, not result.is_error, data, text, images)
        self.collector.feed(event)
        return event

    def answer(self, text: str, model: str, usage: dict[str, int] | None = None) -> None:
        """Record the agent's final answer (a foreign driver's last message)."""
        self.collector.feed(Final(text=text, model=model, usage=dict(usage or {})))

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.client.__aexit__(None, None, None)

    def finish(self, outcome: str, usd_per_mtok: tuple[float, float] | None = None) -> EpisodeResult:
        """Score the episode (after the client has closed), keep its transcript and journal in ``run_dir``, and
        close the session."""
        task, session, collector = self.task, self.session, self.collector
        wall_s = time.perf_counter() - self.t0
        after = truth.measure(session, self.damage)
        frame = cited_frame(collector.answer, collector.calls, image_frames(session))
        ep = Episode(
            task_id=task.id,
            initial_state=self.initial,
            final_state=session.instrument.snapshot(),
            calls=collector.calls,
            answer=collector.answer,
            truth=self._ground_truth(frame),
            frame=frame,
            drift_nm_per_s=truth.drift_speed_nm_per_s(session),
            read_only_tools=self.read_only,
            dose_e_per_A2=after.dose_e_per_A2,
            damaged_atoms=after.damaged_atoms - self.before.damaged_atoms,
            instrument_time_s=after.clock_s - self.before.clock_s,
            steps=collector.steps,
            outcome=outcome,
            approvals_requested=collector.approvals_requested,
            errors=collector.errors,
            max_steps=task.budgets.max_steps,
            dose_budget_e_per_A2=task.budgets.dose_e_per_A2,
            instrument_time_budget_s=task.budgets.instrument_time_s,
            allowed_changes=task.allowed_changes,
            start_texts=self.seen_at_start,
        )
        session.close()
        collector.write(self.run_dir)
        for journal in Path(self._tmp.name).rglob("journal.jsonl"):
            shutil.copyfile(journal, self.run_dir / "journal.jsonl")
        self._tmp.cleanup()
        checks = score_episode(list(task.checks), ep)
        return EpisodeResult(
            task_id=task.id,
            category=task.category,
            instrument=task.instrument,
            paraphrase=self.paraphrase,
            trial=self.trial,
            seed=self.seed,
            instruction=self.instruction,
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
            cost_usd=cost_usd(collector.usage, usd_per_mtok),
            answer=ep.answer,
            errors=ep.errors,
            images_png_b64=collector.thumbnails(),
            run_dir=str(self.run_dir),
        )

    def _ground_truth(self, frame: Frame | None) -> dict[str, Any]:
        """The ground truth the task's checks need, in the frame the answer cites; empty (and the reason noted) when
        the final state has none, e.g. after the agent loaded a specimen of the other instrument."""
        try:
            return truth.compute(self.session, truth_requests(list(self.task.checks)), frame)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            self.collector.errors.append(f"ground truth unavailable: {type(exc).__name__}: {exc}")
            return {}
