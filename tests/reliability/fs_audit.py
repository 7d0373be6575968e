"""Watch what tool calls do to the file system and whether they start processes, through Python's audit hooks.

A long acquisition forks the server to compute in a child it can kill on cancellation
(:mod:`copilot.session_worker`); that fork, and only when it comes from there, is counted in ``forks`` instead of
``processes``: the child runs the twin's code and never another program.

One hook is installed per process (audit hooks cannot be removed); it records only inside :meth:`FileAudit.watch`,
from every thread (tools run in worker threads). HDF5 files are opened by the HDF5 C library, which Python does not
audit, but the store creates them with ``tempfile.mkstemp`` and renames them with ``os.replace``, which it does.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
MUTATIONS = {"os.remove", "os.rename", "os.replace", "os.mkdir", "os.rmdir", "os.truncate", "os.chmod", "os.symlink",
             "os.link", "shutil.copyfile", "shutil.rmtree", "shutil.move", "os.utime", "os.chown"}  # fmt: skip
PROCESSES = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
             "pty.spawn", "ctypes.dlopen", "os.startfile"}  # fmt: skip


@dataclass
class Watched:
    """What happened while watching: paths read, paths written or changed, processes started."""

    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)
    forks: int = 0  # the acquisition worker's own copies of the server (they run the twin, never another program)


WORKER = str(Path(__file__).parents[2] / "copilot" / "session_worker.py")


def _forked_by_the_acquisition_worker() -> bool:
    """Whether the ``os.fork`` being audited is called by :func:`copilot.session_worker.run_stoppable`."""
    frame = sys._getframe(2)  # the hook, then the frame that called os.fork
    return frame.f_code.co_filename == WORKER and frame.f_code.co_name == "run_stoppable"


class FileAudit:
    def __init__(self) -> None:
        self._current: Watched | None = None
        self._lock = threading.Lock()
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        watched = self._current
        if watched is None:
            return
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int) or path is None:
                return
            writing = (mode is not None and any(c in str(mode) for c in "wax+")) or bool((flags or 0) & WRITE_FLAGS)
            (watched.writes if writing else watched.reads).append(os.fsdecode(path))
        elif event in MUTATIONS:
            watched.writes.extend(os.fsdecode(a) for a in args if isinstance(a, (str, bytes, os.PathLike)))
        elif event == "os.fork" and _forked_by_the_acquisition_worker():
            watched.forks += 1
        elif event in PROCESSES:
            watched.processes.append(f"{event}{args!r}"[:200])

    @contextmanager
    def watch(self) -> Iterator[Watched]:
        """Record file and process events until the block ends (one watcher at a time)."""
        with self._lock:
            self._current = watched = Watched()
            try:
                yield watched
            finally:
                self._current = None


AUDIT = FileAudit()

_CODE_ROOTS: set[str | Path] = {sys.prefix, sys.base_prefix, sys.exec_prefix, Path(__file__).parents[2]}
ALLOWED_READ_ROOTS = (
    *(str(Path(p).resolve()) for p in _CODE_ROOTS),
    *("/dev/", "/proc/", "/sys/", "/usr/share/", "/etc/localtime", "/usr/lib/"),
)
"""Where code may legitimately read from during a tool call: the interpreter, installed packages, the project's own
files (prompts, specimen data) and system tables; anything else must be inside the session's folder."""


def outside(paths: list[str], folder: Path, allowed: tuple[str, ...] = ()) -> list[str]:
    """The paths that resolve outside ``folder`` and do not start with one of the ``allowed`` prefixes."""
    root = folder.resolve()
    out = []
    for p in paths:
        resolved = Path(p).resolve() if os.path.isabs(p) else (Path.cwd() / p).resolve()
        if not (resolved == root or root in resolved.parents or str(resolved).startswith(allowed)):
            out.append(str(resolved))
    return out
