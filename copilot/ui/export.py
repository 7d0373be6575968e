"""The session download: its data folder (acquisitions, previews, journal, chat images) as one zip archive in
memory, with each SQLite database copied consistently (through SQLite's backup API, so the writes still in its
write-ahead log are in the copy) and the chat as a readable Markdown transcript.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from copilot.ui.chatlog import ChatLog
from copilot.ui.markdown import TRANSCRIPT_FILE, transcript_markdown

SKIPPED_SUFFIXES = (".sqlite-wal", ".sqlite-shm", "-journal", ".tmp")  # folded into the copy, or being written
DATABASE_SUFFIXES = (".sqlite", ".db")


def database_copy(path: Path) -> bytes:
    """A consistent snapshot of a live SQLite database, including what is still in its write-ahead log."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / path.name
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            copy.close()
            source.close()
        return target.read_bytes()


def zip_session(data_dir: Path) -> bytes:
    """Every file under ``data_dir`` plus ``transcript.md`` (paths relative to its parent, so the archive unpacks
    into one folder)."""
    if not data_dir.is_dir():
        raise FileNotFoundError(f"no session folder at {data_dir}; start a new session first")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(data_dir.rglob("*")):
            if not path.is_file() or path.name.endswith(SKIPPED_SUFFIXES) or path.name == TRANSCRIPT_FILE:
                continue
            name = path.relative_to(data_dir.parent).as_posix()
            if path.suffix in DATABASE_SUFFIXES:
                archive.writestr(name, database_copy(path))
            else:
                archive.write(path, arcname=name)
        markdown = transcript_markdown(ChatLog(data_dir), title=data_dir.name)
        archive.writestr(f"{data_dir.name}/{TRANSCRIPT_FILE}", markdown)
    return buffer.getvalue()
