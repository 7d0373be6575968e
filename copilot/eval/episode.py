"""What one episode (one task, one paraphrase, one trial) produced: the record every check is judged on.

An :class:`Episode` is plain data: the instrument snapshot before and after, every tool call with its outcome,
the final answer, and the ground-truth values the task's checks asked for. Checks never touch the twin, so they can
be tested on purpose-built episodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from copilot.eval.frames import Frame

# Words in a tool error that mark a guard (dose budget, approval, limits) rather than a malformed call.
_GUARD_PATTERN = re.compile(r"dose budget|critical dose|DoseBudget|approv|rejected by|not approved|guard", re.I)
# Errors of the instrument itself (injected faults, interlocks): neither a malformed call nor a guard.
_FAULT_PATTERN = re.compile(r"ScanAbortedError|BeamBlankedError|scan was aborted|beam is blanked", re.I)


@dataclass
class CallRecord:
    """One tool call as the episode saw it."""

    name: str
    args: dict[str, Any]
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)  # structured result, or {"error": message}
    text: str = ""
    specimen_xy_nm: tuple[float, float] | None = None  # for point spectra: where on the specimen, if known

    @property
    def error(self) -> str:
        return "" if self.ok else str(self.data.get("error", self.text))

    @property
    def instrument_fault(self) -> bool:
        """The call failed because of the instrument (an aborted scan, a blanked beam), not the caller."""
        return not self.ok and bool(_FAULT_PATTERN.search(self.error))

    @property
    def guard_rejected(self) -> bool:
        """The call was refused by a guard (dose budget, approval), not because it was malformed."""
        return not self.ok and bool(_GUARD_PATTERN.search(self.error))


@dataclass
class Episode:
    """The judged record of one run."""

    task_id: str
    initial_state: dict[str, Any]
    final_state: dict[str, Any]
    calls: list[CallRecord] = field(default_factory=list)
    answer: str = ""
    truth: dict[str, Any] = field(default_factory=dict)
    read_only_tools: frozenset[str] = frozenset()
    dose_e_per_A2: float = 0.0  # highest accumulated dose on any specimen area during the episode
    damaged_atoms: int = 0
    instrument_time_s: float = 0.0
    steps: int = 0
    outcome: str = "completed"  # completed | timeout | step_limit | error
    approvals_requested: int = 0
    errors: list[str] = field(default_factory=list)  # model / harness errors (not tool errors)
    max_steps: int = 0
    dose_budget_e_per_A2: float | None = None
    instrument_time_budget_s: float | None = None
    allowed_changes: tuple[str, ...] = ()
    frame: Frame | None = None  # the image the answer's facts are judged in (None: the final field of view)
    drift_nm_per_s: float = 0.0  # the true drift speed (ground truth), for position tolerances
    start_texts: dict[str, str] = field(default_factory=dict)  # what the agent could read before measuring

    @property
    def tool_outputs_text(self) -> str:
        """Every successful tool output as one text, for tracing the numbers of an answer."""
        return "\n".join(f"{c.text} {c.data}" for c in self.calls if c.ok)

    @property
    def invalid_calls(self) -> int:
        return sum(1 for c in self.calls if not c.ok and not c.guard_rejected and not c.instrument_fault)

    @property
    def guard_rejections(self) -> int:
        return sum(1 for c in self.calls if c.guard_rejected)
