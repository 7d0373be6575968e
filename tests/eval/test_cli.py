"""`copilot eval` and `copilot eval compare` as typer commands."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from copilot.eval.cli import eval_app


def test_eval_with_the_reference_model_writes_reports_and_compare_reads_them(tmp_path: Path) -> None:
    runner = CliRunner()
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    for out in (out_a, out_b):
        result = runner.invoke(eval_app, ["--model", "reference", "--tasks", "stem-param-energy", "--out", str(out)])
        assert result.exit_code == 0, result.output
    report = json.loads((out_a / "report.json").read_text())
    assert report["model"] == "reference solution (replay)" and report["overall"]["episodes"] == 3
    assert [p["name"] for p in report["paraphrases"]] == ["0", "1", "2"]
    assert (out_a / "report.md").exists() and (out_a / "report.html").exists()
    result = runner.invoke(eval_app, ["compare", str(out_a / "report.json"), str(out_b / "report.json")])
    assert result.exit_code == 0, result.output
    assert "fixed (0)" in result.output and "broken (0)" in result.output


def test_eval_reports_a_bad_suite_name_and_compare_a_bad_file(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(eval_app, ["--tasks", "nonsense-suite", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "neither a task file" in " ".join(result.output.split())
    result = runner.invoke(eval_app, ["--model", "openai:gpt-4o-mini", "--tasks", "stem-param", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "OPENAI_API_KEY" in " ".join(result.output.split())
    bogus = tmp_path / "x.json"
    bogus.write_text("{}")
    result = runner.invoke(eval_app, ["compare", str(bogus), str(bogus)])
    assert result.exit_code == 2 and "not an evaluation report" in " ".join(result.output.split())
