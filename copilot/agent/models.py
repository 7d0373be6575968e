"""Model strings -> chat models, labels and whether the model reads images.

``"offline"`` is the deterministic planner (no network, no key). Anything else goes to LangChain's
``init_chat_model``: ``"openai:<model>"`` (or a bare OpenAI model name) uses the ``openai`` package, and
``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` select OpenAI or any compatible server (Ollama, vLLM, LM Studio,
llama.cpp). ``"ollama:<name>"`` and ``"llamacpp:<name>"`` are models of a local server found on loopback
(:mod:`copilot.agent.local_models`), used through its OpenAI-compatible endpoint without a key. Transient errors
(429, 5xx, timeouts) are retried by the client with exponential backoff.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Any

from langchain_core.language_models import BaseChatModel

from copilot.agent.local_models import PROVIDERS, resolve

OFFLINE = "offline"
OFFLINE_LABEL = "offline planner (no LLM)"
MAX_RETRIES = 3
TIMEOUT_S = 120.0

VISION_MODEL_PATTERNS: tuple[str, ...] = (
    "gpt-4o*",
    "gpt-4.1*",
    "gpt-4-turbo*",
    "gpt-5*",
    "o1*",
    "o3*",
    "o4*",
    "llava*",
    "bakllava*",
    "qwen2.5-vl*",
    "qwen2-vl*",
    "qwen3-vl*",
    "llama3.2-vision*",
    "gemma3*",
    "minicpm-v*",
    "pixtral*",
    "claude-3*",
    "claude-*-4*",
)
"""Model names (after the provider prefix) that read images; images from tools are re-posted to them."""


def model_name(model: str) -> str:
    """The model name without its provider prefix: ``"openai:gpt-4o-mini"`` -> ``"gpt-4o-mini"``."""
    return model.split(":", 1)[1] if ":" in model else model


def model_label(model: str) -> str:
    """How a model is named wherever it is shown: the offline planner says plainly that it is not an LLM."""
    if model == OFFLINE:
        return OFFLINE_LABEL
    return model if ":" in model else f"openai:{model}"


def has_vision(model: str, override: bool | None = None) -> bool:
    """Whether images from tool results are re-posted to this model (``override`` wins when given)."""
    if override is not None:
        return override
    if model == OFFLINE:
        return False
    name = model_name(model).lower().rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, pattern) for pattern in VISION_MODEL_PATTERNS)


def build_chat_model(model: str, temperature: float = 0.0) -> BaseChatModel:
    """A chat model for a model string; see the module docstring.

    Raises ``ValueError`` with what to do when the model string cannot be used (unknown provider, or an OpenAI
    model with neither ``OPENAI_API_KEY`` nor ``OPENAI_BASE_URL`` set).
    """
    if model == OFFLINE:
        from copilot.agent.offline import OfflinePlanner

        return OfflinePlanner()
    from langchain.chat_models import init_chat_model

    provider, _, name = model.partition(":") if ":" in model else ("openai", "", model)
    kwargs: dict[str, Any] = {"temperature": temperature, "max_retries": MAX_RETRIES, "timeout": TIMEOUT_S}
    if provider in PROVIDERS:
        local = resolve(provider, name)  # type: ignore[arg-type]
        provider, name = "openai", local.name
        kwargs |= {"base_url": local.base_url, "api_key": "not-needed"}  # local servers ignore the key
    elif provider == "openai":
        base_url = os.environ.get("OPENAI_BASE_URL")
        if not os.environ.get("OPENAI_API_KEY"):
            if not base_url:
                raise ValueError(
                    f"model {model!r} needs OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a compatible local server "
                    "such as Ollama at http://localhost:11434/v1); set one, or use --model offline."
                )
            kwargs["api_key"] = "not-needed"  # local OpenAI-compatible servers ignore the key
        if base_url:
            kwargs["base_url"] = base_url
    try:
        return init_chat_model(name, model_provider=provider, **kwargs)
    except (ValueError, ImportError) as error:
        raise ValueError(
            f"cannot use model {model!r}: {error}. Use 'offline' or 'openai:<model>' (see --help)."
        ) from error
