"""Microscope Copilot in the browser: chat with a digital-twin microscope (``make run`` or ``copilot ui``).

Layout and widgets only. The session and the agent do the work (``copilot.ui.runtime``); the transcript, the
rendering of events, images and spectra live in ``copilot.ui``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

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
from copilot.ui.export import zip_session
from copilot.ui.layout import CHAT_KEY, PANEL_KEY, responsive_layout
from copilot.ui.panel import render_panel, render_spectrum
from copilot.ui.render import LiveTurn, StepExtra, render_images, render_turn
from copilot.ui.runtime import Backend, Runtime, describe_failure
from copilot.ui.sessions import list_sessions
from copilot.ui.settings import (
    DEFAULT_DOSE_BUDGET_E_PER_A2,
    DEFAULT_OPENAI_MODEL,
    MCP_URL_ENV,
    MODEL_ENV,
    ModelChoice,
    SessionChoice,
    data_root,
    local_model_options,
)
from copilot.ui.state import PageState
from copilot.ui.transcript import AssistantTurn, StepItem, Transcript

SUGGESTIONS = (
    "Load graphene and acquire an image",
    "Find the atoms in the latest image",
    "What is the status of the microscope?",
    "Take an EELS spectrum at the centre and tell me which elements are present",
)

SPECTRUM_KINDS = ("spectrum", "spectrum_image")
SESSION_PARAM = "session"  # ?session=<id> in the URL: a reload or a bookmark reopens that session
DEFAULT_SPECIMEN = SessionChoice().specimen


@dataclass(frozen=True)
class Choices:
    model: ModelChoice
    session: SessionChoice
    mcp_url: str


def model_sidebar() -> ModelChoice:
    """Offline planner, a model of a local Ollama / llama.cpp server (listed when one answers on loopback), or an
    OpenAI-compatible endpoint (model, base URL, key: the key is a password field)."""
    start = ModelChoice.from_string(os.environ.get(MODEL_ENV, "offline"))
    local = detected_local_models()
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


def session_sidebar(options: dict[str, str]) -> tuple[SessionChoice, str]:
    names = list(options)
    specimen = st.sidebar.selectbox(
        "Specimen",
        names,
        index=names.index(DEFAULT_SPECIMEN) if DEFAULT_SPECIMEN in names else 0,
        format_func=lambda n: f"{n}: {options[n]}" if options[n] else n,
        key="specimen",
    )
    seed = st.sidebar.number_input("Seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key="seed")
    budget = st.sidebar.number_input(
        "Dose budget (e⁻/Å²)", min_value=1.0, value=DEFAULT_DOSE_BUDGET_E_PER_A2, format="%.3g", key="dose_budget"
    )
    with st.sidebar.expander("Connect to a running MCP server"):
        mcp_url = st.text_input(
            "Server URL",
            value=os.environ.get(MCP_URL_ENV, ""),
            placeholder="http://127.0.0.1:8765/mcp",
            help="Use the instrument of `copilot serve --transport http` instead of the in-process one "
            "(takes effect with a new session).",
            key="mcp_url",
        )
    return SessionChoice(str(specimen), int(seed), float(budget)), mcp_url.strip()


def open_session(session_id: str) -> None:
    st.query_params[SESSION_PARAM] = session_id


def past_sessions(current: str | None) -> None:
    """The sessions kept in the data folder, newest first; a click reopens one (chat, images and instrument)."""
    sessions = [s for s in list_sessions(data_root()) if s.session_id != current]
    if not sessions:
        return
    with st.sidebar.expander(f"Past sessions ({len(sessions)})"):
        for past in sessions:
            st.button(
                past.label,
                key=f"open-{past.session_id}",
                on_click=open_session,
                args=(past.session_id,),
                type="tertiary",
                width="stretch",
            )


def session_buttons(state: PageState, choices: Choices) -> None:
    """New session, reset specimen and the zip download of the session folder."""
    runtime = state.runtime
    left, right = st.sidebar.columns(2)
    if left.button("New session", key="new_session", width="stretch"):
        state.new_session()
        st.query_params.pop(SESSION_PARAM, None)
        st.rerun()
    if runtime is None:
        return
    if right.button("Reset specimen", key="reset_specimen", width="stretch"):
        try:
            runtime.reset_specimen(choices.session.specimen, choices.session.seed)
            st.sidebar.success(f"Loaded {choices.session.specimen} (seed {choices.session.seed}).")
        except Exception as exc:
            st.sidebar.error(str(exc))
    st.sidebar.download_button(
        "Download session (.zip)",
        data=lambda: zip_session(runtime.data_dir),
        file_name=f"{runtime.data_dir.name}.zip",
        mime="application/zip",
        on_click="ignore",
        key="download",
        width="stretch",
    )
    st.sidebar.caption(f"Data folder: `{runtime.data_dir}`")


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
        if isinstance(view, SpectrumView) and data.get("kind") in SPECTRUM_KINDS:
            render_spectrum(view, spectrum_elements(view, transcript))
        if view is None or not step.result.images:
            return False
        render_images(chat_pictures(step.call.name, step.result.images, view))
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


def main(backend: Backend | None = None) -> None:
    st.set_page_config(page_title="Microscope Copilot", page_icon="🔬", layout="wide")
    state = PageState(st.session_state)
    st.sidebar.title("Microscope Copilot")
    model = model_sidebar()
    backend = backend or Backend()
    session_choice, mcp_url = session_sidebar(backend.specimens())
    choices = Choices(model, session_choice, mcp_url)
    try:
        runtime = state.ensure_runtime(
            data_root(),
            session_choice,
            model,
            backend=backend,
            mcp_url=mcp_url,
            session_id=st.query_params.get(SESSION_PARAM),
        )
        st.query_params[SESSION_PARAM] = runtime.thread_id
    except Exception as exc:
        st.error(f"Could not start the microscope session: {describe_failure(exc, model)}")
        session_buttons(state, choices)
        return
    if runtime.model != model:
        try:
            runtime.switch_model(model)
        except Exception as exc:
            st.sidebar.error(
                f"Could not use the model; still using {runtime.model_label}. {describe_failure(exc, model)}"
            )
    session_buttons(state, choices)
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
    # An answered approval continues its own turn, which is then drawn live below instead of here.
    history = transcript.turns[:-1] if decision is not None else transcript.turns
    with chat_col:
        for index, turn in enumerate(history):
            render_turn(
                turn,
                key=f"turn-{index}",
                extra=step_extra(runtime, transcript),
                decide=state.decide,
                suggest=state.suggest,
            )
        if not transcript.turns:
            st.markdown("#### Ask the microscope")
            for suggestion in SUGGESTIONS:
                st.button(suggestion, key=f"suggest-{suggestion}", on_click=state.suggest, args=(suggestion,))

    waiting = transcript.pending_approval is not None
    typed = st.chat_input("Approve or reject first" if waiting else "Ask the microscope…", disabled=waiting)
    prompt = state.take_prompt(typed if isinstance(typed, str) else None)
    with chat_col:
        if decision is not None and transcript.last_reply is not None:
            resumed = runtime.resume(decision)
            stream_reply(transcript.last_reply, f"turn-{len(transcript) - 1}", runtime, resumed, panel_slot, transcript)
            st.rerun()
        elif prompt and not waiting:
            render_turn(transcript.add_user(prompt), key=f"turn-{len(transcript) - 1}")
            reply = transcript.start_reply()
            stream_reply(reply, f"turn-{len(transcript) - 1}", runtime, runtime.chat(prompt), panel_slot, transcript)
            st.rerun()


if __name__ == "__main__":
    main()
