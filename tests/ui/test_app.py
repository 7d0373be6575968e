"""The page under Streamlit's AppTest: chat turns with scripted agents, approvals, model switching, new sessions
and errors shown as messages."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from copilot.agent.events import AgentEvent, ApprovalNeeded, Final, TextDelta, ToolCall, ToolResult
from copilot.ui.runtime import Backend
from copilot.ui.settings import DATA_DIR_ENV
from copilot.ui.state import DRAWN_KEY
from tests.ui.fakes import Script, acquisition_turn

TIMEOUT_S = 30


def _page(backend: "Backend") -> None:  # noqa: UP037 - the body runs alone as a script
    import app

    app.main(backend)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    return tmp_path


def start(script: Script) -> AppTest:
    at = AppTest.from_function(_page, args=(script.backend,), default_timeout=TIMEOUT_S)
    at.session_state[DRAWN_KEY] = True  # what the browser says once it shows the page (no browser here)
    at.run()
    assert not at.exception, at.exception
    return at


def send(at: AppTest, text: str) -> AppTest:
    at.chat_input[0].set_value(text).run()
    assert not at.exception, at.exception
    return at


def viewers(at: AppTest) -> list[dict[str, Any]]:
    """The data of every image viewer on the page."""
    return [json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name.endswith("viewer")]


def close(at: AppTest) -> None:
    runtime = at.session_state.get("copilot_runtime")
    if runtime is not None:
        runtime.close()


def test_a_new_user_sees_suggested_prompts_and_an_empty_instrument_panel(data_dir: Path) -> None:
    at = start(Script())
    labels = [button.label for button in at.button]
    assert "Load graphene and acquire an image" in labels
    assert any("No acquisition yet" in info.value for info in at.info)
    assert any("dose 0 of 1e+07" in bar.proto.body for bar in at.get("html"))
    close(at)


def test_without_word_from_the_browser_the_session_still_opens_after_the_wait(data_dir: Path) -> None:
    import app

    at = AppTest.from_function(_page, args=(Script().backend,), default_timeout=TIMEOUT_S)
    started = time.monotonic()
    at.run()
    assert not at.exception, at.exception
    assert time.monotonic() - started >= app.DRAWN_WAIT_S  # it waited for the signal that never came
    assert at.session_state["copilot_runtime"] is not None
    assert any("No acquisition yet" in info.value for info in at.info)
    close(at)


def test_a_chat_turn_renders_the_user_message_the_steps_the_image_and_the_answer(data_dir: Path) -> None:
    script = Script(turns=[acquisition_turn("Here is the image.")])
    at = send(start(script), "load graphene and acquire an image")

    messages = at.chat_message
    assert [m.name for m in messages] == ["user", "assistant"]
    assert messages[0].markdown[0].value == "load graphene and acquire an image"
    labels = [block.label for block in at.expander]
    assert labels[0] == "load_specimen · name=graphene, seed=0"
    assert labels[1].startswith("acquire_image · fov_nm=20, pixels=64, dwell_us=2 → id=a0000")
    assert "dose_e_per_A2=2.5e+06" in labels[1]
    assert any(md.value == "Here is the image." for md in messages[1].markdown)
    assert any("model: scripted" in caption.value for caption in messages[1].caption)
    # the inline acquisition with its scale bar, and the panel's viewer of the stored data at full resolution
    assert len(at.image) == 1 and at.image[0].proto.imgs[0].caption.startswith("a0000 · HAADF")
    (viewer,) = viewers(at)
    assert (viewer["width_px"], viewer["height_px"], viewer["fov_nm"]) == (64, 64, 20.0)
    assert script.agents[0].prompts == ["load graphene and acquire an image"]
    assert any("dose 2.5e+06 of 1e+07" in bar.proto.body for bar in at.get("html"))
    close(at)


def test_clicking_a_suggestion_sends_it_as_the_first_prompt(data_dir: Path) -> None:
    script = Script(turns=[acquisition_turn()])
    at = start(script)
    next(b for b in at.button if b.label == "Load graphene and acquire an image").click().run()
    assert not at.exception
    assert script.agents[0].prompts == ["Load graphene and acquire an image"]
    assert not any(b.label.startswith("Load graphene") for b in at.button)
    close(at)


APPROVAL_TURN: list[AgentEvent] = [
    ToolCall("c1", "set_beam", {"current_pA": 500.0}),
    ApprovalNeeded(({"call_id": "c1", "name": "set_beam", "args": {"current_pA": 500.0}, "reason": "over budget"},)),
]
APPROVED: list[AgentEvent] = [
    ToolResult("c1", "set_beam", True, {"current_pA": 500.0}, "beam current 500 pA"),
    Final("Done: the current is 500 pA.", model="scripted"),
]
REJECTED: list[AgentEvent] = [Final("Left the beam as it was.", model="scripted")]


@pytest.mark.parametrize(
    ("button", "answer"), [("Approve", "Done: the current is 500 pA."), ("Reject", "Left the beam as it was.")]
)
def test_an_approval_prompt_shows_buttons_and_resumes_the_agent_with_the_answer(
    data_dir: Path, button: str, answer: str
) -> None:
    script = Script(turns=[APPROVAL_TURN], approved=APPROVED, rejected=REJECTED)
    at = send(start(script), "raise the current to 500 pA")
    assert any("needs your approval" in md.value and "over budget" in md.value for md in at.markdown)
    pending = next(e for e in at.expander if e.label.startswith("set_beam"))
    assert pending.label.endswith("waiting for your approval") and pending.proto.icon == ":material/pan_tool:"
    assert at.chat_input[0].disabled
    next(b for b in at.button if b.label == button).click().run()
    assert not at.exception, at.exception
    assert any(md.value == answer for md in at.markdown)
    assert not any(b.label in ("Approve", "Reject") for b in at.button)
    assert not at.chat_input[0].disabled
    close(at)


SAFE_REQUEST = {
    "call_id": "c1",
    "name": "acquire_image",
    "args": {"dwell_us": 50.0, "approved": True},
    "reason": "acquire_image needs your approval because it exceeds the critical dose",
    "message": "Acquiring at 50 µs dwell would damage the MoS2 in this area.",
    "figures": {"dose_would_reach_e_per_A2": 12500.0, "limit_e_per_A2": 1000.0, "longest_safe_dwell_us": 3.9},
    "safe_alternative": {"dwell_us": 3.9},
}


def test_an_approval_card_says_what_and_why_in_words_and_offers_the_safe_setting(data_dir: Path) -> None:
    turn: list[AgentEvent] = [ToolCall("c1", "acquire_image", {"dwell_us": 50.0}), ApprovalNeeded((SAFE_REQUEST,))]
    script = Script(turns=[turn], approved=[Final("Acquired at 3.9 µs.", model="scripted")])
    at = send(start(script), "image at 50 us")
    card = next(md.value for md in at.markdown if "needs your approval" in md.value)
    assert "would damage the MoS2" in card and "{" not in card  # words, not JSON
    assert "| dose would reach | 1.25e+04 e⁻/Å² |" in card and "| limit | 1000 e⁻/Å² |" in card
    assert "| longest safe dwell | 3.9 µs |" in card
    assert [b.label for b in at.button if b.label in ("Approve", "Reject", "Use the safe setting")] == [
        "Approve",
        "Reject",
        "Use the safe setting",
    ]
    next(b for b in at.button if b.label == "Use the safe setting").click().run()
    assert not at.exception, at.exception
    assert any(md.value == "Acquired at 3.9 µs." for md in at.markdown)
    assert script.agents[0].answers == ["safe"]
    assert [r.get("decision") for r in at.session_state["copilot_runtime"].log.records() if "decision" in r] == ["safe"]
    close(at)


def test_after_a_rejection_the_safer_option_is_offered_and_sent_on_a_click(data_dir: Path) -> None:
    turn: list[AgentEvent] = [ToolCall("c1", "acquire_image", {"dwell_us": 50.0}), ApprovalNeeded((SAFE_REQUEST,))]
    script = Script(turns=[turn, acquisition_turn()], rejected=[Final("Not acquired.", model="scripted")])
    at = send(start(script), "image at 50 us")
    next(b for b in at.button if b.label == "Reject").click().run()
    assert any("A safer option: acquire image with dwell 3.9 µs" in md.value for md in at.markdown)
    next(b for b in at.button if b.label == "Use the safe setting instead").click().run()
    assert not at.exception, at.exception
    assert script.agents[0].prompts[-1] == "Use the safe setting instead: acquire image with dwell 3.9 µs."
    close(at)


def test_a_failing_model_endpoint_shows_a_message_without_the_key(data_dir: Path) -> None:
    script = Script(turns=[[TextDelta("Let me"), ConnectionError("401 Unauthorized for key sk-secret-123")]])
    at = start(script)
    at.sidebar.radio[0].set_value("openai").run()
    at.sidebar.text_input[2].set_value("sk-secret-123").run()
    send(at, "hello")
    errors = [e.value for e in at.error]
    assert errors and "The model endpoint failed" in errors[0]
    assert "sk-secret-123" not in "".join(errors)
    assert not at.exception
    close(at)


def test_an_endpoint_that_cannot_be_set_up_keeps_the_previous_model_and_says_why(data_dir: Path) -> None:
    script = Script(turns=[acquisition_turn()])
    at = start(script)
    at.sidebar.radio[0].set_value("openai").run()
    at.sidebar.text_input[0].set_value("broken").run()
    at.sidebar.text_input[2].set_value("sk-hidden-9").run()
    assert any("Could not use the model" in e.value for e in at.sidebar.error)
    assert "sk-hidden-9" not in "".join(e.value for e in at.sidebar.error)
    close(at)


def test_switching_the_model_rebuilds_the_agent_and_names_it(data_dir: Path) -> None:
    script = Script(turns=[acquisition_turn()])
    at = start(script)
    assert any("scripted" in c.value for c in at.sidebar.caption)
    at.sidebar.radio[0].set_value("openai").run()
    assert [a.model.model_string for a in script.agents] == ["offline", "openai:gpt-4o-mini"]
    assert any("scripted openai:gpt-4o-mini" in c.value for c in at.sidebar.caption)
    assert len(script.sessions) == 1  # the same microscope session carries on
    close(at)


def test_new_session_forgets_the_chat_and_starts_a_fresh_data_folder(data_dir: Path) -> None:
    script = Script(turns=[acquisition_turn(), acquisition_turn()])
    at = send(start(script), "acquire")
    first = at.session_state["copilot_runtime"].data_dir
    next(b for b in at.sidebar.button if b.label == "New session").click().run()
    assert not at.exception
    assert len(at.chat_message) == 0
    second = at.session_state["copilot_runtime"].data_dir
    assert second != first and second.parent == first.parent == data_dir
    assert len(script.sessions) == 2
    close(at)


def test_reset_specimen_loads_the_chosen_specimen_and_seed(data_dir: Path) -> None:
    script = Script()
    at = start(script)
    at.sidebar.selectbox[0].set_value("mos2")
    at.sidebar.number_input[0].set_value(7)
    next(b for b in at.sidebar.button if b.label == "Reset specimen").click().run()
    assert (script.sessions[0].specimen, script.sessions[0].seed) == ("mos2", 7)
    assert any("Loaded mos2 (seed 7)" in s.value for s in at.sidebar.success)
    close(at)


def test_with_a_server_url_the_agent_connects_there_and_the_panel_says_so(data_dir: Path) -> None:
    script = Script()
    at = start(script)
    at.sidebar.text_input[0].set_value("http://127.0.0.1:8765/mcp")
    next(b for b in at.sidebar.button if b.label == "New session").click().run()
    assert not at.exception
    assert any("MCP server at http://127.0.0.1:8765/mcp" in info.value for info in at.info)
    assert script.agents[-1].mcp_url == "http://127.0.0.1:8765/mcp"
    close(at)


def test_a_reload_with_the_session_in_the_url_shows_the_same_chat(data_dir: Path) -> None:
    script = Script(turns=[acquisition_turn("Here is the image.")])
    at = send(start(script), "load graphene and acquire an image")
    session_id = at.query_params["session"]
    assert (data_dir / session_id).is_dir()
    close(at)

    reloaded = AppTest.from_function(_page, args=(script.backend,), default_timeout=TIMEOUT_S)
    reloaded.session_state[DRAWN_KEY] = True
    reloaded.query_params["session"] = session_id
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    assert [m.name for m in reloaded.chat_message] == ["user", "assistant"]
    assert any(md.value == "Here is the image." for md in reloaded.chat_message[1].markdown)
    assert reloaded.session_state["copilot_runtime"].data_dir == data_dir / session_id
    close(reloaded)


def test_a_past_session_is_reopened_from_the_sidebar_list(data_dir: Path) -> None:
    script = Script(turns=[acquisition_turn(), acquisition_turn()])
    at = send(start(script), "first question")
    first_id = at.query_params["session"]
    next(b for b in at.sidebar.button if b.label == "New session").click().run()
    assert len(at.chat_message) == 0 and at.query_params["session"] != first_id
    past = next(b for b in at.sidebar.button if b.label.endswith("· first question"))
    past.click().run()
    assert not at.exception, at.exception
    assert at.query_params["session"] == first_id
    assert at.chat_message[0].markdown[0].value == "first question"
    close(at)


def dose_bars(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if "copilot-dose" in h.proto.body]


def test_the_sidebar_follows_the_specimen_the_chat_loaded(data_dir: Path) -> None:
    turn: list[AgentEvent] = [
        ToolCall("c1", "load_specimen", {"name": "mos2", "seed": 3}),
        ToolResult("c1", "load_specimen", True, {"specimen": "mos2"}),
        Final("MoS2 loaded.", model="scripted"),
    ]
    at = send(start(Script(turns=[turn])), "load mos2 with seed 3")
    assert at.sidebar.selectbox[-1].value == "mos2" and at.sidebar.number_input[0].value == 3
    close(at)


def test_the_sidebar_offers_a_structure_file_the_chat_loaded_from_anywhere_in_the_folder(data_dir: Path) -> None:
    turn: list[AgentEvent] = [
        ToolCall("c1", "load_specimen", {"name": "crystals/si.cif", "seed": 1}),
        ToolResult("c1", "load_specimen", True, {"specimen": "crystals/si.cif"}),
        Final("Loaded.", model="scripted"),
    ]
    script = Script(turns=[turn])
    at = start(script)
    script.sessions[0].specimen = "crystals/si.cif"  # what load_specimen does in the session (the agent replays)
    send(at, "load crystals/si.cif")
    box = next(b for b in at.sidebar.selectbox if b.label == "Specimen")
    assert box.value == "crystals/si.cif"
    assert any(option.startswith("crystals/si.cif: ") for option in box.options)
    close(at)


def test_a_new_budget_applies_at_once_and_the_dose_bar_turns_amber_then_red(data_dir: Path) -> None:
    script = Script(turns=[acquisition_turn()])
    at = send(start(script), "acquire")  # 2.5e6 of 1e7 e-/A^2: 25 %, blue
    assert 'data-level="ok"' in dose_bars(at)[0]
    at.sidebar.number_input[1].set_value(3.0e6).run()  # 83 %: amber, without a reset
    assert script.sessions[0].dose_budget_e_per_A2 == 3.0e6
    assert 'data-level="near"' in dose_bars(at)[0] and "#f0a30a" in dose_bars(at)[0]
    at.sidebar.number_input[1].set_value(100.0).run()  # far past it: red, and the label says how far
    assert 'data-level="over"' in dose_bars(at)[0] and "(2500000.0%)" in dose_bars(at)[0]
    assert any("Dose budget 100 e⁻/Å²" in s.value for s in at.sidebar.success)
    close(at)


def test_choosing_a_specimen_in_the_sidebar_loads_it_at_once_and_afm_shows_afm_units(data_dir: Path) -> None:
    script = Script()
    at = start(script)
    at.sidebar.selectbox[-1].set_value("afm_steps").run()
    assert script.sessions[0].specimen == "afm_steps"
    assert not dose_bars(at)
    assert any("setpoint 14 nm" in md.value and "tip radius 8.4 nm" in md.value for md in at.markdown)
    assert [n.label for n in at.sidebar.number_input] == ["Seed"]  # no electron-dose budget on the AFM
    close(at)


def test_a_long_chat_draws_its_recent_messages_and_the_rest_on_request(data_dir: Path) -> None:
    answer: list[AgentEvent] = [Final("Noted.", model="scripted")]
    at = start(Script(turns=[answer] * 6))
    for n in range(6):
        send(at, f"note {n}")
    assert len(at.chat_message) == 8 and at.chat_message[0].markdown[0].value == "note 2"
    next(b for b in at.button if b.label == "Show 4 earlier messages").click().run()
    assert len(at.chat_message) == 12 and at.chat_message[0].markdown[0].value == "note 0"
    close(at)
