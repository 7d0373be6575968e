"""Local model servers on this machine: Ollama and the llama.cpp server, found on loopback and used through their
OpenAI-compatible endpoints.

``ollama:<name>`` is a model of a running Ollama (``ollama serve``; models listed by ``GET /api/tags``), talked to
at ``http://127.0.0.1:11434/v1``; ``llamacpp:<name>`` is the model a ``llama-server`` serves (``GET /v1/models``)
at ``http://127.0.0.1:8080/v1``. ``OLLAMA_HOST`` (Ollama's own variable) and ``LLAMACPP_HOST`` move them to
another port; only loopback hosts are accepted, so detection never leaves the machine.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx

LocalProvider = Literal["ollama", "llamacpp"]
PROVIDERS: tuple[LocalProvider, ...] = ("ollama", "llamacpp")
DEFAULT_HOSTS: dict[LocalProvider, str] = {"ollama": "127.0.0.1:11434", "llamacpp": "127.0.0.1:8080"}
HOST_ENV: dict[LocalProvider, str] = {"ollama": "OLLAMA_HOST", "llamacpp": "LLAMACPP_HOST"}
LISTING: dict[LocalProvider, str] = {"ollama": "/api/tags", "llamacpp": "/v1/models"}
PROBE_TIMEOUT_S = 0.5
START_HINT: dict[LocalProvider, str] = {
    "ollama": "start it with 'ollama serve' and fetch a model with 'ollama pull <name>'",
    "llamacpp": "start it with 'llama-server -m <model.gguf> --port 8080 --jinja'",
}


@dataclass(frozen=True)
class LocalModel:
    """A model a local server offers: ``model`` is the string for ``--model`` (``ollama:llama3.2``)."""

    provider: LocalProvider
    name: str
    base_url: str

    @property
    def model(self) -> str:
        return f"{self.provider}:{self.name}"


def server_url(provider: LocalProvider) -> str:
    """``http://host:port`` of a provider's server (``$OLLAMA_HOST`` / ``$LLAMACPP_HOST`` or the default).

    Raises ValueError when the configured host is not a loopback address.
    """
    raw = os.environ.get(HOST_ENV[provider], "").strip() or DEFAULT_HOSTS[provider]
    url = raw if "://" in raw else f"http://{raw}"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not _loopback(host):
        raise ValueError(f"{HOST_ENV[provider]}={raw!r} is not a loopback address; local models run on 127.0.0.1.")
    port = parts.port or int(DEFAULT_HOSTS[provider].rsplit(":", 1)[1])
    return f"{parts.scheme or 'http'}://{host if ':' not in host else f'[{host}]'}:{port}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def list_models(provider: LocalProvider, timeout_s: float = PROBE_TIMEOUT_S) -> list[LocalModel]:
    """The models a running local server offers, or ``[]`` when none answers (nothing is started or pulled)."""
    base = server_url(provider)
    try:
        response = httpx.get(base + LISTING[provider], timeout=timeout_s)
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError):
        return []
    entries = body.get("models", []) if provider == "ollama" else body.get("data", [])
    key = "name" if provider == "ollama" else "id"
    names = [str(e[key]) for e in entries if isinstance(e, dict) and e.get(key)]
    return [LocalModel(provider, name, f"{base}/v1") for name in names]


def detect_local_models(timeout_s: float = PROBE_TIMEOUT_S) -> list[LocalModel]:
    """Every model of every local server that answers (Ollama first, then llama.cpp)."""
    found: list[LocalModel] = []
    for provider in PROVIDERS:
        try:
            found += list_models(provider, timeout_s)
        except ValueError:  # a non-loopback host is configured: not a local server
            continue
    return found


def resolve(provider: LocalProvider, name: str) -> LocalModel:
    """The local model ``provider:name``; ValueError saying what to start or pull when it is not there."""
    base = server_url(provider)
    offered = list_models(provider)
    if not offered:
        raise ValueError(f"no {provider} server answers at {base}: {START_HINT[provider]}.")
    for model in offered:
        if model.name == name or (provider == "ollama" and model.name == f"{name}:latest"):
            return model
    if provider == "llamacpp" and len(offered) == 1:
        return LocalModel(provider, name, offered[0].base_url)  # llama-server answers to any model name
    names = ", ".join(m.name for m in offered)
    raise ValueError(f"{provider} at {base} has no model {name!r}; it offers: {names}.")
