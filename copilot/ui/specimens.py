"""What the sidebar's specimen choice offers: the twin's catalogue (STEM specimens, AFM surfaces) and the structure
files the session can load (CIF, XYZ, POSCAR, ... anything ASE reads, see ``copilot.store.structures``).

A session reads structure files only inside its own folder, so the sidebar lists three kinds:

- files in ``structures/`` of the session folder (loaded as they are);
- files in ``structures/`` of the data root, shared by every session: choosing one copies it into the session's
  ``structures/`` first (``bring_into_session``);
- a file the person uploads, saved into the session's ``structures/`` (``save_upload``).

A copy or an upload that the session then refuses to load is removed again, so a rejected choice changes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# The store (h5py, ...) loads with the session, not with the page's first paint: imported where it is used.
STRUCTURES_FOLDER = "structures"  # copilot.store.structures.STRUCTURES_FOLDER (checked by the tests)
SESSION_NOTE = "your structure file, a slab viewed down its c axis"
SHARED_NOTE = "shared structure file (copied into this session when loaded), a slab viewed down its c axis"
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,127}$")


class StructureChoiceError(ValueError):
    """A structure file name or upload the sidebar refuses (nothing was written)."""


def specimen_choices(
    catalogue: dict[str, str], session_dir: Path | None, root: Path, current: str = ""
) -> dict[str, str]:
    """Name → one-line description of everything the sidebar offers: the catalogue, then the session's structure
    files, then the shared ones not in the session yet; ``current`` (what the instrument has now) is always in."""
    from copilot.store.structures import structure_files

    choices = dict(catalogue)
    if session_dir is not None:
        choices.update((entry["name"], SESSION_NOTE) for entry in structure_files(session_dir))
    for entry in structure_files(root):
        choices.setdefault(entry["name"], SHARED_NOTE)
    if current and current not in choices:
        choices[current] = SESSION_NOTE if Path(current).suffix else ""
    return choices


def _target(session_dir: Path, file_name: str) -> Path:
    """Where a structure file called ``file_name`` goes in the session; refuses names that are not plain."""
    from copilot.store.structures import LISTED_SUFFIXES

    if not _PLAIN_NAME.match(file_name) or ".." in file_name:
        raise StructureChoiceError(f"{file_name!r} is not a plain file name (letters, digits, '.', '_', '-').")
    if Path(file_name).suffix.lower() not in LISTED_SUFFIXES:
        kinds = ", ".join(sorted(LISTED_SUFFIXES))
        raise StructureChoiceError(f"{file_name!r} is not a structure file the twin lists ({kinds}).")
    return session_dir / STRUCTURES_FOLDER / file_name


def _write_new(target: Path, data: bytes) -> None:
    """Write ``data`` to a file that does not exist yet (temporary file, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    try:
        os.link(temporary, target)  # fails if the name was taken meanwhile: an existing file is never replaced
    except FileExistsError:
        raise StructureChoiceError(f"{target.name!r} appeared in the session meanwhile; nothing was written.") from None
    finally:
        temporary.unlink()


def save_upload(session_dir: Path, file_name: str, data: bytes) -> tuple[str, bool]:
    """Save an uploaded structure file into the session's ``structures/``; returns its specimen name and whether
    a file was written (False: the same file is there already). Refuses a name that is not plain, a suffix the
    twin does not list, a file over ``MAX_STRUCTURE_BYTES`` and a different file under a name already taken."""
    from copilot.store.structures import MAX_STRUCTURE_BYTES

    target = _target(session_dir, file_name)
    if len(data) > MAX_STRUCTURE_BYTES:
        raise StructureChoiceError(f"{file_name!r} is larger than {MAX_STRUCTURE_BYTES // 1_000_000} MB.")
    if not data:
        raise StructureChoiceError(f"{file_name!r} is empty.")
    name = f"{STRUCTURES_FOLDER}/{file_name}"
    if target.exists():
        if target.read_bytes() == data:
            return name, False
        raise StructureChoiceError(f"This session already has another {name}; rename the file and upload it again.")
    _write_new(target, data)
    return name, True


def bring_into_session(session_dir: Path, root: Path, name: str) -> bool:
    """Copy the shared structure file ``name`` (``structures/<file>`` of the data root) into the session, unless
    the session has it already or it is not a shared file; returns whether a file was copied."""
    from copilot.store.structures import MAX_STRUCTURE_BYTES

    folder, _, file_name = name.partition("/")
    if folder != STRUCTURES_FOLDER or not _PLAIN_NAME.match(file_name) or ".." in file_name:
        return False  # not a shared file: the session loads (or refuses) the name as it is
    if (session_dir / name).exists():
        return False
    source = root / STRUCTURES_FOLDER / file_name
    if not source.is_file():
        return False
    if source.stat().st_size > MAX_STRUCTURE_BYTES:
        raise StructureChoiceError(f"{name!r} is larger than {MAX_STRUCTURE_BYTES // 1_000_000} MB.")
    _write_new(_target(session_dir, file_name), source.read_bytes())
    return True
