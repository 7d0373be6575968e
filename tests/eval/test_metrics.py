"""Rates, pass^k and Wilson intervals on hand-computed cases."""

from __future__ import annotations

import math
from typing import Any

import pytest

from copilot.eval.check_base import CheckResult
from copilot.eval.metrics import pass_hat_k, summarise, summarise_by, wilson_interval
from copilot.eval.results import EpisodeResult


def result(task: str, success: bool, trial: int = 0, category: str = "acquisition", **kw: Any) -> EpisodeResult:
    checks = [CheckResult("state", success, float(success), "")]
    return EpisodeResult(task, category, "stem", 0, trial, 1, "do it", success, float(success), checks, **kw)


def test_wilson_interval_matches_the_textbook_value_and_stays_inside_0_1() -> None:
    lo, hi = wilson_interval(8, 10)
    assert math.isclose(lo, 0.4902, abs_tol=1e-4) and math.isclose(hi, 0.9433, abs_tol=1e-4)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(6, 5)


def test_pass_hat_k_is_one_only_when_every_trial_passes() -> None:
    assert pass_hat_k(3, 3, 3) == 1.0
    assert pass_hat_k(2, 3, 3) == 0.0
    assert pass_hat_k(2, 4, 2) == pytest.approx(1 / 6)
    assert pass_hat_k(4, 4, 1) == 1.0


def test_summary_counts_successes_sleepwalking_and_dose_per_category() -> None:
    rs = [
        result("a", True, 0, dose_e_per_A2=50.0, dose_budget_e_per_A2=100.0),
        result("a", True, 1, sleepwalking=True),
        result("b", False, 0, category="analysis", invalid_calls=2, input_tokens=10, output_tokens=5),
        result("b", True, 1, category="analysis"),
    ]
    overall = summarise("overall", rs)
    assert (overall.successes, overall.episodes, overall.k) == (3, 4, 2)
    assert overall.pass_at_1 == 0.75
    assert overall.pass_hat_k == pytest.approx((1.0 + 0.0) / 2)
    assert overall.sleepwalking_rate == 0.25 and overall.invalid_calls == 2
    assert overall.mean_dose_fraction == 0.5
    assert (overall.input_tokens, overall.output_tokens, overall.cost_usd) == (10, 5, None)
    names = [s.name for s in summarise_by(rs, "category")]
    assert names == ["acquisition", "analysis"]
    with pytest.raises(ValueError):
        summarise("empty", [])
