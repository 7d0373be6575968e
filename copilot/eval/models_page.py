"""`copilot eval models A/report.json B/report.json ...`: one comparison page across models (Markdown and HTML).

One row per run: the model, episodes, pass@1 with its 95 % Wilson interval, pass^k, partial credit, tokens and cost;
then pass@1 per category side by side (a dash where a run has no task of that category), so the runs of several
models on the same suite can be read at a glance.
"""

from __future__ import annotations

import html
from typing import Any

from copilot.eval.tables import ci_text, pct

OVERVIEW_HEADER = ["model", "episodes", "pass@1 [95% CI]", "pass^k", "partial", "tokens in/out", "cost USD"]


def overview_row(report: dict[str, Any]) -> list[str]:
    o = report["overall"]
    tokens = o.get("input_tokens"), o.get("output_tokens")
    cost = o.get("cost_usd")
    return [
        str(report["model"]),
        str(o["episodes"]),
        f"{pct(o['pass_at_1'])} {ci_text(o['pass_at_1_ci'])}",
        f"{pct(o['pass_hat_k'])} (k={o['k']})",
        f"{o['partial_credit']:.2f}",
        "-" if tokens == (None, None) else f"{tokens[0] or 0}/{tokens[1] or 0}",
        "-" if cost is None else f"{cost:.4f}",
    ]


def category_table(reports: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Header (category, one column per run) and rows of pass@1 per category."""
    names = sorted({s["name"] for r in reports for s in r["categories"]})
    by_run = [{s["name"]: s for s in r["categories"]} for r in reports]
    rows = [[name] + [pct(run[name]["pass_at_1"]) if name in run else "-" for run in by_run] for name in names]
    return ["category"] + [str(r["model"]) for r in reports], rows


def render_models_markdown(reports: list[dict[str, Any]]) -> str:
    def table(header: list[str], rows: list[list[str]]) -> list[str]:
        return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
            "| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows
        ]

    header, rows = category_table(reports)
    lines = ["## Models compared", "", *table(OVERVIEW_HEADER, [overview_row(r) for r in reports]), ""]
    lines += ["pass@1 per category:", "", *table(header, rows), ""]
    return "\n".join(lines)


def render_models_html(reports: list[dict[str, Any]]) -> str:
    def table(header: list[str], rows: list[list[str]]) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table><tr>{head}</tr>{body}</table>"

    header, rows = category_table(reports)
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:0.5em 0 1.5em}"
        "th,td{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}th{background:#f0f0f0}"
        "td:first-child,th:first-child{text-align:left}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Models compared</title><style>{style}</style>"
        f"</head><body><h1>Models compared</h1>{table(OVERVIEW_HEADER, [overview_row(r) for r in reports])}"
        f"<h2>pass@1 per category</h2>{table(header, rows)}</body></html>"
    )
