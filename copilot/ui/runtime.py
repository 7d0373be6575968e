"""What outlives Streamlit's reruns: one microscope session, the agent over it and the loop that drives it.

``Backend`` says how sessions and agents are made, so the page runs the real offline planner by default and a
scripted agent in tests. A ``Runtime`` is kept in ``st.session_state``; everything it does is synchronous from the
page's point of view (the async agent runs on a ``BackgroundLoop``).
"""

from __future__ import annotations

import contextlib
import inspect
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from copilot.agent.events import AgentEvent, ErrorEvent, Final, TextDelta
from copilot.ui.acquisitions import AcquisitionView, view_of
from copilot.ui.loop import BackgroundLoop
from copilot.ui.settings import ModelChoice, SessionChoice, redact, specimen_options

CHECKPOINT_FILE = "chat.sqlite"
ENDPOINT_RETRIES = 1  # a person is waiting: report a dead endpoint quickly


class ChatAgent(Protocol):
    """The part of ``copilot.agent.CopilotAgent`` the page uses."""

    model_label: str

    def run(self, text: str) -> AsyncIterator[AgentEvent]: ...

    def resume(self, approve: bool) -> AsyncIterator[AgentEvent]: ...


SessionFactory = Callable[[Path, SessionChoice], Any]
AgentFactory = Callable[..., Any]  # (session, model, *, thread_id, checkpoint_path, mcp_url) -> agent or awaitable


def make_session(data_dir: Path, choice: SessionChoice) -> Any:
    """A real ``copilot.session.Session`` in ``data_dir``."""
    from copilot.session import Session

    return Session(
        data_dir, specimen=choice.specimen, seed=choice.seed, dose_budget_e_per_A2=choice.dose_budget_e_per_A2
    )


def make_agent(session: Any, model: ModelChoice, *, thread_id: str, checkpoint_path: Path, mcp_url: str | None) -> Any:
    """A real ``CopilotAgent``; an endpoint with its own base URL or key gets its chat model built here, so the key
    is handed over in memory and never put in the process environment."""
    from copilot.agent import CopilotAgent

    chat_model = None
    if not model.offline and (model.base_url or model.api_key):
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        chat_model = ChatOpenAI(
            model=model.name,
            base_url=model.base_url or None,
            api_key=SecretStr(model.api_key) if model.api_key else None,
            streaming=True,
            max_retries=ENDPOINT_RETRIES,
        )
    return CopilotAgent.create(
        session,
        model=model.model_string,
        thread_id=thread_id,
        checkpoint_path=checkpoint_path,
        mcp_url=mcp_url or None,
        approval="ask",
        chat_model=chat_model,
    )


@dataclass(frozen=True)
class Backend:
    """How the page makes sessions and agents, and which specimens it offers."""

    make_session: SessionFactory = make_session
    make_agent: AgentFactory = make_agent
    specimens: Callable[[], dict[str, str]] = specimen_options


def new_session_dir(root: Path) -> Path:
    """A fresh, uniquely named folder under ``root`` for one session (time-sortable)."""
    path = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    path.mkdir(parents=True, exist_ok=False)
    return path


class Runtime:
    """One session and its agent; ``chat`` and ``resume`` stream agent events as a plain iterator."""

    def __init__(
        self,
        root: Path,
        session_choice: SessionChoice,
        model: ModelChoice,
        *,
        backend: Backend | None = None,
        mcp_url: str | None = None,
    ) -> None:
        self.backend = backend or Backend()
        self.data_dir = new_session_dir(root)
        self.thread_id = self.data_dir.name
        self.session_choice = session_choice
        self.mcp_url = mcp_url or None
        self._views: dict[str, AcquisitionView | None] = {}
        self.loop = BackgroundLoop()
        try:
            self.session = self.backend.make_session(self.data_dir, session_choice)
            self.model = model
            self.agent: ChatAgent = self._build_agent(model)
        except BaseException:
            self.loop.close()
            raise

    def _build_agent(self, model: ModelChoice) -> ChatAgent:
        made = self.backend.make_agent(
            self.session,
            model,
            thread_id=self.thread_id,
            checkpoint_path=self.data_dir / CHECKPOINT_FILE,
            mcp_url=self.mcp_url,
        )
        return self.loop.run(made) if inspect.isawaitable(made) else made  # type: ignore[arg-type]

    @property
    def model_label(self) -> str:
        return str(getattr(self.agent, "model_label", self.model.model_string))

    def switch_model(self, model: ModelChoice) -> None:
        """Use another model from the next turn on; the conversation (same thread and checkpoint) carries on.
        If the new model cannot be set up, the old one stays."""
        agent = self._build_agent(model)
        self._close_agent()
        self.agent, self.model = agent, model

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = self.session.status()
        return status

    def reset_specimen(self, specimen: str, seed: int) -> None:
        """Load a fresh copy of a specimen (or AFM surface) with this seed into the running session."""
        self.session.load_specimen(specimen, seed)

    def view(self, acq_id: str | None = None) -> AcquisitionView | None:
        """A stored acquisition (the latest when ``acq_id`` is None) as a view, or None if there is none.

        Views are cached: a stored acquisition never changes.
        """
        if acq_id is None:
            acq_id = getattr(self.session, "latest_acquisition_id", None)
            if not acq_id:
                return None
        if acq_id not in self._views:
            self._views[acq_id] = view_of(self.session.get_acquisition(acq_id), acq_id)
        return self._views[acq_id]

    def chat(self, text: str) -> Iterator[AgentEvent]:
        """Events of one turn; a failure of the model endpoint ends the turn with an ``ErrorEvent``."""
        return self._guarded(lambda: self.agent.run(text))

    def resume(self, approve: bool) -> Iterator[AgentEvent]:
        """Events after the person approved (or rejected) the pending actions."""
        return self._guarded(lambda: self.agent.resume(approve=approve))

    def _guarded(self, start: Callable[[], AsyncIterator[AgentEvent]]) -> Iterator[AgentEvent]:
        key = self.model.api_key
        try:
            for event in self.loop.iterate(start()):
                yield hide_key(event, key)
        except Exception as exc:  # the page must show a message, never a stack trace
            yield ErrorEvent(describe_failure(exc, self.model), recoverable=True)

    def _close_agent(self) -> None:
        closer = getattr(self.agent, "aclose", None)
        if closer is not None and not self.loop.closed:
            with contextlib.suppress(Exception):  # closing is best effort: the agent is dropped either way
                self.loop.run(closer(), timeout_s=10)

    def close(self) -> None:
        """Disconnect the agent and stop the loop."""
        self._close_agent()
        self.loop.close()


def hide_key(event: AgentEvent, key: str) -> AgentEvent:
    """The event with the API key removed from any text a person would read."""
    if not key:
        return event
    if isinstance(event, ErrorEvent):
        return replace(event, message=redact(event.message, key))
    if isinstance(event, TextDelta | Final):
        return replace(event, text=redact(event.text, key))
    return event


def describe_failure(exc: BaseException, model: ModelChoice) -> str:
    """A message a person can act on, with any key removed."""
    kind = type(exc).__name__
    detail = redact(str(exc), model.api_key).strip() or "no details"
    if model.offline:
        return f"The turn failed ({kind}: {detail}). Start a new session if this repeats."
    where = model.base_url or "the default OpenAI endpoint"
    return (
        f"The model endpoint failed ({kind}: {detail}). Check the model name '{model.name}', the base URL "
        f"({where}) and the API key in the sidebar, or switch to the offline planner."
    )
