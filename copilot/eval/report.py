"""Report writers: JSON (stable schema, for tools), Markdown (a PR comment) and the HTML page (for people).

``report.json`` holds ``schema_version``, ``model``, ``config``, ``overall``, ``categories``, ``tasks`` (each a
summary from :mod:`copilot.eval.metrics`) and ``episodes`` (each an :class:`EpisodeResult` without images).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copilot.eval.html_report import render_html
from copilot.eval.metrics import summarise, summarise_by
from copilot.eval.results import REPORT_SCHEMA_VERSION, EpisodeResult
from copilot.eval.tables import SUMMARY_HEADER, ci_text, pct, summary_row


def build_report(results: list[EpisodeResult], model: str, config: dict[str, Any]) -> dict[str, Any]:
    """The JSON-ready report of a run."""
    ordered = sorted(results, key=lambda r: (r.task_id, r.paraphrase, r.trial))
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "model": model,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": config,
        "overall": asdict(summarise("overall", ordered)),
        "categories": [asdict(s) for s in summarise_by(ordered, "category")],
        "instruments": [asdict(s) for s in summarise_by(ordered, "instrument")],
        "paraphrases": [asdict(s) for s in summarise_by(ordered, "paraphrase")],
        "tasks": [asdict(s) for s in summarise_by(ordered, "task_id")],
        "episodes": [r.to_dict() for r in ordered],
    }


def load_report(path: Path) -> dict[str, Any]:
    """Read a ``report.json``; raises ``ValueError`` naming the file when it is not one."""
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read an evaluation report ({exc}).") from exc
    if not isinstance(data, dict) or "schema_version" not in data or "episodes" not in data:
        raise ValueError(f"{path}: not an evaluation report (no schema_version / episodes); pass a report.json.")
    return data


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows]
    return lines


def render_markdown(report: dict[str, Any], max_failures: int = 40) -> str:
    """A compact Markdown summary: overall, per category, and the failing checks."""
    o = report["overall"]
    lines = [
        f"## Evaluation: {report['model']}",
        "",
        f"**{o['successes']}/{o['episodes']} episodes passed: pass@1 {pct(o['pass_at_1'])} "
        f"(95% CI {ci_text(o['pass_at_1_ci'])}), pass^{o['k']} {pct(o['pass_hat_k'])}, "
        f"partial credit {o['partial_credit']:.2f}.**",
        "",
        *_md_table(SUMMARY_HEADER, [summary_row(s) for s in report["categories"]] + [summary_row(o)]),
        "",
        "By wording (paraphrase 0 is each task's canonical instruction) and by instrument:",
        "",
        *_md_table(
            SUMMARY_HEADER,
            [summary_row({**s, "name": f"paraphrase {s['name']}"}) for s in report.get("paraphrases", [])]
            + [summary_row(s) for s in report.get("instruments", [])],
        ),
        "",
    ]
    failures = [e for e in report["episodes"] if not e["success"]]
    if failures:
        lines += ["### Failures", ""]
        for e in failures[:max_failures]:
            why = "; ".join(f"{c['kind']}: {c['detail']}" for c in e["checks"] if not c["passed"])
            lines.append(f"- `{e['task_id']}` paraphrase {e['paraphrase']} trial {e['trial']}: {why}")
        if len(failures) > max_failures:
            lines.append(f"- ... and {len(failures) - max_failures} more (see report.json)")
    return "\n".join(lines) + "\n"


def write_reports(
    out_dir: Path, results: list[EpisodeResult], model: str, config: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Path]]:
    """Write ``report.json``, ``report.md`` and ``report.html`` into ``out_dir``; return the report and paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = build_report(results, model, config)
    paths = {"json": out_dir / "report.json", "markdown": out_dir / "report.md", "html": out_dir / "report.html"}
    paths["json"].write_text(json.dumps(report, indent=1, sort_keys=True), encoding="utf-8")
    paths["markdown"].write_text(render_markdown(report), encoding="utf-8")
    images = {r.key: r.images_png_b64 for r in results}
    paths["html"].write_text(render_html(report, images), encoding="utf-8")
    return report, paths
