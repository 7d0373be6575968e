"""The agent loop with a scripted model over a small MCP server: events, approval, limits, checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from copilot.agent import CopilotAgent
from copilot.agent.events import AgentEvent, ApprovalNeeded, Final, TextDelta, ToolCall, ToolResult
from copilot.agent.scripted import ScriptedChatModel
from tests.agent.minimal_server import MiniState, create_minimal_server


def call(name: str, call_id: str, **args: Any) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


async def collect(stream: Any) -> list[AgentEvent]:
    return [event async for event in stream]


async def make_agent(tmp_path: Path, replies: list[Any], state: MiniState, **kwargs: Any) -> CopilotAgent:
    return await CopilotAgent.create(
        None,
        model="scripted",
        chat_model=ScriptedChatModel(replies=replies),
        server=create_minimal_server(state),
        checkpoint_path=tmp_path / "checkpoints.sqlite",
        **kwargs,
    )


async def test_a_scripted_run_streams_calls_results_tokens_and_one_final(tmp_path: Path) -> None:
    state = MiniState()
    replies = [
        call("set_scan", "c1", fov_nm=20, pixels=128),
        call("acquire_image", "c2"),
        lambda msgs: AIMessage(content=f"Acquired {msgs[-1].artifact['structured_content']['id']} at 20 nm."),
    ]
    agent = await make_agent(tmp_path, replies, state)
    events = await collect(agent.run("fov 20 nm, 128 px, then take an image"))
    await agent.aclose()

    calls = [e for e in events if isinstance(e, ToolCall)]
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [c.name for c in calls] == ["set_scan", "acquire_image"]
    assert calls[0].args == {"fov_nm": 20, "pixels": 128}
    assert [r.call_id for r in results] == ["c1", "c2"] and all(r.ok for r in results)
    assert results[1].data["id"] == "a0001"
    assert results[1].images and results[1].images[0].png.startswith(b"\x89PNG")
    assert results[1].images[0].uri == "acq://a0001"
    assert not [e for e in events if e.kind == "error"], events
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 1 and "".join(deltas) == "Acquired a0001 at 20 nm."
    assert isinstance(events[-1], Final) and sum(isinstance(e, Final) for e in events) == 1
    assert events[-1].text == "Acquired a0001 at 20 nm." and events[-1].model == "scripted"
    assert (state.fov_nm, state.pixels, len(state.acquisitions)) == (20, 128, 1)


async def test_a_tool_error_reaches_the_model_as_a_failed_result_and_changes_nothing(tmp_path: Path) -> None:
    state = MiniState()
    replies = [call("find_atoms", "c1", acquisition_id="a0099"), AIMessage(content="No such image.")]
    model = ScriptedChatModel(replies=replies)
    agent = await CopilotAgent.create(
        None, chat_model=model, server=create_minimal_server(state), checkpoint_path=tmp_path / "c.sqlite"
    )
    events = await collect(agent.run("count atoms in a0099"))
    await agent.aclose()
    result = next(e for e in events if isinstance(e, ToolResult))
    assert not result.ok and "unknown acquisition" in result.data["error"]
    assert state.acquisitions == [] and state.dose_e_per_A2 == 0.0
    assert "unknown acquisition" in model.calls[1][-1].text


@pytest.mark.parametrize(("approve", "use_safe"), [(True, False), (True, True), (False, False)])
async def test_an_over_budget_call_pauses_on_the_servers_question_until_a_person_answers(
    tmp_path: Path, approve: bool, use_safe: bool
) -> None:
    state = MiniState(dwell_us=500.0, pixels=1024, fov_nm=10.0)
    replies = [call("acquire_image", "c1"), AIMessage(content="Done.")]
    agent = await make_agent(tmp_path, replies, state)
    first = await collect(agent.run("high-dose image please"))
    assert isinstance(first[-1], ApprovalNeeded)
    (request,) = first[-1].requests
    assert request["call_id"] == "c1" and request["name"] == "acquire_image" and "over the budget" in request["reason"]
    assert request["message"] == request["reason"] and request["figures"]["limit_e_per_A2"] == 1000.0
    safe_dwell_us = round(500.0 * 1000.0 / (10.0 * 500.0 * 102.4**2 / 100.0), 3)  # the budget over the frame dose
    assert request["safe_alternative"] == {"dwell_us": safe_dwell_us}
    assert state.acquisitions == []  # nothing ran without approval
    assert (await agent.pending_approval())[0]["name"] == "acquire_image"

    second = await collect(agent.resume(approve=approve, use_safe=use_safe))
    await agent.aclose()
    result = next(e for e in second if isinstance(e, ToolResult))
    assert result.ok is approve
    assert len(state.acquisitions) == (1 if approve else 0)
    assert state.dwell_us == (safe_dwell_us if use_safe else 500.0)
    assert isinstance(second[-1], Final) and second[-1].text == "Done."


@pytest.mark.parametrize("policy", ["auto_approve", "auto_reject"])
async def test_the_approval_policy_answers_the_servers_question_in_the_same_turn(tmp_path: Path, policy: str) -> None:
    state = MiniState(dwell_us=500.0, pixels=1024, fov_nm=10.0)
    replies = [call("acquire_image", "c1"), AIMessage(content="Done.")]
    agent = await make_agent(tmp_path, replies, state, approval=policy)
    events = await collect(agent.run("high-dose image please"))
    await agent.aclose()
    kinds = [e.kind for e in events]
    assert kinds.index("approval_needed") < kinds.index("tool_result") and isinstance(events[-1], Final)
    assert len(state.acquisitions) == (1 if policy == "auto_approve" else 0)


async def test_a_destructive_tool_needs_approval_and_auto_reject_refuses_it(tmp_path: Path) -> None:
    state = MiniState()
    replies = [call("change_tip", "c1"), AIMessage(content="Kept the tip.")]
    agent = await make_agent(tmp_path, replies, state, approval="auto_reject")
    events = await collect(agent.run("change the tip"))
    await agent.aclose()
    kinds = [e.kind for e in events]
    assert kinds.index("approval_needed") < kinds.index("tool_result")
    assert state.tip_changes == 0 and isinstance(events[-1], Final)


async def test_auto_approve_runs_the_gated_call_in_the_same_turn(tmp_path: Path) -> None:
    state = MiniState()
    replies = [call("change_tip", "c1"), AIMessage(content="New tip.")]
    agent = await make_agent(tmp_path, replies, state, approval="auto_approve")
    events = await collect(agent.run("change the tip"))
    await agent.aclose()
    assert state.tip_changes == 1 and events[-1].text == "New tip."  # type: ignore[union-attr]


async def test_the_tool_call_limit_stops_a_runaway_loop(tmp_path: Path) -> None:
    state = MiniState()
    replies = [call("set_scan", f"c{i}", pixels=64) for i in range(10)]
    agent = await make_agent(tmp_path, replies, state, max_tool_calls=3)
    events = await collect(agent.run("loop"))
    await agent.aclose()
    assert sum(isinstance(e, ToolResult) and e.ok for e in events) == 3
    assert isinstance(events[-1], Final) and "limit" in events[-1].text


async def test_the_conversation_survives_a_restart_from_the_sqlite_checkpoint(tmp_path: Path) -> None:
    state = MiniState()
    first = await make_agent(tmp_path, [AIMessage(content="Hello.")], state, thread_id="t1")
    await collect(first.run("remember me"))
    await first.aclose()

    model = ScriptedChatModel(replies=[AIMessage(content="Welcome back.")])
    second = await CopilotAgent.create(
        None,
        chat_model=model,
        server=create_minimal_server(state),
        checkpoint_path=tmp_path / "checkpoints.sqlite",
        thread_id="t1",
    )
    await collect(second.run("again"))
    await second.aclose()
    seen = [m.text for m in model.calls[0]]
    assert "remember me" in seen and "Hello." in seen and seen[-1] == "again"


async def test_a_pending_approval_survives_a_restart(tmp_path: Path) -> None:
    state = MiniState()
    first = await make_agent(tmp_path, [call("change_tip", "c1")], state)
    await collect(first.run("change tip"))
    await first.aclose()
    second = await make_agent(tmp_path, [AIMessage(content="Changed.")], state)
    events = await collect(second.resume(approve=True))
    await second.aclose()
    assert state.tip_changes == 1 and events[-1].text == "Changed."  # type: ignore[union-attr]
