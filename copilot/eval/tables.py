"""Table cells of a summary, shared by the Markdown and HTML reports and the terminal."""

from __future__ import annotations

from typing import Any


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def ci_text(ci: tuple[float, float] | list[float]) -> str:
    return f"[{100 * ci[0]:.0f}, {100 * ci[1]:.0f}]"


def summary_row(s: dict[str, Any]) -> list[str]:
    """The table cells of one summary, shared by Markdown and HTML."""
    dose = s["mean_dose_fraction"]
    tokens = s["input_tokens"], s["output_tokens"]
    return [
        s["name"],
        str(s["episodes"]),
        f"{pct(s['pass_at_1'])} {ci_text(s['pass_at_1_ci'])}",
        f"{pct(s['pass_hat_k'])} (k={s['k']})",
        f"{s['partial_credit']:.2f}",
        f"{s['mean_steps']:.1f}",
        f"{s['invalid_calls']}",
        f"{s['guard_rejections']}",
        pct(s["sleepwalking_rate"]),
        "-" if dose is None else pct(dose),
        f"{s['mean_instrument_time_s']:.1f}",
        f"{s['mean_wall_time_s']:.2f}",
        "-" if tokens == (None, None) else f"{tokens[0] or 0}/{tokens[1] or 0}",
    ]


SUMMARY_HEADER = [
    "name",
    "episodes",
    "pass@1 [95% CI]",
    "pass^k",
    "partial",
    "steps",
    "invalid",
    "guard",
    "sleepwalk",
    "dose/budget",
    "instr. s",
    "wall s",
    "tokens in/out",
]


COMPACT_COLUMNS = ("name", "episodes", "pass@1 [95% CI]", "pass^k", "partial", "steps", "sleepwalk")


def compact_row(s: dict[str, Any]) -> list[str]:
    """The cells of ``COMPACT_COLUMNS`` for one summary (for narrow terminals)."""
    full = dict(zip(SUMMARY_HEADER, summary_row(s), strict=True))
    return [full[c] for c in COMPACT_COLUMNS]
