"""Long acquisitions in a child process, so a cancelled one stops at once instead of computing to the end.

The twin renders a frame, a spectrum image or an autofocus series in large vectorised steps that a thread cannot
interrupt. :func:`run_stoppable` therefore forks the process and runs the acquisition in the child, on the child's
copy of the instrument; the parent waits, relays progress and watches ``stop``:

- finished: the child sends the result and the instrument's new state (every attribute except the fixed models
  drawn from the seed, see :data:`MODEL_ATTRIBUTES`), the parent adopts that state, so the instrument is exactly
  as if the acquisition had run in the parent (the same random stream, clock, exposures and drift);
- an error in the child: the state is adopted too (an instrument event such as a tip crash changes it) and the
  error raised in the parent;
- ``stop`` set: the child is killed (SIGKILL) and :class:`AcquisitionCancelled` raised; the parent's instrument
  never saw the acquisition, so nothing was delivered, no clock advanced and no random number drawn.

The child writes nothing but its pipe (the twin does no I/O) and leaves with ``os._exit``, so none of the parent's
files, buffers or exit handlers run twice; it dies with the parent (``PR_SET_PDEATHSIG``). Messages are pickles
(protocol 5) with their arrays sent out of band, so a large map is never copied whole on either side. Where
``os.fork`` is missing the acquisition runs in the calling thread and only checks ``stop`` before it starts.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import pickle
import select
import signal
import struct
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from copilot.errors import CopilotError
from copilot.store.acquisition import OPEN_FILES_LOCK

T = TypeVar("T")
Progress = Callable[..., Any]
MODEL_ATTRIBUTES = frozenset({"specimen", "column", "surface"})
"""Instrument attributes fixed by the specimen name and seed (their caches only grow): not sent back."""
POLL_S = 0.02  # how often the waiting parent looks at ``stop``
_HEADER = struct.Struct("!Q")  # every length of the pipe framing
_PR_SET_PDEATHSIG = 1


class AcquisitionCancelled(CopilotError, RuntimeError):
    """The caller cancelled the acquisition before it finished: nothing was acquired, delivered or stored."""

    hint = "Nothing changed; acquire again with fewer pixels, a shorter dwell or fewer steps if it took too long."


def instrument_state(instrument: Any) -> dict[str, Any]:
    """The instrument's changing state: every attribute but the fixed models of :data:`MODEL_ATTRIBUTES` (and
    functions set on the instance, which are behaviour, not state)."""
    return {k: v for k, v in vars(instrument).items() if k not in MODEL_ATTRIBUTES and not callable(v)}


def adopt_state(instrument: Any, state: dict[str, Any]) -> None:
    """Give ``instrument`` the state another copy of it reached (see :func:`instrument_state`)."""
    vars(instrument).update(state)


def run_stoppable(
    instrument: Any,
    work: Callable[[Progress | None], T],
    stop: threading.Event | None,
    progress: Progress | None = None,
) -> T:
    """Run ``work(progress)`` (an acquisition on ``instrument``) so that setting ``stop`` ends it within about
    :data:`POLL_S` (see the module docstring). Without ``stop`` it simply runs here."""
    if stop is None:
        return work(progress)
    if stop.is_set():
        raise AcquisitionCancelled("The acquisition was cancelled before it started; nothing was acquired.")
    if not hasattr(os, "fork"):
        return work(progress)
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    with OPEN_FILES_LOCK:  # no HDF5 file open while forking: the child would hold its lock (see the lock)
        pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(instrument, work, write_fd, parent, progress is not None)
    os.close(write_fd)
    try:
        return _parent(instrument, pid, read_fd, stop, progress)
    finally:
        os.close(read_fd)


def _child(instrument: Any, work: Callable[[Progress | None], Any], fd: int, parent: int, relay: bool) -> None:
    code = 0
    try:
        _die_with(parent)

        def send(message: tuple[Any, ...]) -> None:
            _send(fd, message)

        def progress(*values: float) -> None:
            send(("progress", values))

        try:
            result = work(progress if relay else None)
        except BaseException as exc:  # the parent raises it, with the state the instrument reached
            send(("error", _picklable(exc), instrument_state(instrument)))
        else:
            try:
                send(("done", result, instrument_state(instrument)))
            except (pickle.PicklingError, TypeError, AttributeError) as exc:  # nothing sent: the state stays
                send(("error", RuntimeError(f"The acquisition's result could not be returned: {exc}"), {}))
    except BaseException:  # the parent sees the pipe close without a result
        code = 1
    finally:
        os._exit(code)


def _die_with(parent: int) -> None:
    """Ask Linux to kill this child when the parent dies; leave at once if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _send(fd: int, message: tuple[Any, ...]) -> None:
    """One message: its pickle with the arrays out of band (protocol 5), so neither side copies them whole."""
    buffers: list[pickle.PickleBuffer] = []
    main = pickle.dumps(message, protocol=5, buffer_callback=buffers.append)
    views = [b.raw() for b in buffers]
    head = _HEADER.pack(len(main)) + _HEADER.pack(len(views)) + b"".join(_HEADER.pack(v.nbytes) for v in views)
    parts: list[bytes | memoryview] = [head, main, *views]
    for part in parts:
        view = memoryview(part)
        while view:
            view = view[os.write(fd, view) :]


def _receive(fd: int) -> tuple[Any, ...] | None:
    """The next message of :func:`_send`, or None when the pipe closed first."""
    head = _read_into(fd, 2 * _HEADER.size)
    if head is None:
        return None
    size, count = _HEADER.unpack_from(head, 0)[0], _HEADER.unpack_from(head, _HEADER.size)[0]
    sizes = _read_into(fd, count * _HEADER.size)
    main = _read_into(fd, size)
    if sizes is None or main is None:
        return None
    buffers = [_read_into(fd, _HEADER.unpack_from(sizes, i * _HEADER.size)[0]) for i in range(count)]
    if any(b is None for b in buffers):
        return None
    message: tuple[Any, ...] = pickle.loads(main, buffers=buffers)
    return message


def _read_into(fd: int, size: int) -> bytearray | None:
    """Exactly ``size`` bytes from ``fd`` into one new buffer (None at end of file)."""
    data = bytearray(size)
    view, done = memoryview(data), 0
    with io.FileIO(fd, "rb", closefd=False) as raw:
        while done < size:
            got = raw.readinto(view[done:])
            if not got:
                return None
            done += got
    return data


def _parent(instrument: Any, pid: int, fd: int, stop: threading.Event, progress: Progress | None) -> Any:
    ended = False  # the child sent its last message or was collected
    try:
        while True:
            if stop.is_set():
                raise AcquisitionCancelled("The acquisition was cancelled; it was stopped and nothing was acquired.")
            ready, _, _ = select.select([fd], [], [], POLL_S)
            if not ready:
                continue
            message = _receive(fd)
            if message is None:
                _, status = os.waitpid(pid, 0)
                ended = True
                raise RuntimeError(f"The acquisition process ended without a result (exit status {status >> 8}).")
            if message[0] == "progress":
                if progress is not None:
                    with contextlib.suppress(Exception):  # a lost progress report never stops the acquisition
                        progress(*message[1])
                continue
            ended = True
            adopt_state(instrument, message[2])
            if message[0] == "error":
                raise message[1]
            return message[1]
    finally:
        with contextlib.suppress(ChildProcessError):
            if ended:
                _reap(pid)
            else:  # cancelled, or the parent failed: the child must not compute on
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _reap(pid: int) -> None:
    """Collect the finished child (it exits right after its last message)."""
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.005)  # the child is in os._exit
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
