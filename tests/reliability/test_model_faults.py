"""The model endpoint failing (connection refused, 500, 429, timeout, malformed tool-call JSON): the agent retries
or says clearly what went wrong, and the conversation checkpoint survives for the next turn."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from copilot.agent import CopilotAgent
from copilot.agent.events import ErrorEvent, Final, ToolCall, ToolResult
from copilot.bench.load import free_port
from copilot.session import Session
from tests.reliability.fault_endpoint import HANG, MALFORMED, Step, fault_endpoint, reply_json

THREAD = "lab-notebook"


def chat_model(base_url: str, retries: int = 2, timeout_s: float = 30.0) -> ChatOpenAI:
    return ChatOpenAI(
        model="gpt-4o-mini",
        base_url=base_url,
        api_key=SecretStr("sk-fault-test"),
        max_retries=retries,
        timeout=timeout_s,
        disable_streaming=True,
    )


async def turn(session: Session, model: ChatOpenAI, text: str) -> tuple[list[Any], list[Any]]:
    """One user turn on the session's checkpointed thread; returns the events and the history afterwards."""
    agent = await CopilotAgent.create(session, model="openai:gpt-4o-mini", chat_model=model, thread_id=THREAD)
    try:
        events = [e async for e in agent.run(text)]
        return events, await agent.history()
    finally:
        await agent.aclose()


async def assert_the_conversation_carries_on(session: Session, first_text: str) -> None:
    """A working endpoint afterwards sees the failed turn's user message in the same thread and completes."""
    with fault_endpoint([reply_json("Back online.")]) as ok:
        events, history = await turn(session, chat_model(ok.base_url), "are you there?")
    users = [m["content"] for m in ok.requests[0]["messages"] if m["role"] == "user"]
    assert users == [first_text, "are you there?"]
    assert isinstance(events[-1], Final) and events[-1].text == "Back online."
    assert [m.type for m in history][:1] == ["human"]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([500, 500, 500], "HTTP 500"),
        ([429, 429, 429], "rate limiting (429)"),
    ],
    ids=["500", "429"],
)
async def test_persistent_server_errors_are_retried_then_explained(
    session: Session, steps: list[Step], expected: str
) -> None:
    with fault_endpoint(steps) as fake:
        events, _ = await turn(session, chat_model(fake.base_url, retries=2), "status please")
    assert len(fake.requests) == 3  # the first try and two retries
    error = next(e for e in events if isinstance(e, ErrorEvent))
    assert expected in error.message and isinstance(events[-1], Final) and events[-1].text == error.message
    await assert_the_conversation_carries_on(session, "status please")


async def test_a_transient_failure_is_retried_and_the_turn_completes(session: Session) -> None:
    steps: list[Step] = [500, 429, reply_json(get_status={}), reply_json("All good.")]
    with fault_endpoint(steps) as fake:
        events, _ = await turn(session, chat_model(fake.base_url, retries=2), "status please")
    assert len(fake.requests) == 4
    assert not [e for e in events if isinstance(e, ErrorEvent)]
    assert [e.name for e in events if isinstance(e, ToolResult) and e.ok] == ["get_status"]
    assert isinstance(events[-1], Final) and events[-1].text == "All good."


async def test_a_refused_connection_is_explained(session: Session) -> None:
    base_url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens here
    events, _ = await turn(session, chat_model(base_url, retries=1), "status please")
    error = next(e for e in events if isinstance(e, ErrorEvent))
    assert "Cannot connect" in error.message
    await assert_the_conversation_carries_on(session, "status please")


async def test_an_endpoint_that_never_answers_times_out_with_a_clear_message(session: Session) -> None:
    with fault_endpoint([HANG, HANG]) as fake:
        events, _ = await turn(session, chat_model(fake.base_url, retries=1, timeout_s=0.5), "status please")
    assert len(fake.requests) == 2
    error = next(e for e in events if isinstance(e, ErrorEvent))
    assert "did not answer in time" in error.message
    await assert_the_conversation_carries_on(session, "status please")


async def test_malformed_tool_call_json_runs_no_tool_and_keeps_the_conversation(session: Session) -> None:
    before = session.instrument.snapshot()
    with fault_endpoint([MALFORMED, reply_json("I could not form that call.")]) as fake:
        events, _ = await turn(session, chat_model(fake.base_url), "zoom to 20 nm")
    assert not [e for e in events if isinstance(e, ToolCall) and e.name == "set_scan" and e.args]
    assert session.instrument.snapshot() == before
    final = events[-1]
    assert isinstance(final, Final)
    retried = len(fake.requests) == 2 and final.text == "I could not form that call."
    explained = any(isinstance(e, ErrorEvent) and "set_scan" in e.message for e in events)
    assert retried or explained, f"the malformed call was neither sent back to the model nor explained: {events}"
    await assert_the_conversation_carries_on(session, "zoom to 20 nm")
