"""``ChatOpenAI`` through the agent against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from copilot.agent import CopilotAgent
from copilot.agent.events import ErrorEvent, Final, TextDelta, ToolCall, ToolResult
from copilot.agent.models import MAX_RETRIES, build_chat_model, has_vision, model_label
from tests.agent.fake_openai import Scripted, free_port, serve_fake_openai
from tests.agent.minimal_server import MiniState, create_minimal_server


def openai_model(base_url: str, streaming: bool, retries: int = MAX_RETRIES) -> ChatOpenAI:
    return ChatOpenAI(
        model="gpt-4o-mini",
        base_url=base_url,
        api_key=SecretStr("sk-test"),
        max_retries=retries,
        disable_streaming=not streaming,
    )


async def run_turn(chat_model: Any, state: MiniState, tmp_path: Path, text: str, **kwargs: Any) -> list[Any]:
    agent = await CopilotAgent.create(
        None,
        model="openai:gpt-4o-mini",
        chat_model=chat_model,
        server=create_minimal_server(state),
        checkpoint_path=tmp_path / "c.sqlite",
        **kwargs,
    )
    try:
        return [event async for event in agent.run(text)]
    finally:
        await agent.aclose()


SCRIPT = [
    Scripted(tool_calls=[("set_scan", {"fov_nm": 20, "pixels": 128})]),
    Scripted(tool_calls=[("acquire_image", {"detector": "haadf"})]),
    Scripted(content="Image a0001 acquired at 20 nm."),
]


@pytest.mark.parametrize("streaming", [True, False])
async def test_scripted_tool_calls_from_an_openai_endpoint_drive_the_tools(tmp_path: Path, streaming: bool) -> None:
    state = MiniState()
    with serve_fake_openai(SCRIPT) as fake:
        events = await run_turn(openai_model(fake.base_url, streaming), state, tmp_path, "image at 20 nm", vision=True)
    assert [e.name for e in events if isinstance(e, ToolCall)] == ["set_scan", "acquire_image"]
    assert all(e.ok for e in events if isinstance(e, ToolResult))
    assert state.fov_nm == 20 and len(state.acquisitions) == 1
    final = events[-1]
    assert isinstance(final, Final) and final.text.strip() == "Image a0001 acquired at 20 nm."
    assert final.usage["input_tokens"] == 33 and final.usage["output_tokens"] == 21
    assert sum(isinstance(e, TextDelta) for e in events) == (6 if streaming else 1)
    assert all(body.get("stream", False) is streaming for body in fake.requests)

    first, _, third = fake.requests
    assert [m["role"] for m in first["messages"]] == ["system", "user"]
    assert "Microscope Copilot" in first["messages"][0]["content"]
    tools = {t["function"]["name"]: t["function"]["parameters"] for t in first["tools"]}
    assert {"set_scan", "acquire_image", "find_atoms", "change_tip"} <= set(tools)
    assert tools["set_scan"]["properties"]["fov_nm"]["anyOf"][0]["type"] == "number"
    roles = [m["role"] for m in third["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "tool", "user"]
    image_tool_message, repost = third["messages"][5], third["messages"][6]
    assert "image_url" not in str(image_tool_message) and "a0001" in str(image_tool_message)
    images = [part for part in repost["content"] if part["type"] == "image_url"]
    assert len(images) == 1 and images[0]["image_url"]["url"].startswith("data:image/png;base64,")


async def test_a_text_only_model_gets_the_numbers_and_no_image(tmp_path: Path) -> None:
    with serve_fake_openai(SCRIPT[1:]) as fake:
        await run_turn(openai_model(fake.base_url, True), MiniState(), tmp_path, "image", vision=False)
    last = fake.requests[-1]["messages"]
    assert [m["role"] for m in last] == ["system", "user", "assistant", "tool"]
    assert "image_url" not in str(last) and "dose_e_per_A2" in str(last[-1])


async def test_transient_429_and_500_are_retried_and_the_turn_completes(tmp_path: Path) -> None:
    replies = [Scripted(status=429), Scripted(status=500), Scripted(content="All good.")]
    with serve_fake_openai(replies) as fake:
        events = await run_turn(openai_model(fake.base_url, True), MiniState(), tmp_path, "hello")
    assert len(fake.requests) == 3
    assert isinstance(events[-1], Final) and events[-1].text.strip() == "All good."
    assert not any(isinstance(e, ErrorEvent) for e in events)


async def test_a_refused_key_gives_a_clear_error_and_keeps_the_conversation(tmp_path: Path) -> None:
    state = MiniState()
    with serve_fake_openai([Scripted(status=401)]) as fake:
        events = await run_turn(openai_model(fake.base_url, True), state, tmp_path, "hello")
    assert len(fake.requests) == 1  # a 401 is not retried
    error = next(e for e in events if isinstance(e, ErrorEvent))
    assert "401" in error.message and "OPENAI_API_KEY" in error.message
    assert isinstance(events[-1], Final) and events[-1].text == error.message

    with serve_fake_openai([Scripted(content="Now it works.")]) as fake:
        events = await run_turn(openai_model(fake.base_url, True), state, tmp_path, "hello again")
    assert [m["content"] for m in fake.requests[0]["messages"] if m["role"] == "user"] == ["hello", "hello again"]
    assert events[-1].text.strip() == "Now it works."


async def test_a_refused_connection_gives_a_clear_error(tmp_path: Path) -> None:
    base_url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    events = await run_turn(openai_model(base_url, True, retries=0), MiniState(), tmp_path, "hello")
    error = next(e for e in events if isinstance(e, ErrorEvent))
    assert "Cannot connect" in error.message and "OPENAI_BASE_URL" in error.message


def test_model_strings_pick_the_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        build_chat_model("openai:gpt-4o-mini")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    model = build_chat_model("openai:llama3.1")
    assert isinstance(model, ChatOpenAI)
    assert model.openai_api_base == "http://127.0.0.1:11434/v1" and model.max_retries == MAX_RETRIES
    assert model_label("offline") == "offline planner (no LLM)" and model_label("gpt-4o") == "openai:gpt-4o"


@pytest.mark.parametrize(
    ("model", "vision"),
    [
        ("openai:gpt-4o-mini", True),
        ("openai:gpt-4.1", True),
        ("openai:llava:13b", True),
        ("openai:qwen2.5-vl-7b", True),
        ("openai:gpt-3.5-turbo", False),
        ("openai:llama3.1", False),
        ("offline", False),
    ],
)
def test_the_model_table_says_which_models_see_images(model: str, vision: bool) -> None:
    assert has_vision(model) is vision
    assert has_vision(model, override=not vision) is (not vision)
