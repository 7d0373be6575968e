"""The result of one episode as stored in the JSON report (a stable schema: fields are only ever added)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from copilot.eval.check_base import CheckResult

REPORT_SCHEMA_VERSION = 1


def episode_key(task_id: str, paraphrase: int, trial: int) -> str:
    """The key of one episode in reports and recordings: ``task#pN#tM``."""
    return f"{task_id}#p{paraphrase}#t{trial}"


def key_of(episode: dict[str, Any]) -> str:
    """The key of an episode of a JSON report."""
    return episode_key(episode["task_id"], episode["paraphrase"], episode["trial"])


@dataclass
class EpisodeResult:
    task_id: str
    category: str
    instrument: str
    paraphrase: int
    trial: int
    seed: int
    instruction: str
    success: bool
    score: float  # partial credit: mean of the check scores
    checks: list[CheckResult]
    outcome: str = "completed"
    steps: int = 0
    tool_calls: int = 0
    invalid_calls: int = 0
    guard_rejections: int = 0
    approvals_requested: int = 0
    sleepwalking: bool = False
    dose_e_per_A2: float = 0.0
    dose_budget_e_per_A2: float | None = None
    instrument_time_s: float = 0.0
    wall_time_s: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    answer: str = ""
    errors: list[str] = field(default_factory=list)
    images_png_b64: list[str] = field(default_factory=list)  # thumbnails of the run's images
    run_dir: str = ""  # where transcript.jsonl and journal.jsonl of this run are

    @property
    def key(self) -> str:
        return episode_key(self.task_id, self.paraphrase, self.trial)

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]

    @property
    def dose_fraction(self) -> float | None:
        if not self.dose_budget_e_per_A2:
            return None
        return self.dose_e_per_A2 / self.dose_budget_e_per_A2

    def to_dict(self, with_images: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not with_images:
            d.pop("images_png_b64")
        return d
