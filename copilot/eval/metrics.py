"""Rates with uncertainty and the per-task, per-category and overall summaries of a run.

- pass@1: the fraction of episodes that succeed.
- pass^k: the chance that k independent trials of the same instruction all succeed, estimated without bias from
  n >= k trials with c successes as C(c, k) / C(n, k) (tau-bench), averaged over instructions.
- Wilson score intervals (95 %) for every success rate: honest at small n and at rates of 0 or 1.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from copilot.eval.results import EpisodeResult

Z_95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a binomial rate. ``(0, 1)`` when there are no trials.

    >>> tuple(round(x, 3) for x in wilson_interval(8, 10))
    (0.49, 0.943)
    """
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be within 0..n (got {successes} of {n})")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def pass_hat_k(successes: int, n: int, k: int) -> float:
    """Unbiased estimate of the probability that k trials all succeed, from c of n successes.

    >>> pass_hat_k(2, 3, 2)
    0.3333333333333333
    """
    if not 1 <= k <= n:
        raise ValueError(f"k must be within 1..n (got k={k}, n={n})")
    return math.comb(successes, k) / math.comb(n, k)


@dataclass
class Summary:
    """Figures over a group of episodes (one task, one category or the whole run)."""

    name: str
    episodes: int
    successes: int
    pass_at_1: float
    pass_at_1_ci: tuple[float, float]
    pass_hat_k: float
    k: int
    partial_credit: float
    mean_steps: float
    mean_tool_calls: float
    invalid_calls: int
    guard_rejections: int
    sleepwalking_rate: float
    sleepwalking_ci: tuple[float, float]
    mean_dose_fraction: float | None
    mean_instrument_time_s: float
    mean_wall_time_s: float
    input_tokens: int | None
    output_tokens: int | None
    cost_usd: float | None


def _optional_sum(values: Iterable[float | int | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def summarise(name: str, results: list[EpisodeResult]) -> Summary:
    """One summary of ``results``; pass^k groups them by (task, paraphrase) with k = the smallest group size."""
    if not results:
        raise ValueError(f"no episodes to summarise for {name!r}")
    n = len(results)
    c = sum(r.success for r in results)
    groups: dict[tuple[str, int], list[bool]] = defaultdict(list)
    for r in results:
        groups[(r.task_id, r.paraphrase)].append(r.success)
    k = min(len(g) for g in groups.values())
    hat = statistics.fmean(pass_hat_k(sum(g), len(g), k) for g in groups.values())
    sleep = sum(r.sleepwalking for r in results)
    fractions = [f for r in results if (f := r.dose_fraction) is not None]
    tokens_in = _optional_sum(r.input_tokens for r in results)
    tokens_out = _optional_sum(r.output_tokens for r in results)
    return Summary(
        name=name,
        episodes=n,
        successes=c,
        pass_at_1=c / n,
        pass_at_1_ci=wilson_interval(c, n),
        pass_hat_k=hat,
        k=k,
        partial_credit=statistics.fmean(r.score for r in results),
        mean_steps=statistics.fmean(r.steps for r in results),
        mean_tool_calls=statistics.fmean(r.tool_calls for r in results),
        invalid_calls=sum(r.invalid_calls for r in results),
        guard_rejections=sum(r.guard_rejections for r in results),
        sleepwalking_rate=sleep / n,
        sleepwalking_ci=wilson_interval(sleep, n),
        mean_dose_fraction=statistics.fmean(fractions) if fractions else None,
        mean_instrument_time_s=statistics.fmean(r.instrument_time_s for r in results),
        mean_wall_time_s=statistics.fmean(r.wall_time_s for r in results),
        input_tokens=None if tokens_in is None else int(tokens_in),
        output_tokens=None if tokens_out is None else int(tokens_out),
        cost_usd=_optional_sum(r.cost_usd for r in results),
    )


def summarise_by(results: list[EpisodeResult], attribute: str) -> list[Summary]:
    """Summaries grouped by an attribute of the results (``task_id``, ``category``, ``instrument``), sorted."""
    groups: dict[str, list[EpisodeResult]] = defaultdict(list)
    for r in results:
        groups[str(getattr(r, attribute))].append(r)
    return [summarise(key, groups[key]) for key in sorted(groups)]
