"""Page state across reruns and the runtime it keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from copilot.agent.events import ApprovalNeeded, ErrorEvent, Final, TextDelta
from copilot.ui.runtime import Runtime, describe_failure
from copilot.ui.sessions import new_session_dir
from copilot.ui.settings import ModelChoice, SessionChoice, redact
from copilot.ui.state import PageState
from tests.ui.fakes import Script, acquisition_turn


def test_a_typed_prompt_wins_over_a_queued_suggestion_and_each_is_used_once() -> None:
    state = PageState({})
    state.suggest("Load graphene")
    assert state.take_prompt("  my own words ") == "my own words"
    assert state.take_prompt(None) is None
    state.suggest("Load graphene")
    assert state.take_prompt("   ") == "Load graphene"


def test_a_decision_is_recorded_only_while_an_approval_is_pending() -> None:
    store: dict[str, Any] = {}
    state = PageState(store)
    state.decide("approve")
    assert state.take_decision() is None
    state.transcript.start_reply().apply(ApprovalNeeded(({"name": "set_beam"},)))
    state.decide("reject")
    assert state.take_decision() == "reject" and state.take_decision() is None
    assert state.transcript.pending_approval is None


def test_new_session_closes_the_runtime_and_forgets_the_chat(tmp_path: Path) -> None:
    state = PageState({})
    runtime = state.ensure_runtime(tmp_path, SessionChoice(), ModelChoice(), backend=Script().backend)
    assert state.ensure_runtime(tmp_path, SessionChoice(), ModelChoice()) is runtime
    state.transcript.add_user("hello")
    state.new_session()
    assert state.runtime is None and len(state.transcript) == 0
    assert runtime.loop.closed


def test_the_runtime_streams_a_turn_and_turns_endpoint_failures_into_error_events(tmp_path: Path) -> None:
    script = Script(turns=[acquisition_turn(), [TextDelta("Hm"), ConnectionError("refused by sk-abc")]])
    model = ModelChoice("gpt-x", base_url="http://127.0.0.1:9/v1", api_key="sk-abc")
    runtime = Runtime(tmp_path, SessionChoice(seed=3), model, backend=script.backend)
    try:
        events = list(runtime.chat("acquire"))
        assert isinstance(events[-1], Final)
        assert runtime.view() is not None and runtime.status()["dose"]["used_e_per_A2"] > 0
        failed = list(runtime.chat("again"))
        assert isinstance(failed[-1], ErrorEvent)
        assert "sk-abc" not in failed[-1].message and "http://127.0.0.1:9/v1" in failed[-1].message
    finally:
        runtime.close()


def test_a_session_that_cannot_start_leaves_no_loop_running(tmp_path: Path) -> None:
    script = Script()
    with pytest.raises(ConnectionError):
        Runtime(tmp_path, SessionChoice(), ModelChoice("broken", api_key="k"), backend=script.backend)


def test_session_folders_are_fresh_and_distinct(tmp_path: Path) -> None:
    first, second = new_session_dir(tmp_path), new_session_dir(tmp_path)
    assert first != second and first.is_dir() and second.is_dir()


def test_model_strings_parse_and_keys_stay_out_of_repr_and_messages() -> None:
    assert ModelChoice.from_string("offline").offline
    assert ModelChoice.from_string("openai:llama3.1").model_string == "openai:llama3.1"
    with pytest.raises(ValueError, match="use 'offline' or 'openai:<model name>'"):
        ModelChoice.from_string("anthropic:claude")
    choice = ModelChoice("m", api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(choice)
    assert redact("bad key sk-very-secret", choice.api_key) == "bad key [key hidden]"
    assert "Start a new session" in describe_failure(RuntimeError("x"), ModelChoice())
