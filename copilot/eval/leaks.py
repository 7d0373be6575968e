"""No leak: a task's expected facts must not be readable from what the agent sees before it measures anything.

At the start of every episode (after the task's set-up) the runner keeps the text of every tool description (with
its input and output schemas: parameter descriptions and examples included) and of every field of the instrument
status, as ``get_status`` reports it, each field written with the unit its key names (``drift_nm_per_s: 0.3 nm/s``).
The always-on ``no_leak`` check judges each of the task's fact checks against each of those texts, as if the text
were the answer (without the tracing rule): a fact that passes on a tool description or a status field could be
answered without measuring, and the task fails. The fix belongs in the task (ask for something the status cannot
tell) or in the tools (hide the ground truth), never in the check. A fact the task asks to be read from the status
(``from_status: true``, e.g. "how much dose have I used?") is exempt.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from copilot.eval.check_base import Check, CheckResult, flatten
from copilot.eval.episode import Episode
from copilot.eval.facts import FactCheck

# Units named by the suffix of a setting key, longest first.
KEY_UNITS = (
    ("_nm_per_s", "nm/s"),
    ("_e_per_A2", "e-/A^2"),
    ("_nm", "nm"),
    ("_um", "um"),
    ("_kv", "kV"),
    ("_pa", "pA"),
    ("_deg", "deg"),
    ("_mrad", "mrad"),
    ("_us", "us"),
    ("_ms", "ms"),
    ("_s", "s"),
    ("_hz", "Hz"),
    ("_v", "V"),
)


def field_text(path: str, value: Any) -> str:
    """A status field as a sentence with the unit its key names: ``"scan.fov_nm: 200 nm"``."""
    unit = next((u for suffix, u in KEY_UNITS if path.lower().endswith(suffix.lower())), "")
    return f"{path}: {value} {unit}".rstrip()


def start_texts(tools: list[Any], status: dict[str, Any]) -> dict[str, str]:
    """What the agent can read without measuring, by source: each tool's description and schemas, and each status
    field."""
    out = {
        f"the description of tool {t.name}": " ".join(
            (t.description or "", json.dumps(t.input_schema), json.dumps(t.output_schema or {}))
        )
        for t in tools
    }
    for path, value in flatten(status).items():
        out[f"status field {path}"] = field_text(path, value)
    return out


class NoLeakCheck(Check):
    """None of the task's facts (``facts``: its fact check specs) can be read from a tool description or a status
    field at the start of the episode."""

    kind = "no_leak"

    def evaluate(self, ep: Episode) -> CheckResult:
        leaks = []
        for spec in self.spec.get("facts", []):
            if _is_empty(ep.truth.get(spec["truth"])):
                continue  # nothing to state (no defect in view, no particle): no answer can leak it
            probe = FactCheck({**spec, "traceable": False})
            source = next(
                (s for s, text in ep.start_texts.items() if probe.evaluate(replace(ep, answer=text)).passed), None
            )
            if source is not None:
                leaks.append(f"{spec['truth']} can be read from {source}")
        if leaks:
            return self.result(False, "the answer leaks: " + "; ".join(leaks))
        return self.result(True, f"no fact of the task is readable from {len(ep.start_texts)} start texts")

    def truth_names(self) -> list[tuple[str, dict[str, Any]]]:
        return [req for spec in self.spec.get("facts", []) for req in FactCheck(spec).truth_names()]


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, list) and not value)


def leak_check_spec(specs: list[dict[str, Any]]) -> dict[str, Any]:
    """The always-on ``no_leak`` entry for a task with these checks."""
    facts = [s for s in specs if s["type"] == FactCheck.kind and not s.get("from_status")]
    return {"type": NoLeakCheck.kind, "facts": facts}
