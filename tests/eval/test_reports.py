"""Report writers produce a stable JSON, Markdown with failures spelled out, HTML with images; compare diffs runs."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from copilot.eval.check_base import CheckResult
from copilot.eval.compare import compare_reports, flipped_episodes
from copilot.eval.report import load_report, write_reports
from copilot.eval.results import EpisodeResult


def png_b64() -> str:
    buf = io.BytesIO()
    Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def episode(task: str, category: str, success: bool, trial: int = 0) -> EpisodeResult:
    checks = [
        CheckResult("state", True, 1.0, "beam.energy_kv = 80"),
        CheckResult("fact", success, float(success), "atom_count: answer 90 vs truth 120 <&>"),
    ]
    return EpisodeResult(
        task,
        category,
        "stem",
        0,
        trial,
        7,
        "count the atoms",
        success,
        0.5 + 0.5 * success,
        checks,
        steps=3,
        tool_calls=3,
        answer="90 atoms",
        images_png_b64=[png_b64()],
    )


def test_reports_hold_summaries_failures_and_inline_images(tmp_path: Path) -> None:
    results = [episode("count", "analysis", False), episode("kv", "parameter_setting", True)]
    _report, paths = write_reports(tmp_path, results, "scripted", {"trials": 1})
    data = load_report(paths["json"])
    assert data["schema_version"] == 1 and data["model"] == "scripted"
    assert data["overall"]["successes"] == 1 and data["overall"]["episodes"] == 2
    assert [c["name"] for c in data["categories"]] == ["analysis", "parameter_setting"]
    assert "images_png_b64" not in data["episodes"][0]
    md = paths["markdown"].read_text()
    assert (
        "pass@1 50%" in md
        and "| paraphrase 0 |" in md
        and "`count` paraphrase 0 trial 0: fact: atom_count: answer 90 vs truth 120" in md
    )
    page = paths["html"].read_text()
    assert page.count("<h2>") == 3 and "data:image/png;base64," + png_b64() in page
    assert "&lt;&amp;&gt;" in page and "<&>" not in page


def test_compare_shows_changed_rates_and_flipped_episodes(tmp_path: Path) -> None:
    a, _ = write_reports(
        tmp_path / "a", [episode("count", "analysis", False), episode("kv", "parameter_setting", True)], "m", {}
    )
    b, _ = write_reports(
        tmp_path / "b",
        [
            episode("count", "analysis", True),
            episode("kv", "parameter_setting", False),
            episode("new", "alignment", True),
        ],
        "m",
        {},
    )
    changes = {(c.section, c.name): c for c in compare_reports(a, b)}
    assert changes[("task", "count")].delta == 1.0
    assert changes[("task", "kv")].delta == -1.0
    assert changes[("task", "new")].pass_a is None
    assert changes[("overall", "overall")].pass_b == 2 / 3
    assert flipped_episodes(a, b) == (["count#p0#t0"], ["kv#p0#t0"])


def test_load_report_rejects_a_file_that_is_not_a_report(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ValueError, match="not an evaluation report"):
        load_report(path)


def test_the_models_page_puts_runs_side_by_side_overall_and_per_category(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from copilot.eval.cli import eval_app

    strong = [episode("a", "analysis", True, t) for t in range(2)] + [episode("b", "feasibility", True)]
    weak = [episode("a", "analysis", True, 0), episode("a", "analysis", False, 1)]
    paths = []
    for name, results in (("strong", strong), ("weak", weak)):
        write_reports(tmp_path / name, results, f"model-{name}", {})
        paths.append(str(tmp_path / name / "report.json"))
    result = CliRunner().invoke(eval_app, ["models", *paths, "--out", str(tmp_path / "page")])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "page" / "models.md").read_text()
    assert "| model-strong | 3 | 100% [" in markdown and "| model-weak | 2 | 50% [" in markdown
    assert "| analysis | 100% | 50% |" in markdown and "| feasibility | 100% | - |" in markdown
    assert "<th>model-weak</th>" in (tmp_path / "page" / "models.html").read_text()
