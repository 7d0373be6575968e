"""The page's state across Streamlit reruns, kept in ``st.session_state`` (any mutable mapping works, so the
rules are tested with a plain dict): the transcript, the runtime, a prompt picked from the suggestions and the
person's answer to an approval prompt.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import MutableMapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from copilot.ui.runtime import Backend, Runtime
from copilot.ui.sessions import find_session
from copilot.ui.settings import ModelChoice, SessionChoice
from copilot.ui.transcript import Decision, Transcript

_TRANSCRIPT = "copilot_transcript"
_RUNTIME = "copilot_runtime"
_PROMPT = "copilot_pending_prompt"
_DECISION = "copilot_decision"
_STARTING = "copilot_starting"  # the Future of a runtime being opened on a thread
_OPENER = "copilot_opener"  # that thread, until it is started
_SHOW_ALL = "copilot_show_all"
DRAWN_KEY = "copilot_page_drawn"  # the browser has shown the page (its chat input) once in this tab


def _start(
    future: Future[Runtime], root: Path, choice: SessionChoice, model: ModelChoice, options: dict[str, Any]
) -> None:
    try:
        future.set_result(Runtime(root, choice, model, **options))
    except BaseException as exc:  # handed to the page, which says what went wrong
        future.set_exception(exc)


class PageState:
    """Typed access to the keys the page keeps in a session-state mapping."""

    def __init__(self, store: MutableMapping[Any, Any]) -> None:
        self._store = store

    @property
    def transcript(self) -> Transcript:
        if _TRANSCRIPT not in self._store:
            self._store[_TRANSCRIPT] = Transcript()
        transcript: Transcript = self._store[_TRANSCRIPT]
        return transcript

    @property
    def runtime(self) -> Runtime | None:
        return self._store.get(_RUNTIME)

    def ensure_runtime(
        self,
        root: Path,
        session_choice: SessionChoice,
        model: ModelChoice,
        *,
        backend: Backend | None = None,
        mcp_url: str | None = None,
        session_id: str | None = None,
    ) -> Runtime:
        """``open_runtime``, waiting until the session is open."""
        runtime = self.open_runtime(
            root, session_choice, model, backend=backend, mcp_url=mcp_url, session_id=session_id, wait=True
        )
        assert runtime is not None  # waited for: open, or its failure raised
        return runtime

    def open_runtime(
        self,
        root: Path,
        session_choice: SessionChoice,
        model: ModelChoice,
        *,
        backend: Backend | None = None,
        mcp_url: str | None = None,
        session_id: str | None = None,
        wait: bool = False,
    ) -> Runtime | None:
        """The runtime of session ``session_id`` (the current one when it is None or unknown).

        Without a runtime, or when ``session_id`` names another session kept under ``root``, that session is
        opened (its chat read back from its log); a fresh session is started when there is nothing to reopen.
        Opening runs on a thread started by ``wait_for_runtime`` (so the page can draw first): this returns None
        until it is ready, unless ``wait``; a failure to start is raised by the call that finds it finished.
        """
        runtime = self.runtime
        folder = find_session(root, session_id)
        if runtime is not None and (folder is None or runtime.thread_id == session_id):
            return runtime
        starting: Future[Runtime] | None = self._store.get(_STARTING)
        if starting is None:
            self.new_session()
            starting = Future()
            self._store[_STARTING] = starting
            options = {"backend": backend, "mcp_url": mcp_url, "data_dir": folder}
            # Started by wait_for_runtime, once the page has drawn, so the two do not compete for the CPU.
            self._store[_OPENER] = threading.Thread(
                target=_start, args=(starting, root, session_choice, model, options), daemon=True
            )
        if wait:
            self.wait_for_runtime()
        if not starting.done():
            return None
        del self._store[_STARTING]
        runtime = starting.result()  # raises what stopped it
        self._store[_RUNTIME] = runtime
        self._store[_TRANSCRIPT] = runtime.log.replay()
        return runtime

    def wait_for_runtime(self, timeout_s: float | None = None) -> None:
        """Block until a runtime being opened is ready (or failed)."""
        opener: threading.Thread | None = self._store.pop(_OPENER, None)
        if opener is not None:
            opener.start()
        starting: Future[Runtime] | None = self._store.get(_STARTING)
        if starting is not None:
            with contextlib.suppress(Exception):  # the failure is raised by ensure_runtime, on the page
                starting.exception(timeout_s)

    def new_session(self) -> None:
        """Close the runtime and forget the chat; the next ``ensure_runtime`` starts afresh."""
        runtime = self._store.pop(_RUNTIME, None)
        if runtime is not None:
            runtime.close()
        self._store.pop(_OPENER, None)  # never started: nothing to close
        starting: Future[Runtime] | None = self._store.pop(_STARTING, None)
        if starting is not None:  # opened for nothing: close it once it is up
            starting.add_done_callback(lambda done: None if done.exception() else done.result().close())
        for key in (_TRANSCRIPT, _PROMPT, _DECISION, _SHOW_ALL):
            self._store.pop(key, None)

    @property
    def page_drawn(self) -> bool:
        """Whether the browser has said it shows the page (the session opens after that, see ``app.py``)."""
        return bool(self._store.get(DRAWN_KEY))

    def mark_drawn(self) -> None:
        self._store[DRAWN_KEY] = True

    @property
    def show_all(self) -> bool:
        """Whether the whole chat is drawn, not only its recent messages."""
        return bool(self._store.get(_SHOW_ALL))

    def show_everything(self) -> None:
        self._store[_SHOW_ALL] = True

    def suggest(self, prompt: str) -> None:
        """Queue a prompt (from a suggestion button) as if the person had typed it."""
        self._store[_PROMPT] = prompt

    def take_prompt(self, typed: str | None) -> str | None:
        """What to send this run: the typed text, else a queued suggestion (each is used once)."""
        queued = self._store.pop(_PROMPT, None)
        text = typed if typed and typed.strip() else queued
        return text.strip() if text else None

    def decide(self, decision: Decision) -> None:
        """Record the answer to the pending approval (a button callback)."""
        pending = self.transcript.pending_approval
        if pending is not None:
            pending.decision = decision
            self._store[_DECISION] = decision

    def take_decision(self) -> Decision | None:
        decision: Decision | None = self._store.pop(_DECISION, None)
        return decision
