"""The sidebar's instrument and session controls, kept in step with the instrument.

The specimen, seed and dose budget show what the instrument has now (also what the chat loaded) and a change
applies at once: a new specimen or seed loads it, a new budget is the session's budget from the next
acquisition on. An AFM session has no electron dose, so it shows no budget. Below them: new session, reset
specimen, the zip download and the past sessions to reopen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import streamlit as st

from copilot.ui.export import zip_session
from copilot.ui.runtime import Runtime
from copilot.ui.sessions import list_sessions
from copilot.ui.settings import MCP_URL_ENV, SessionChoice, data_root
from copilot.ui.state import PageState

SESSION_PARAM = "session"  # ?session=<id> in the URL: a reload or a bookmark reopens that session
SPECIMEN_KEY, SEED_KEY, BUDGET_KEY, MCP_KEY = "specimen", "seed", "dose_budget", "mcp_url"
UPLOAD_KEY = "structure_upload"
STRUCTURE_TYPES = ("cif", "xyz", "extxyz", "vasp", "poscar", "pdb", "xsf", "traj", "cfg")  # what the twin lists
NOTICE_KEY = "copilot_sidebar_notice"  # (kind, text) of the last change, shown once


def chosen(store: Mapping[Any, Any]) -> SessionChoice:
    """What a new session starts with: the sidebar's values, or the defaults before it was drawn."""
    default = SessionChoice()
    return SessionChoice(
        str(store.get(SPECIMEN_KEY, default.specimen)),
        int(store.get(SEED_KEY, default.seed)),
        float(store.get(BUDGET_KEY, default.dose_budget_e_per_A2)),
    )


def follow_instrument(store: MutableMapping[Any, Any], runtime: Runtime | None) -> None:
    """Set the sidebar's values to the instrument's (before the widgets are drawn in this run)."""
    choice = chosen(store)
    if runtime is not None and not runtime.mcp_url:
        try:
            choice = runtime.remember()
        except Exception:  # the panel reports an unreadable instrument; the sidebar keeps its values
            choice = runtime.session_choice
    store[SPECIMEN_KEY], store[SEED_KEY], store[BUDGET_KEY] = choice.specimen, choice.seed, choice.dose_budget_e_per_A2


def _apply(action: Callable[[Runtime], str]) -> None:
    """Run a sidebar change on the instrument (a widget callback) and keep what to tell the person."""
    runtime = PageState(st.session_state).runtime
    if runtime is None:
        return
    try:
        st.session_state[NOTICE_KEY] = ("success", action(runtime))
    except Exception as exc:  # a refused change leaves the instrument as it was; say why
        st.session_state[NOTICE_KEY] = ("error", str(exc))


def _load(runtime: Runtime) -> str:
    specimen, seed = str(st.session_state[SPECIMEN_KEY]), int(st.session_state[SEED_KEY])
    runtime.reset_specimen(specimen, seed)
    return f"Loaded {specimen} (seed {seed})."


def _upload(runtime: Runtime) -> str:
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is None:  # the person removed the file from the uploader: nothing to do
        return "Structure file removed from the uploader (the session keeps its copy)."
    name = runtime.add_structure(str(uploaded.name), uploaded.getvalue(), int(st.session_state[SEED_KEY]))
    return f"Loaded {name} (seed {int(st.session_state[SEED_KEY])})."


def _budget(runtime: Runtime) -> str:
    budget = float(st.session_state[BUDGET_KEY])
    runtime.set_dose_budget(budget)
    return f"Dose budget {budget:.3g} e⁻/Å² from the next acquisition on."


def instrument_sidebar(options: dict[str, str], instrument: str) -> None:
    """Specimen (the catalogue and the structure files, see ``copilot.ui.specimens``), an upload of a structure
    file, seed and (on the STEM) the dose budget; each change applies to the instrument at once."""
    st.sidebar.selectbox(
        "Specimen",
        list(options),
        format_func=lambda n: f"{n}: {options[n]}" if options.get(n) else n,
        key=SPECIMEN_KEY,
        on_change=_apply,
        args=(_load,),
    )
    st.sidebar.file_uploader(
        "Your structure file",
        type=list(STRUCTURE_TYPES),
        key=UPLOAD_KEY,
        on_change=_apply,
        args=(_upload,),
        help="A CIF, XYZ with a lattice, POSCAR, ... (anything ASE reads): saved in the session's structures/ "
        "and loaded as a slab viewed down its c axis. Files in structures/ of the data folder are listed above.",
    )
    st.sidebar.number_input(
        "Seed", min_value=0, max_value=2**31 - 1, step=1, key=SEED_KEY, on_change=_apply, args=(_load,)
    )
    if instrument == "AFM":
        st.sidebar.caption("AFM: no electron dose (the tip and the scanned distance are in the panel).")
    else:
        st.sidebar.number_input(
            "Dose budget (e⁻/Å²)", min_value=1.0, format="%.3g", key=BUDGET_KEY, on_change=_apply, args=(_budget,)
        )
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice is not None:
        (st.sidebar.success if notice[0] == "success" else st.sidebar.error)(notice[1])


def mcp_sidebar() -> str:
    """The URL of a running ``copilot serve --transport http`` to use instead of the in-process instrument."""
    if MCP_KEY not in st.session_state:
        st.session_state[MCP_KEY] = os.environ.get(MCP_URL_ENV, "")
    with st.sidebar.expander("Connect to a running MCP server"):
        url = st.text_input(
            "Server URL",
            placeholder="http://127.0.0.1:8765/mcp",
            help="Use the instrument of `copilot serve --transport http` instead of the in-process one "
            "(takes effect with a new session).",
            key=MCP_KEY,
        )
    return str(url).strip()


def _open_session(session_id: str) -> None:
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
                on_click=_open_session,
                args=(past.session_id,),
                type="tertiary",
                width="stretch",
            )


def session_buttons(state: PageState) -> None:
    """New session, reset specimen (a fresh copy of the loaded one) and the zip download of the session."""
    runtime = state.runtime
    left, right = st.sidebar.columns(2)
    if left.button("New session", key="new_session", width="stretch"):
        state.new_session()
        st.query_params.pop(SESSION_PARAM, None)
        st.rerun()
    if runtime is None:
        return
    right.button("Reset specimen", key="reset_specimen", width="stretch", on_click=_apply, args=(_load,))
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
