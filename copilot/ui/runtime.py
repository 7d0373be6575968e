"""What outlives Streamlit's reruns: one microscope session, the agent over it and the loop that drives it.

``Backend`` says how sessions and agents are made, so the page runs the real offline planner by default and a
scripted agent in tests. A ``Runtime`` is kept in ``st.session_state``; everything it does is synchronous from the
page's point of view (the async agent runs on a ``BackgroundLoop``).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

from copilot.agent.events import AgentEvent, ErrorEvent, Final, TextDelta
from copilot.ui.acquisitions import AcquisitionView, view_of
from copilot.ui.chatlog import ChatLog
from copilot.ui.loop import BackgroundLoop
from copilot.ui.sessions import new_session_dir, read_choice, write_choice
from copilot.ui.settings import ModelChoice, SessionChoice, redact, specimen_options
from copilot.ui.specimens import bring_into_session, save_upload
from copilot.ui.transcript import Decision

T = TypeVar("T")
CHECKPOINT_FILE = "chat.sqlite"
ENDPOINT_RETRIES = 1  # a person is waiting: report a dead endpoint quickly


class ChatAgent(Protocol):
    """The part of ``copilot.agent.CopilotAgent`` the page uses."""

    model_label: str

    def run(self, text: str) -> AsyncIterator[AgentEvent]: ...

    def resume(self, approve: bool) -> AsyncIterator[AgentEvent]: ...  # newer agents also take use_safe


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


class Runtime:
    """One session and its agent; ``chat`` and ``resume`` stream agent events as a plain iterator and write them
    to the session's chat log.

    With ``data_dir`` (an existing session folder) the session is reopened: the same folder, conversation thread
    and checkpoint, and the specimen, seed and budget it last had.
    """

    def __init__(
        self,
        root: Path,
        session_choice: SessionChoice,
        model: ModelChoice,
        *,
        backend: Backend | None = None,
        mcp_url: str | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.backend = backend or Backend()
        self.root = root
        if data_dir is not None:
            session_choice = read_choice(data_dir, session_choice)
        self.data_dir = data_dir or new_session_dir(root)
        self.thread_id = self.data_dir.name
        self.log = ChatLog(self.data_dir)
        self.session_choice = session_choice
        self.mcp_url = mcp_url or None
        self._views: dict[str, AcquisitionView | None] = {}
        self._memo: dict[str, Any] = {}
        self.loop = BackgroundLoop()
        try:
            self.session = self.backend.make_session(self.data_dir, session_choice)
            self.model = model
            self.agent: ChatAgent = self._build_agent(model)
        except BaseException:
            self.loop.close()
            raise
        write_choice(self.data_dir, session_choice)

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
        """Load a fresh copy of a specimen, AFM surface or structure file with this seed into the running session.
        A structure file shared under the data root is copied into the session first, and removed again if the
        session refuses to load it."""
        copied = bring_into_session(self.data_dir, self.root, specimen)
        self._load_or_remove(specimen, seed, copied)

    def add_structure(self, file_name: str, data: bytes, seed: int) -> str:
        """Save an uploaded structure file into the session's ``structures/`` and load it; a file the session
        refuses to load is removed again. Returns its specimen name (``structures/<file>``)."""
        name, written = save_upload(self.data_dir, file_name, data)
        self._load_or_remove(name, seed, written)
        return name

    def _load_or_remove(self, specimen: str, seed: int, remove_on_failure: bool) -> None:
        try:
            self.session.load_specimen(specimen, seed)
        except BaseException:
            if remove_on_failure:
                (self.data_dir / specimen).unlink(missing_ok=True)
            raise
        self.remember()

    def set_dose_budget(self, budget_e_per_A2: float) -> None:
        """Change the session's dose budget now (the next acquisition is checked against it)."""
        if not budget_e_per_A2 > 0:
            raise ValueError(f"the dose budget must be positive, not {budget_e_per_A2!r} e-/A^2")
        with getattr(self.session, "lock", contextlib.nullcontext()):
            self.session.dose_budget_e_per_A2 = float(budget_e_per_A2)
        self.remember()

    def remember(self) -> SessionChoice:
        """Record the specimen, seed and budget the instrument has now, so a reopened session starts there."""
        if self.mcp_url:
            return self.session_choice
        status = self.status()
        budget = (status.get("dose") or {}).get("budget_e_per_A2", self.session_choice.dose_budget_e_per_A2)
        seed = status.get("seed")
        choice = SessionChoice(
            str(status.get("specimen") or self.session_choice.specimen),
            int(seed) if isinstance(seed, int) else self.session_choice.seed,
            float(budget),
        )
        if choice != self.session_choice:
            self.session_choice = choice
            write_choice(self.data_dir, choice)
        return choice

    def view(self, acq_id: str | None = None) -> AcquisitionView | None:
        """A stored acquisition (the latest when ``acq_id`` is None) as a view, or None if there is none (or it
        is not in the store).

        Views are cached: a stored acquisition never changes.
        """
        if acq_id is None:
            acq_id = getattr(self.session, "latest_acquisition_id", None)
            if not acq_id:
                return None
        if acq_id not in self._views:
            try:
                acquisition = self.session.get_acquisition(acq_id)
            except (KeyError, OSError):  # not (or no longer) in the store, e.g. a folder copied without its data
                return None
            self._views[acq_id] = view_of(acquisition, acq_id)
        return self._views[acq_id]

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """``make()`` once per key for this session (for what a rerun would otherwise redraw from scratch, e.g.
        the pictures of a finished step: results never change)."""
        if key not in self._memo:
            self._memo[key] = make()
        value: T = self._memo[key]
        return value

    def chat(self, text: str) -> Iterator[AgentEvent]:
        """Events of one turn; a failure of the model endpoint ends the turn with an ``ErrorEvent``."""
        self.log.user(text)
        return self._guarded(lambda: self.agent.run(text))

    def resume(self, decision: Decision) -> Iterator[AgentEvent]:
        """Events after the person approved, rejected or chose the safe setting for the pending actions."""
        self.log.decision(decision)
        if decision == "safe" and "use_safe" in inspect.signature(self.agent.resume).parameters:
            return self._guarded(lambda: self.agent.resume(approve=True, use_safe=True))  # type: ignore[call-arg]
        # An agent that cannot run the safe setting gets a rejection: the risky call never runs unapproved.
        return self._guarded(lambda: self.agent.resume(approve=decision == "approve"))

    def _guarded(self, start: Callable[[], AsyncIterator[AgentEvent]]) -> Iterator[AgentEvent]:
        key = self.model.api_key
        text: list[str] = []  # streamed text is logged merged, once a step or the end follows it
        try:
            for event in self.loop.iterate(start()):
                event = hide_key(event, key)
                if isinstance(event, TextDelta):
                    text.append(event.text)
                else:
                    self.log.text("".join(text))
                    text.clear()
                    self.log.event(event)
                yield event
        except Exception as exc:  # the page must show a message, never a stack trace
            self.log.text("".join(text))
            text.clear()
            failure = ErrorEvent(describe_failure(exc, self.model), recoverable=True)
            self.log.event(failure)
            yield failure
        finally:
            self.log.text("".join(text))
            with contextlib.suppress(Exception):  # the panel reads the instrument again anyway
                self.remember()

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
