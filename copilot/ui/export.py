"""The session download: its data folder (acquisitions, previews, journal) as one zip archive in memory."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

SKIPPED_SUFFIXES = (".sqlite-wal", ".sqlite-shm", ".tmp")  # files being written right now


def zip_session(data_dir: Path) -> bytes:
    """Every file under ``data_dir`` (paths relative to its parent, so the archive unpacks into one folder)."""
    if not data_dir.is_dir():
        raise FileNotFoundError(f"no session folder at {data_dir}; start a new session first")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(data_dir.rglob("*")):
            if path.is_file() and not path.name.endswith(SKIPPED_SUFFIXES):
                archive.write(path, arcname=path.relative_to(data_dir.parent).as_posix())
    return buffer.getvalue()
