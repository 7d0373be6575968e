"""Microscope Copilot in the browser: chat with a digital-twin microscope (``make run`` or ``copilot ui``).

Layout and widgets only. The session and the agent do the work (``copilot.ui.runtime``); the transcript, the
rendering of events, images and spectra live in ``copilot.ui``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from copilot.agent.events import AgentEvent, ToolResult
from copilot.ui.acquisitions import (
    AcquisitionView,
    ImageView,
    SpectrumView,
    acquisition_id,
    chat_pictures,
    named_elements,
)
from copilot.ui.layout import CHAT_KEY, PANEL_KEY, responsive_layout, signal_when_drawn
from copilot.ui.panel import render_panel, render_spectrum
from copilot.ui.render import LiveTurn, StepExtra, render_images, render_turn
from copilot.ui.runtime import Backend, Runtime, describe_failure
from copilot.ui.settings import (
    DEFAULT_OPENAI_MODEL,
    MODEL_ENV,
    ModelChoice,
    data_root,
    local_model_options,
)
from copilot.ui.sidebar import (
    SESSION_PARAM,
    chosen,
    follow_instrument,
    instrument_sidebar,
    mcp_sidebar,
    past_sessions,
    session_buttons,
)
from copilot.ui.specimens import specimen_choices
from copilot.ui.state import PageState
from copilot.ui.transcript import AssistantTurn, StepItem, Transcript

PAGE_ICON = ":material/biotech:"  # a microscope; an emoji icon costs the first page 0.25 s (Streamlit's emoji table)
DRAWN_WAIT_S = 3.0  # without word from the browser (e.g. under AppTest) the session opens after this anyway
DRAWN_POLL_S = 0.05
RECENT_MESSAGES = 8  # messages drawn on every rerun; earlier ones on request (keeps a turn's cost flat)
SUGGESTIONS = (
    "Load graphene and acquire an image",
    "Find the atoms in the latest image",
    "What is the status of the microscope?",
    "Take an EELS spectrum at the centre and tell me which elements are present",
)


def model_sidebar(probe: bool = True) -> ModelChoice:
    """Offline planner, a model of a local Ollama / llama.cpp server (listed when one answers on loopback), or an
    OpenAI-compatible endpoint (model, base URL, key: the key is a password field).

    ``probe=False`` (the first paint, while the session opens) lists local models only if one was asked for."""
    start = ModelChoice.from_string(os.environ.get(MODEL_ENV, "offline"))
    local = detected_local_models() if probe or start.provider not in ("offline", "openai") else []
    kinds = {"offline": "Offline planner (no key)", "openai": "OpenAI-compatible endpoint"}
    if local:
        kinds["local"] = "Local model (Ollama / llama.cpp)"
    index = 0 if start.offline else 2 if local and start.provider != "openai" else 1
    kind = st.sidebar.radio("Model", list(kinds), index=index, format_func=kinds.__getitem__, key="model_kind")
    if kind == "offline":
        return ModelChoice()
    if kind == "local":
        chosen = st.sidebar.selectbox("Local model", local, index=_index(local, start.model_string), key="local_model")
        return ModelChoice.from_string(str(chosen))
    name = st.sidebar.text_input("Model name", value=start.name if not start.offline else DEFAULT_OPENAI_MODEL)
    base_url = st.sidebar.text_input("Base URL", placeholder="https://api.openai.com/v1 (or Ollama, vLLM, ...)")
    api_key = st.sidebar.text_input("API key", type="password", help="Kept in memory only; never shown or logged.")
    return ModelChoice(name=(name or DEFAULT_OPENAI_MODEL).strip(), base_url=base_url.strip(), api_key=api_key)


@st.cache_data(ttl=30, show_spinner=False)
def detected_local_models() -> list[str]:
    return local_model_options()


def _index(options: list[str], value: str) -> int:
    return options.index(value) if value in options else 0


def instrument_kind(runtime: Runtime) -> str:
    """STEM or AFM (STEM when the instrument cannot be read, e.g. in a remote server)."""
    if runtime.mcp_url:
        return "STEM"
    try:
        return str(runtime.status().get("instrument", "STEM"))
    except Exception:  # the panel says why the instrument is unreadable
        return "STEM"


def spectrum_elements(view: AcquisitionView | None, transcript: Transcript) -> set[str]:
    """The elements whose edges a spectrum shows: found in it by a tool, or named in the person's prompts."""
    if not isinstance(view, SpectrumView):
        return set()
    symbols = set(view.element_of.values())
    return transcript.identified_elements(view.acq_id) | named_elements(transcript.prompts, symbols)


