"""Local models: a running Ollama or llama.cpp server on loopback is found, listed, and drives the microscope."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from typer.testing import CliRunner

from copilot.agent.local_models import detect_local_models, resolve, server_url
from copilot.agent.models import build_chat_model
from copilot.cli import app
from copilot.ui.settings import ModelChoice, local_model_options
from tests.agent.fake_openai import FakeOpenAI, Scripted, free_port

OLLAMA_TAGS = {"models": [{"name": "llama3.2:3b", "size": 2019393189}, {"name": "qwen2.5-vl:7b"}]}
LLAMACPP_MODELS = {"object": "list", "data": [{"id": "gemma-3-4b-it-Q4_K_M.gguf", "object": "model"}]}


@contextmanager
def fake_local_server(listing_path: str, listing: dict, replies: list[Scripted]) -> Iterator[tuple[str, FakeOpenAI]]:
    """A local model server on 127.0.0.1:<free port>: its model listing and OpenAI-compatible chat completions."""
    fake = FakeOpenAI(replies=list(replies))

    async def models(request: Request) -> JSONResponse:
        return JSONResponse(listing)

    routes = [Route(listing_path, models), Route("/v1/chat/completions", fake.completions, methods=["POST"])]
    port = free_port()
    config = uvicorn.Config(Starlette(routes=routes), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the fake local server did not start"
    try:
        yield f"127.0.0.1:{port}", fake
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def nothing_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{unused_port()}")
    monkeypatch.setenv("LLAMACPP_HOST", f"127.0.0.1:{unused_port()}")


def test_models_of_running_ollama_and_llama_cpp_servers_are_found(
    monkeypatch: pytest.MonkeyPatch, nothing_running: None
) -> None:
    assert detect_local_models() == []
    with (
        fake_local_server("/api/tags", OLLAMA_TAGS, []) as (ollama, _),
        fake_local_server("/v1/models", LLAMACPP_MODELS, []) as (llamacpp, _),
    ):
        monkeypatch.setenv("OLLAMA_HOST", ollama)
        monkeypatch.setenv("LLAMACPP_HOST", f"http://{llamacpp}")
        found = detect_local_models()
        assert [m.model for m in found] == [
            "ollama:llama3.2:3b",
            "ollama:qwen2.5-vl:7b",
            "llamacpp:gemma-3-4b-it-Q4_K_M.gguf",
        ]
        assert found[0].base_url == f"http://{ollama}/v1" and found[2].base_url == f"http://{llamacpp}/v1"
        assert local_model_options() == [m.model for m in found]  # what the UI's model choice offers


def test_the_default_endpoints_are_ollama_and_llama_cpp_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    monkeypatch.delenv("LLAMACPP_HOST", raising=False)
    assert server_url("ollama") == "http://127.0.0.1:11434"
    assert server_url("llamacpp") == "http://127.0.0.1:8080"


def test_a_host_off_the_machine_is_never_probed(monkeypatch: pytest.MonkeyPatch, nothing_running: None) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "10.0.0.5:11434")  # the conftest guard fails any request to it
    with pytest.raises(ValueError, match="not a loopback address"):
        server_url("ollama")
    assert detect_local_models() == []


@pytest.mark.slow
def test_an_ollama_model_string_builds_a_chat_model_on_the_openai_compatible_endpoint(
    monkeypatch: pytest.MonkeyPatch, nothing_running: None
) -> None:
    with fake_local_server("/api/tags", OLLAMA_TAGS, []) as (ollama, _):
        monkeypatch.setenv("OLLAMA_HOST", ollama)
        model = build_chat_model("ollama:llama3.2:3b")
        assert model.model_name == "llama3.2:3b"  # type: ignore[attr-defined]
        assert model.openai_api_base == f"http://{ollama}/v1"  # type: ignore[attr-defined]
        with pytest.raises(ValueError, match=r"no model 'mistral'; it offers: llama3.2:3b, qwen2.5-vl:7b"):
            resolve("ollama", "mistral")
    with pytest.raises(ValueError, match="ollama serve"):
        build_chat_model("ollama:llama3.2:3b")


def test_copilot_chat_lists_local_models_and_runs_a_turn_on_one(
    monkeypatch: pytest.MonkeyPatch, nothing_running: None, tmp_path: Path
) -> None:
    runner = CliRunner()
    idle = runner.invoke(app, ["chat", "--list-models"])
    assert idle.exit_code == 0 and "ollama serve" in idle.output and "offline" in idle.output
    replies = [Scripted(tool_calls=[("get_status", {})]), Scripted(content="The microscope holds graphene.")]
    with fake_local_server("/api/tags", OLLAMA_TAGS, replies) as (ollama, fake):
        monkeypatch.setenv("OLLAMA_HOST", ollama)
        listed = runner.invoke(app, ["chat", "--list-models"])
        assert "ollama:llama3.2:3b" in listed.output and "ollama:qwen2.5-vl:7b" in listed.output
        args = ["chat", "--model", "ollama:llama3.2:3b", "--data-dir", str(tmp_path), "--once", "what is loaded?"]
        turn = runner.invoke(app, args)
    assert turn.exit_code == 0, turn.output
    assert "get_status" in turn.output and "graphene" in turn.output and "ollama:llama3.2:3b" in turn.output
    assert [r["model"] for r in fake.requests] == ["llama3.2:3b", "llama3.2:3b"]
    missing = runner.invoke(app, ["chat", "--model", "ollama:llama3.2:3b", "--data-dir", str(tmp_path), "--once", "x"])
    assert missing.exit_code == 2 and "ollama serve" in missing.output


def test_the_ui_model_choice_round_trips_a_local_model_string() -> None:
    choice = ModelChoice.from_string("ollama:llama3.2:3b")
    assert (choice.provider, choice.name, choice.model_string) == ("ollama", "llama3.2:3b", "ollama:llama3.2:3b")
    assert ModelChoice.from_string("llamacpp:gemma").model_string == "llamacpp:gemma"
    assert ModelChoice.from_string("openai:gpt-4o-mini").model_string == "openai:gpt-4o-mini"
    with pytest.raises(ValueError, match="ollama"):
        ModelChoice.from_string("mystery:model")


def _page(backend: "Any") -> None:  # noqa: UP037 - the body runs alone as a script
    import app as page

    page.main(backend)


@pytest.mark.slow
def test_the_ui_sidebar_offers_the_local_models_it_finds(
    monkeypatch: pytest.MonkeyPatch, nothing_running: None, tmp_path: Path
) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from copilot.ui.settings import DATA_DIR_ENV
    from tests.ui.fakes import Script

    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    st.cache_data.clear()
    script = Script()
    with fake_local_server("/api/tags", OLLAMA_TAGS, []) as (ollama, _):
        monkeypatch.setenv("OLLAMA_HOST", ollama)
        at = AppTest.from_function(_page, args=(script.backend,), default_timeout=30)
        at.run()
        deadline = time.monotonic() + 20  # the page probes once its session is open (after the first paint)
        while len(at.sidebar.radio[0].options) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            at.run()
        assert not at.exception, at.exception
        assert list(at.sidebar.radio[0].options) == [
            "Offline planner (no key)",
            "OpenAI-compatible endpoint",
            "Local model (Ollama / llama.cpp)",
        ]
        at.sidebar.radio[0].set_value("local").run()
        assert list(at.sidebar.selectbox(key="local_model").options) == ["ollama:llama3.2:3b", "ollama:qwen2.5-vl:7b"]
        at.sidebar.selectbox(key="local_model").set_value("ollama:qwen2.5-vl:7b").run()
    assert [a.model.model_string for a in script.agents][-1] == "ollama:qwen2.5-vl:7b"
    runtime = at.session_state.get("copilot_runtime")
    if runtime is not None:
        runtime.close()
    st.cache_data.clear()
