"""Run a suite's episodes as Ray tasks: one task per episode, on a local Ray cluster or on a real one.

Each Ray task runs :func:`copilot.eval.runner.run_episode` in its own worker process with its own session, exactly
as the local runner does, so the results are the same (episodes are deterministic per seed and share nothing). Ray
is an optional extra (``pip install 'microscope-copilot[ray]'``). Without an address a local cluster of
``cfg.concurrency`` CPUs is started for the run; with ``address`` (``ray://host:10001`` or ``auto``) the run joins
that cluster, whose workers need the package installed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from copilot.eval.results import EpisodeResult
from copilot.eval.runner import RunConfig, episodes_of, run_episode
from copilot.eval.task import Task


class RayUnavailableError(RuntimeError):
    """Ray is not installed; the message says how to install it."""


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailableError(
            "the Ray backend needs Ray: pip install 'microscope-copilot[ray]' (or pip install 'ray>=2')."
        ) from exc
    return ray


def _episode(task: Task, paraphrase: int, trial: int, cfg: RunConfig) -> EpisodeResult:
    return asyncio.run(run_episode(task, paraphrase, trial, cfg))


def run_suite_ray(
    tasks: list[Task],
    cfg: RunConfig,
    address: str | None = None,
    on_done: Callable[[EpisodeResult], None] | None = None,
) -> list[EpisodeResult]:
    """Every episode of the run as a Ray task; results in the fixed episode order of the local runner."""
    if cfg.chat_model_factory is not None:
        raise ValueError("a chat_model_factory lives in this process and cannot be sent to Ray workers")
    ray = _ray()
    started_here = not ray.is_initialized()
    if started_here:
        options: dict[str, Any] = {"address": address} if address else {"num_cpus": max(1, cfg.concurrency)}
        ray.init(include_dashboard=False, log_to_driver=False, **options)
    try:
        remote = ray.remote(num_cpus=1)(_episode)
        pending = {remote.remote(task, p, t, cfg): i for i, (task, p, t) in enumerate(episodes_of(tasks, cfg))}
        results: list[EpisodeResult | None] = [None] * len(pending)
        waiting = list(pending)
        while waiting:
            done, waiting = ray.wait(waiting, num_returns=1)
            for ref in done:
                result: EpisodeResult = ray.get(ref)
                results[pending[ref]] = result
                if on_done is not None:
                    on_done(result)
        return [r for r in results if r is not None]
    finally:
        if started_here:
            ray.shutdown()