def step_extra(runtime: Runtime, transcript: Transcript) -> StepExtra:
    """Draws a step's pictures from the stored acquisition it names (readable scale bars, overlays with one),
    and a spectrum chart (with element edges) under a step whose result is a stored spectrum."""

    def draw(step: StepItem) -> bool:
        if step.result is None:
            return False
        data = step.result.data
        acq_id = acquisition_id(data)
        view = runtime.view(acq_id) if acq_id and not runtime.mcp_url else None
        if isinstance(view, SpectrumView):  # the chart (log scale, the edges that matter) replaces the tool's plot
            render_spectrum(view, spectrum_elements(view, transcript))
            return True
        if view is None or not step.result.images:
            return False
        images = step.result.images
        render_images(
            runtime.memo(f"pictures-{step.call.call_id}", lambda: chat_pictures(step.call.name, images, view))
        )
        return True

    return draw


def draw_panel(runtime: Runtime, transcript: Transcript, key: str = "panel") -> None:
    """The instrument panel of the in-process microscope (or where the remote one is)."""
    if runtime.mcp_url:
        st.subheader("Instrument")
        st.info(f"The instrument runs in the MCP server at {runtime.mcp_url}; its images appear in the chat.")
        return
    try:
        status = runtime.status()
        view = runtime.view()
    except Exception as exc:  # the panel never takes the page down
        st.warning(f"Instrument status unavailable: {exc}")
        return
    overlays = transcript.overlays(view.acq_id) if isinstance(view, ImageView) else {}
    render_panel(status, view, overlays, elements=spectrum_elements(view, transcript), key=key)


def stream_reply(
    turn: AssistantTurn,
    key: str,
    runtime: Runtime,
    events: Iterator[AgentEvent],
    panel_slot: DeltaGenerator,
    transcript: Transcript,
) -> None:
    """Draw an assistant reply while its events arrive; the instrument panel follows every tool result."""
    with st.chat_message("assistant"):
        live = LiveTurn(turn, key=key, extra=step_extra(runtime, transcript))
        live.refresh()  # a resumed turn already has items
        with st.spinner("Working at the microscope…"):
            for event in events:
                turn.apply(event)
                live.refresh()
                if isinstance(event, ToolResult):
                    with panel_slot.container():
                        draw_panel(runtime, transcript, key=f"panel-{event.call_id}")


def suggestions(state: PageState) -> None:
    st.markdown("#### Ask the microscope")
    for suggestion in SUGGESTIONS:
        st.button(suggestion, key=f"suggest-{suggestion}", on_click=state.suggest, args=(suggestion,))


def wait_for_browser(limit_s: float) -> None:
    """Sleep up to ``limit_s`` in short steps, each one a point where Streamlit can end this run for the rerun
    that the browser's "drawn" signal (or a request typed meanwhile) asks for."""
    slot = st.empty()
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        time.sleep(DRAWN_POLL_S)
        slot.empty()


def starting_page(state: PageState) -> None:
    """The page while the microscope session opens (the twin and the agent load on a thread): the chat is there
    at once, a request sent now is kept and runs as soon as the session is up.

    The session starts opening once the browser shows this page (at most ``DRAWN_WAIT_S`` later), so the two do
    not compete for the CPU on the first load."""
    past_sessions(None)
    responsive_layout()
    chat_side, panel_side = st.columns([3, 2], gap="large")
    with panel_side.container(key=PANEL_KEY):
        st.subheader("Instrument")
        st.info("Starting the microscope…", icon=":material/hourglass_top:")
    with chat_side.container(key=CHAT_KEY):
        suggestions(state)
    typed = st.chat_input("Ask the microscope…")
    if isinstance(typed, str) and typed.strip():
        state.suggest(typed)
    if not state.page_drawn:
        signal_when_drawn(state.mark_drawn)
        wait_for_browser(DRAWN_WAIT_S)
    state.wait_for_runtime()
    st.rerun()


