"""A run against an OpenAI-compatible model records transcripts, tokens and cost, and `copilot eval replay`
re-scores the recording offline with the same verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.eval.cli import eval_app
from tests.agent.fake_openai import Scripted, serve_fake_openai

SCRIPT = [
    Scripted(tool_calls=[("acquire_image", {"detector": "HAADF"})]),
    Scripted(content="Acquired HAADF image a0001 at the current settings."),
]


pytestmark = pytest.mark.slow


@pytest.fixture
def recorded_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "run"
    with serve_fake_openai(SCRIPT) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        args = ["--model", "openai:gpt-4o-mini", "--tasks", "stem-acq-haadf-now", "--first-paraphrase-only"]
        result = CliRunner().invoke(eval_app, [*args, "--usd-per-mtok", "2.5,10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_a_real_model_run_keeps_the_transcript_tokens_and_cost(recorded_run: Path) -> None:
    report = json.loads((recorded_run / "report.json").read_text())
    (episode,) = report["episodes"]
    assert episode["success"], episode["checks"]
    assert "gpt-4o-mini" in report["model"]
    # the fake reports 11 prompt and 7 completion tokens per request, two requests
    assert (episode["input_tokens"], episode["output_tokens"]) == (22, 14)
    assert episode["cost_usd"] == pytest.approx((22 * 2.5 + 14 * 10) / 1e6)
    transcript = (recorded_run / "runs" / "stem-acq-haadf-now" / "p0-t0" / "transcript.jsonl").read_text()
    kinds = [json.loads(line)["kind"] for line in transcript.splitlines()]
    assert kinds[0] == "user" and "tool_call" in kinds and "tool_result" in kinds and kinds[-1] == "final"


def test_replay_rescores_the_recording_offline_with_the_same_verdicts(
    recorded_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens: no model is asked
    result = CliRunner().invoke(eval_app, ["replay", str(recorded_run)])
    assert result.exit_code == 0, result.output
    assert "verdicts that differ from the recording: 0" in result.output
    replayed = json.loads((recorded_run / "replay" / "report.json").read_text())
    (episode,) = replayed["episodes"]
    assert episode["success"] and episode["answer"].strip() == "Acquired HAADF image a0001 at the current settings."
    assert episode["input_tokens"] == 22 and replayed["config"]["replay_of"] == str(recorded_run)


def test_replay_of_a_folder_without_a_run_says_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_app, ["replay", str(tmp_path)])
    assert result.exit_code == 2 and "report.json" in result.output.replace("\n", "")  # long paths wrap


def test_bad_prices_are_refused_before_anything_runs(tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_app, ["--model", "reference", "--usd-per-mtok", "cheap", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "INPUT,OUTPUT" in result.output
