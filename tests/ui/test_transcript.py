"""Folding agent events into chat turns."""

from __future__ import annotations

from copilot.agent.events import AgentEvent, ApprovalNeeded, ErrorEvent, Final, TextDelta, ToolCall, ToolResult
from copilot.ui.transcript import ApprovalItem, AssistantTurn, ErrorItem, StepItem, TextItem, Transcript


def test_text_deltas_grow_one_text_item_until_a_step_interrupts_them() -> None:
    turn = AssistantTurn()
    events: list[AgentEvent] = [
        TextDelta("Loading "),
        TextDelta("graphene."),
        ToolCall("c1", "load_specimen", {}),
        TextDelta("Done"),
    ]
    for event in events:
        turn.apply(event)
    assert [type(item) for item in turn.items] == [TextItem, StepItem, TextItem]
    assert turn.text == "Loading graphene.Done"


def test_a_result_attaches_to_the_call_with_the_same_id() -> None:
    turn = AssistantTurn()
    turn.apply(ToolCall("c1", "a", {}))
    turn.apply(ToolCall("c2", "b", {}))
    assert all(step.running for step in turn.steps)
    turn.apply(ToolResult("c1", "a", True, {"x": 1}))
    assert [step.result is not None for step in turn.steps] == [True, False]


def test_a_result_without_a_seen_call_becomes_a_finished_step() -> None:
    turn = AssistantTurn()
    turn.apply(ToolResult("c9", "acquire_image", True, {"id": "a0001"}))
    (step,) = turn.steps
    assert step.call.name == "acquire_image" and not step.running


def test_the_final_text_is_shown_once_when_nothing_was_streamed() -> None:
    streamed = AssistantTurn()
    streamed.apply(TextDelta("Hi"))
    streamed.apply(Final("Hi", model="m"))
    silent = AssistantTurn()
    silent.apply(Final("Hi", model="m"))
    assert streamed.text == silent.text == "Hi"
    assert streamed.final is not None and streamed.final.model == "m"


def test_an_approval_is_pending_until_decided_and_errors_become_items() -> None:
    transcript = Transcript()
    transcript.add_user("raise the current")
    reply = transcript.start_reply()
    reply.apply(ApprovalNeeded(({"name": "set_beam"},)))
    reply.apply(ErrorEvent("over budget", recoverable=True))
    pending = transcript.pending_approval
    assert isinstance(pending, ApprovalItem) and isinstance(reply.items[-1], ErrorItem)
    pending.decision = "reject"
    assert transcript.pending_approval is None
    assert len(transcript) == 2


def test_a_call_announced_again_after_an_approval_stays_one_step() -> None:
    turn = AssistantTurn()
    turn.apply(ToolCall("c1", "load_specimen", {"name": "mos2"}))
    turn.apply(ApprovalNeeded(({"call_id": "c1", "name": "load_specimen"},)))
    turn.apply(ToolCall("c1", "load_specimen", {"name": "mos2"}))
    turn.apply(ToolResult("c1", "load_specimen", True, {"specimen": "mos2"}))
    (step,) = turn.steps
    assert not step.running
