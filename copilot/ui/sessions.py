"""The sessions kept under the data root: one folder each, named by its id (``20261203-141502-a1b2c3``).

A folder holds the microscope's data, the conversation checkpoint and the chat log (``copilot.ui.chatlog``), plus
``session.json`` with what the sidebar needs to reopen it: the specimen, seed and dose budget it last had. The
page puts the id in its URL (``?session=<id>``), so a reload or a bookmark reopens the same session.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from copilot.ui.chatlog import CHAT_LOG_FILE, ChatLog
from copilot.ui.settings import SessionChoice

META_FILE = "session.json"
SESSION_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")
MAX_LISTED = 12


def new_session_dir(root: Path) -> Path:
    """A fresh, uniquely named folder under ``root`` for one session (time-sortable)."""
    path = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    path.mkdir(parents=True, exist_ok=False)
    return path


def find_session(root: Path, session_id: str | None) -> Path | None:
    """The folder of a session id under ``root``, or None for an id that is malformed or not there."""
    if not session_id or not SESSION_ID.match(session_id):
        return None
    path = root / session_id
    return path if path.is_dir() else None


def write_choice(data_dir: Path, choice: SessionChoice) -> None:
    """Record the specimen, seed and budget the session has now (written whole, then renamed)."""
    temporary = data_dir / f"{META_FILE}.tmp"
    temporary.write_text(json.dumps(asdict(choice)), encoding="utf-8")
    temporary.replace(data_dir / META_FILE)


def read_choice(data_dir: Path, default: SessionChoice) -> SessionChoice:
    """The choice recorded in ``session.json``; ``default`` for what it does not say."""
    try:
        saved = json.loads((data_dir / META_FILE).read_text(encoding="utf-8"))
        return SessionChoice(
            str(saved.get("specimen", default.specimen)),
            int(saved.get("seed", default.seed)),
            float(saved.get("dose_budget_e_per_A2", default.dose_budget_e_per_A2)),
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return default


@dataclass(frozen=True)
class PastSession:
    session_id: str
    title: str  # the first prompt, or the specimen when nothing was asked yet
    started: str  # "2026-12-03 14:15"

    @property
    def label(self) -> str:
        return f"{self.started} · {self.title}"


def list_sessions(root: Path, limit: int = MAX_LISTED) -> list[PastSession]:
    """Sessions with a chat under ``root``, newest first."""
    if not root.is_dir():
        return []
    found: list[PastSession] = []
    for path in sorted(root.iterdir(), reverse=True):
        if not (SESSION_ID.match(path.name) and (path / CHAT_LOG_FILE).is_file()):
            continue
        title = ChatLog(path).first_prompt() or read_choice(path, SessionChoice()).specimen
        day, clock = path.name[:8], path.name[9:15]
        started = f"{day[:4]}-{day[4:6]}-{day[6:]} {clock[:2]}:{clock[2:4]}"
        found.append(PastSession(path.name, title, started))
        if len(found) >= limit:
            break
    return found