def main(backend: Backend | None = None) -> None:
    st.set_page_config(page_title="Microscope Copilot", page_icon=PAGE_ICON, layout="wide")
    state = PageState(st.session_state)
    st.sidebar.title("Microscope Copilot")
    model = model_sidebar(probe=state.runtime is not None)
    backend = backend or Backend()
    mcp_url = mcp_sidebar()
    try:
        runtime = state.open_runtime(
            data_root(),
            chosen(st.session_state),
            model,
            backend=backend,
            mcp_url=mcp_url,
            session_id=st.query_params.get(SESSION_PARAM),
        )
        if runtime is None:
            starting_page(state)
            return
        st.query_params[SESSION_PARAM] = runtime.thread_id
    except Exception as exc:
        st.error(f"Could not start the microscope session: {describe_failure(exc, model)}")
        session_buttons(state)
        return
    if runtime.model != model:
        try:
            runtime.switch_model(model)
        except Exception as exc:
            st.sidebar.error(
                f"Could not use the model; still using {runtime.model_label}. {describe_failure(exc, model)}"
            )
    follow_instrument(st.session_state, runtime)
    options = specimen_choices(backend.specimens(), runtime.data_dir, data_root(), chosen(st.session_state).specimen)
    instrument_sidebar(options, instrument_kind(runtime))
    session_buttons(state)
    past_sessions(runtime.thread_id)
    st.sidebar.caption(f"Model: **{runtime.model_label}**")

    responsive_layout()
    chat_side, panel_side = st.columns([3, 2], gap="large")
    chat_col = chat_side.container(key=CHAT_KEY)
    with panel_side.container(key=PANEL_KEY):
        panel_slot = st.empty()
        with panel_slot.container():
            draw_panel(runtime, state.transcript)
    transcript = state.transcript
    decision = state.take_decision()
    waiting = transcript.pending_approval is not None
    typed = st.chat_input("Approve or reject first" if waiting else "Ask the microscope…", disabled=waiting)
    prompt = state.take_prompt(typed if isinstance(typed, str) else None)
    resuming = decision is not None and transcript.last_reply is not None
    sending = bool(prompt) and not waiting and not resuming
    # An answered approval continues its own turn, which is then drawn live below instead of here; so is a new
    # request and its reply. The chat is laid out as the rerun after the turn draws it (the same messages in the
    # same places), so that rerun replaces the live messages in place instead of showing them twice meanwhile.
    history = transcript.turns[:-1] if decision is not None else transcript.turns
    live = 2 if sending else 1 if resuming else 0
    with chat_col:
        first = 0 if state.show_all else min(len(history), max(0, len(history) + live - RECENT_MESSAGES))
        if first:  # a long chat: the page redraws only its recent part on every rerun
            st.button(f"Show {first} earlier messages", key="show-earlier", on_click=state.show_everything)
        for index, turn in list(enumerate(history))[first:]:
            render_turn(
                turn,
                key=f"turn-{index}",
                extra=step_extra(runtime, transcript),
                decide=state.decide,
                suggest=state.suggest,
            )
        if not transcript.turns and not sending:
            suggestions(state)
        if resuming and decision is not None and transcript.last_reply is not None:
            resumed = runtime.resume(decision)
            stream_reply(transcript.last_reply, f"turn-{len(transcript) - 1}", runtime, resumed, panel_slot, transcript)
            st.rerun()
        elif sending and prompt:
            render_turn(transcript.add_user(prompt), key=f"turn-{len(transcript) - 1}")
            reply = transcript.start_reply()
            stream_reply(reply, f"turn-{len(transcript) - 1}", runtime, runtime.chat(prompt), panel_slot, transcript)
            st.rerun()


if __name__ == "__main__":
    main()
