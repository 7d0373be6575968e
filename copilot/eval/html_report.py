"""The self-contained HTML page of a run: a table per category, failing checks spelled out, images inline."""

from __future__ import annotations

import html
from typing import Any

from copilot.eval.results import key_of
from copilot.eval.tables import SUMMARY_HEADER, summary_row

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}
.pass{color:#186a3b}.fail{color:#a93226}
details{margin:4px 0}summary{cursor:pointer}
img{max-width:220px;margin:2px;border:1px solid #ddd;image-rendering:pixelated}
.answer{white-space:pre-wrap;background:#fafafa;padding:4px;font-size:12px}
"""


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _episode(e: dict[str, Any], images: list[str]) -> str:
    status = "pass" if e["success"] else "fail"
    title = (
        f"<span class='{status}'>{status.upper()}</span> {html.escape(e['task_id'])} paraphrase {e['paraphrase']} "
        f"trial {e['trial']}: score {e['score']:.2f}, {e['steps']} steps, {e['outcome']}"
    )
    checks = "".join(
        f"<li class='{'pass' if c['passed'] else 'fail'}'>{html.escape(c['kind'])}: {html.escape(c['detail'])}</li>"
        for c in e["checks"]
    )
    errors = "".join(f"<li class='fail'>{html.escape(err)}</li>" for err in e.get("errors", []))
    pictures = "".join(f"<img alt='run image' src='data:image/png;base64,{b64}'>" for b64 in images)
    return (
        f"<details{' open' if not e['success'] else ''}><summary>{title}</summary>"
        f"<p><b>Instruction:</b> {html.escape(e['instruction'])}</p><ul>{checks}{errors}</ul>"
        f"<div class='answer'>{html.escape(e['answer'])}</div>{pictures}"
        f"<p><small>transcript and journal: {html.escape(e.get('run_dir', ''))}</small></p></details>"
    )


def render_html(report: dict[str, Any], images: dict[str, list[str]]) -> str:
    """The whole page as a string; ``images`` maps an episode key (task#pN#tM) to base64 PNG thumbnails."""
    o = report["overall"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Evaluation: {html.escape(report['model'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Evaluation: {html.escape(report['model'])}</h1>",
        f"<p>{o['successes']}/{o['episodes']} episodes passed, created {html.escape(report['created_utc'])}. "
        f"Configuration: {html.escape(str(report['config']))}</p>",
        "<h2>Overall and by category</h2>",
        _table(SUMMARY_HEADER, [summary_row(s) for s in report["categories"]] + [summary_row(o)]),
    ]
    by_task = {s["name"]: s for s in report["tasks"]}
    for cat in report["categories"]:
        episodes = [e for e in report["episodes"] if e["category"] == cat["name"]]
        task_ids = sorted({e["task_id"] for e in episodes})
        parts.append(f"<h2>{html.escape(cat['name'])}</h2>")
        parts.append(_table(SUMMARY_HEADER, [summary_row(by_task[t]) for t in task_ids]))
        for e in episodes:
            key = key_of(e)
            parts.append(_episode(e, images.get(key, [])))
    parts.append("</body></html>")
    return "\n".join(parts)
