"""Sessions that outlive the page: the chat log read back after a reload, the list of past sessions, reopening
one (same folder, thread and instrument choice), and a download with a consistent database and a transcript."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

from copilot.agent.events import AgentEvent, ApprovalNeeded, Final, TextDelta, ToolCall
from copilot.ui.chatlog import ChatLog
from copilot.ui.export import zip_session
from copilot.ui.runtime import Backend, Runtime
from copilot.ui.sessions import find_session, list_sessions, new_session_dir
from copilot.ui.settings import ModelChoice, SessionChoice
from copilot.ui.state import PageState
from copilot.ui.transcript import ApprovalItem, AssistantTurn, StepItem, TextItem
from tests.ui.fakes import Script, acquisition_turn

APPROVAL: list[AgentEvent] = [
    ToolCall("c9", "acquire_image", {"dwell_us": 50.0}),
    ApprovalNeeded(({"call_id": "c9", "name": "acquire_image", "args": {"dwell_us": 50.0}, "reason": "dose"},)),
]


def test_a_reopened_session_shows_the_same_chat_with_its_images_and_answers(tmp_path: Path) -> None:
    script = Script(turns=[acquisition_turn("Here is the image."), APPROVAL], rejected=[Final("Left as is.", "m")])
    first = PageState({})
    runtime = first.ensure_runtime(tmp_path, SessionChoice("mos2", 4), ModelChoice(), backend=script.backend)
    for text in ("acquire", "expose"):
        first.transcript.add_user(text)
        reply = first.transcript.start_reply()
        for event in runtime.chat(text):
            reply.apply(event)
    runtime.close()

    again = PageState({})
    reopened = again.ensure_runtime(
        tmp_path, SessionChoice("mos2", 9), ModelChoice(), backend=script.backend, session_id=runtime.thread_id
    )
    try:
        assert reopened.data_dir == runtime.data_dir and reopened.thread_id == runtime.thread_id
        # the instrument as the chat left it (graphene, seed 0), not the sidebar's values when reopening
        assert (reopened.session_choice.specimen, reopened.session_choice.seed) == ("graphene", 0)
        turns = again.transcript.turns
        assert [t.role for t in turns] == ["user", "assistant", "user", "assistant"]
        answer = turns[1]
        assert isinstance(answer, AssistantTurn)
        assert [type(i) for i in answer.items] == [StepItem, StepItem, TextItem]
        assert answer.text == "Here is the image."
        image = answer.steps[1].result.images[0]  # type: ignore[union-attr]
        assert image.png == acquisition_turn()[3].images[0].png and image.uri == "acq://a0000"  # type: ignore[union-attr]
        pending = again.transcript.pending_approval
        assert isinstance(pending, ApprovalItem) and pending.requests[0]["reason"] == "dose"
        list(reopened.resume("reject"))
        assert ChatLog(reopened.data_dir).replay().pending_approval is None
    finally:
        reopened.close()


def test_past_sessions_are_listed_newest_first_by_their_first_prompt(tmp_path: Path) -> None:
    older, newer = tmp_path / "20250101-090000-aaaaaa", tmp_path / "20250102-100000-bbbbbb"
    for folder, prompt in ((older, "load graphene"), (newer, "what is the status?")):
        folder.mkdir()
        ChatLog(folder).user(prompt)
    (tmp_path / "20250103-000000-cccccc").mkdir()  # never chatted in: not listed
    (tmp_path / "notes").mkdir()
    listed = list_sessions(tmp_path)
    assert [s.label for s in listed] == ["2025-01-02 10:00 · what is the status?", "2025-01-01 09:00 · load graphene"]
    assert find_session(tmp_path, "20250101-090000-aaaaaa") == older
    assert find_session(tmp_path, "../etc") is None and find_session(tmp_path, "20990101-000000-ffffff") is None


def test_an_unknown_session_id_starts_a_fresh_session(tmp_path: Path) -> None:
    state = PageState({})
    runtime = state.ensure_runtime(
        tmp_path, SessionChoice(), ModelChoice(), backend=Script().backend, session_id="20990101-000000-ffffff"
    )
    try:
        assert runtime.data_dir.parent == tmp_path and runtime.thread_id != "20990101-000000-ffffff"
        assert len(state.transcript) == 0
    finally:
        runtime.close()


def test_the_download_holds_a_database_with_the_writes_still_in_its_log_and_a_transcript(tmp_path: Path) -> None:
    folder = new_session_dir(tmp_path)
    live = sqlite3.connect(folder / "chat.sqlite")
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("PRAGMA wal_autocheckpoint=0")  # keep every write in the -wal file, as a busy checkpointer does
    live.execute("CREATE TABLE checkpoints (thread_id TEXT, step INTEGER)")
    live.execute("INSERT INTO checkpoints VALUES ('t', 1)")
    live.commit()
    assert (folder / "chat.sqlite-wal").stat().st_size > 0
    log = ChatLog(folder)
    log.user("load graphene and acquire an image")
    for event in acquisition_turn("Here is the image."):
        if isinstance(event, TextDelta):
            continue
        log.event(event)
    log.text("Here is the image.")

    archive = zipfile.ZipFile(io.BytesIO(zip_session(folder)))
    names = archive.namelist()
    assert not any(name.endswith(("-wal", "-shm")) for name in names)
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(archive.read(f"{folder.name}/chat.sqlite"))
    assert sqlite3.connect(copy).execute("SELECT thread_id, step FROM checkpoints").fetchall() == [("t", 1)]
    markdown = archive.read(f"{folder.name}/transcript.md").decode()
    assert "## load graphene and acquire an image" in markdown
    assert "Here is the image." in markdown and "*model: scripted*" in markdown
    assert "- `acquire_image · fov_nm=20, pixels=64, dwell_us=2 → id=a0000" in markdown
    assert "![HAADF a0000](chat-images/0000.png)" in markdown and f"{folder.name}/chat-images/0000.png" in names
    live.close()


def test_the_runtime_logs_streamed_text_once_merged(tmp_path: Path) -> None:
    runtime = Runtime(tmp_path, SessionChoice(), ModelChoice(), backend=Script(turns=[acquisition_turn()]).backend)
    try:
        list(runtime.chat("acquire"))
        kinds = [r["event"]["kind"] for r in runtime.log.records() if "event" in r]
        assert kinds == ["tool_call", "tool_result", "tool_call", "tool_result", "text", "final"]
    finally:
        runtime.close()


def test_an_agent_without_a_safe_setting_is_told_reject_never_approve(tmp_path: Path) -> None:
    class OldAgent:
        model_label = "old"
        answers: ClassVar[list[bool]] = []

        async def _none(self) -> AsyncIterator[AgentEvent]:
            yield Final("Not run.", model="old")

        def run(self, text: str) -> AsyncIterator[AgentEvent]:
            return self._none()

        def resume(self, approve: bool) -> AsyncIterator[AgentEvent]:
            self.answers.append(approve)
            return self._none()

    backend = Backend(make_session=Script().make_session, make_agent=lambda *a, **k: OldAgent())
    runtime = Runtime(tmp_path, SessionChoice(), ModelChoice(), backend=backend)
    try:
        list(runtime.resume("safe"))
        assert OldAgent.answers == [False]
    finally:
        runtime.close()
