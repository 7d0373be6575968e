"""A task fails when its expected facts could be read from a tool description or a status field at its start."""

from __future__ import annotations

from types import SimpleNamespace

from copilot.eval.episode import Episode
from copilot.eval.leaks import field_text, start_texts
from copilot.eval.scoring import score_episode

DRIFT_FACT = {"type": "fact", "truth": "drift_rate_nm_per_s", "tol": 0.1, "unit": "nm/s"}


def _episode(texts: dict[str, str], answer: str = "The drift is 0.31 nm/s.") -> Episode:
    return Episode("t", {}, {}, answer=answer, truth={"drift_rate_nm_per_s": 0.3}, start_texts=texts)


def test_status_fields_are_written_with_the_unit_their_key_names() -> None:
    assert field_text("drift_nm_per_s", 0.3) == "drift_nm_per_s: 0.3 nm/s"
    assert field_text("scan.fov_nm", 200.0) == "scan.fov_nm: 200.0 nm"
    assert field_text("specimen", "graphene") == "specimen: graphene"


def test_a_fact_shown_in_the_status_fails_the_task_even_with_a_right_answer() -> None:
    texts = start_texts([], {"settings": {"drift_nm_per_s": 0.3, "scan": {"fov_nm": 8.0}}})
    checks = {c.kind: c for c in score_episode([{**DRIFT_FACT, "traceable": False}], _episode(texts))}
    assert checks["fact"].passed
    assert not checks["no_leak"].passed
    assert "status field settings.drift_nm_per_s" in checks["no_leak"].detail


def test_a_fact_quoted_in_a_tool_description_is_a_leak() -> None:
    tool = SimpleNamespace(
        name="estimate_drift", description="e.g. returns 0.3 nm/s for a good stage", input_schema={}, output_schema={}
    )
    (leak,) = [c for c in score_episode([DRIFT_FACT], _episode(start_texts([tool], {}))) if c.kind == "no_leak"]
    assert not leak.passed and "the description of tool estimate_drift" in leak.detail


def test_numbers_that_do_not_match_the_fact_or_its_unit_are_no_leak() -> None:
    tool = SimpleNamespace(name="set_scan", description="dwell 0.3 us per pixel", input_schema={}, output_schema={})
    texts = start_texts([tool], {"settings": {"drift_nm_per_s": 2.0}})
    (leak,) = [c for c in score_episode([DRIFT_FACT], _episode(texts)) if c.kind == "no_leak"]
    assert leak.passed


def test_tasks_without_facts_get_no_leak_check() -> None:
    assert [c.kind for c in score_episode([{"type": "no_sleepwalking"}], _episode({}))] == [
        "no_sleepwalking",
        "budget",
    ]
