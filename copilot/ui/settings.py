"""What the sidebar chooses: the model (and its endpoint), the specimen, the seed and the dose budget.

The API key of an OpenAI-compatible endpoint is kept out of every ``repr``, log line and message: ``redact``
removes it from any text before the page shows it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

OFFLINE_MODEL = "offline"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_DOSE_BUDGET_E_PER_A2 = 1.0e7
DATA_DIR_ENV = "COPILOT_DATA_DIR"
MCP_URL_ENV = "COPILOT_MCP_URL"
MODEL_ENV = "COPILOT_MODEL"
MODEL_PROVIDERS = ("openai", "ollama", "llamacpp")
_REDACTED = "[key hidden]"


@dataclass(frozen=True)
class ModelChoice:
    """``offline`` (the deterministic planner) or an OpenAI-compatible model with optional endpoint and key."""

    name: str = OFFLINE_MODEL  # "offline" or the endpoint's model name, e.g. "gpt-4o-mini", "llama3.1"
    base_url: str = ""
    api_key: str = field(default="", repr=False)
    provider: str = "openai"  # or a local server found on loopback: "ollama", "llamacpp"

    @property
    def offline(self) -> bool:
        return self.name == OFFLINE_MODEL

    @property
    def model_string(self) -> str:
        """The model string the agent understands: ``offline``, ``openai:<name>`` or ``ollama:<name>``."""
        return OFFLINE_MODEL if self.offline else f"{self.provider}:{self.name}"

    @classmethod
    def from_string(cls, model: str) -> ModelChoice:
        """Parse ``offline``, ``openai:<name>``, ``ollama:<name>`` or ``llamacpp:<name>`` (``copilot ui --model``)."""
        text = model.strip()
        if text in ("", OFFLINE_MODEL):
            return cls()
        prefix, _, name = text.partition(":")
        if prefix not in MODEL_PROVIDERS or not name:
            raise ValueError(
                f"unknown model {model!r}; use 'offline' or 'openai:<model name>' "
                "(or a local 'ollama:<name>' / 'llamacpp:<name>')"
            )
        return cls(name=name, provider=prefix)


@dataclass(frozen=True)
class SessionChoice:
    """The specimen and seed a new session starts with, and its dose budget."""

    specimen: str = "graphene"
    seed: int = 0
    dose_budget_e_per_A2: float = DEFAULT_DOSE_BUDGET_E_PER_A2


def redact(text: str, *secrets: str) -> str:
    """``text`` with every non-empty secret replaced by a marker."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def data_root() -> Path:
    """Where the UI keeps its sessions: ``$COPILOT_DATA_DIR`` or ``~/.microscope-copilot/sessions``."""
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".microscope-copilot" / "sessions"


def local_model_options() -> list[str]:
    """``ollama:<name>`` / ``llamacpp:<name>`` of every model a local server on loopback offers right now."""
    from copilot.agent.local_models import detect_local_models

    return [m.model for m in detect_local_models()]


def specimen_options() -> dict[str, str]:
    """Every specimen (STEM) and surface (AFM) a session can load, name → one-line description."""
    from copilot.twin import STEM_SPECIMENS
    from copilot.twin.afm import AFM_SURFACES

    return {**STEM_SPECIMENS, **AFM_SURFACES}
