"""A cancelled long acquisition stops within a fraction of a second and changes nothing: the instrument (clock,
random stream, exposures, drift), the store, the dose ledger and instrument.json are as before the call, and the
next acquisition is the one a session that never saw the cancelled call takes."""

from __future__ import annotations

import json
import os
import pickle
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from copilot.session import AcquisitionCancelled, Session
from copilot.session_state import STATE_NAME
from copilot.session_worker import instrument_state, run_stoppable
from copilot.store.ledger import LEDGER_NAME
from copilot.twin.errors import BeamBlankedError

PROMPT_S = 0.5  # the work must have stopped this soon after the cancellation


def stem(data_dir: Path) -> Session:
    session = Session(data_dir, specimen="graphene", seed=5)
    session.set_scan(fov_nm=20.0, pixels=128, dwell_us=2.0)
    session.acquire_image()
    return session


Acquire = Callable[[Session, threading.Event, Callable[..., None]], Any]
LONG: dict[str, tuple[dict[str, float], Acquire]] = {
    # (scan settings first, the acquisition): each takes about a second or more of computing
    "frame 2048 px": ({"pixels": 2048}, lambda s, stop, p: s.acquire_image(stop=stop, progress=p)),
    "spectrum image 48 x 48": (
        {},
        lambda s, stop, p: s.acquire_spectrum_image("EELS", 2.0, 2.0, 12.0, 12.0, 48, 1.0, stop=stop, progress=p),
    ),
    "autofocus 41 steps": (
        {"fov_nm": 200.0},
        lambda s, stop, p: s.autofocus(range_nm=60.0, steps=41, stop=stop, progress=p),
    ),
}


def fingerprint(session: Session) -> tuple[Any, ...]:
    """The instrument's settings and clock, its random stream, its exposures and its drift path."""
    state = instrument_state(session.instrument)
    drift = pickle.dumps(vars(state["_drift"]))
    return state["_state"], state["_rng"].bit_generator.state, list(state["ledger"].exposures), drift


def ledger_lines(data_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (data_dir / LEDGER_NAME).read_text().splitlines() if line.strip()]


def cancel_when_started() -> tuple[threading.Event, list[float], Callable[..., None]]:
    """A stop event set by the acquisition's first progress report (it is then computing in the child)."""
    stop, when = threading.Event(), []

    def progress(*_values: float) -> None:
        if not when:
            when.append(time.perf_counter())
            stop.set()

    return stop, when, progress


@pytest.mark.slow
@pytest.mark.parametrize("name", list(LONG))
def test_a_cancelled_long_acquisition_stops_promptly_and_changes_nothing(tmp_path: Path, name: str) -> None:
    session, reference = stem(tmp_path / "cancelled"), stem(tmp_path / "reference")
    settings, run = LONG[name]
    session.set_scan(**settings)  # kept: only the acquisition is cancelled
    reference.set_scan(**settings)
    before = fingerprint(session)
    state_file = (session.data_dir / STATE_NAME).read_text()
    ids, lines = session.store.ids(), len(ledger_lines(session.data_dir))

    stop, fired, progress = cancel_when_started()
    with pytest.raises(AcquisitionCancelled, match="cancelled"):
        run(session, stop, progress)
    stopped_after_s = time.perf_counter() - fired[0]

    assert stopped_after_s < PROMPT_S, f"{name} stopped {stopped_after_s:.3f} s after the cancellation"
    assert fingerprint(session) == before
    assert (session.data_dir / STATE_NAME).read_text() == state_file
    assert session.store.ids() == ids
    new = ledger_lines(session.data_dir)[lines:]
    assert [line["kind"] for line in new] == ["planned", "done"]  # planned before the beam, nothing delivered

    # nothing drawn from the random stream, nothing delivered: the next frame is the reference's next frame
    session.set_scan(pixels=128)
    reference.set_scan(pixels=128)
    after, expected = session.acquire_image(), reference.acquire_image()
    assert np.array_equal(after.arrays["image"], expected.arrays["image"])
    assert session.status()["dose"] == reference.status()["dose"]
    session.close()
    reference.close()


def test_a_cancelled_call_waiting_for_the_instrument_gives_up_without_running(tmp_path: Path) -> None:
    session = stem(tmp_path)
    stop = threading.Event()
    outcome: list[BaseException] = []
    with session.lock:  # another client's acquisition holds the instrument

        def waiting() -> None:
            try:
                session.acquire_image(stop=stop)
            except AcquisitionCancelled as exc:
                outcome.append(exc)

        worker = threading.Thread(target=waiting)
        worker.start()
        stop.set()
        worker.join(timeout=5)
    assert not worker.is_alive() and outcome and "waited for the instrument" in str(outcome[0])
    assert session.store.ids() == ["a0001"]
    session.close()


def test_an_acquisition_run_in_the_child_process_equals_one_run_in_place(tmp_path: Path) -> None:
    """The child process path (used whenever a long acquisition can be cancelled) is invisible in the results."""
    forked, direct = stem(tmp_path / "forked"), stem(tmp_path / "direct")
    never = threading.Event()
    for session in (forked, direct):
        session.set_scan(pixels=2048)  # large enough to run in the child
    a = forked.acquire_image(stop=never)
    b = direct.acquire_image()
    assert np.array_equal(a.arrays["image"], b.arrays["image"])
    fa, fb = forked.autofocus(steps=5, stop=never), direct.autofocus(steps=5)
    assert (fa.defocus_nm, fa.metric_by_defocus) == (fb.defocus_nm, fb.metric_by_defocus)
    sa = forked.acquire_spectrum_image("EDS", 1.0, 1.0, 4.0, 4.0, 8, 1.0, stop=never)
    sb = direct.acquire_spectrum_image("EDS", 1.0, 1.0, 4.0, 4.0, 8, 1.0)
    assert np.array_equal(sa.arrays["counts"], sb.arrays["counts"])
    assert forked.status()["settings"] == direct.status()["settings"]
    assert forked.status()["dose"] == direct.status()["dose"]
    assert forked.instrument_time_s() == direct.instrument_time_s()
    forked.close()
    direct.close()


def test_an_afm_frame_in_the_child_process_keeps_the_tip_wear_and_can_be_cancelled(tmp_path: Path) -> None:
    sessions = [Session(tmp_path / name, specimen="afm_grating", seed=2) for name in ("forked", "direct")]
    for session in sessions:
        session.afm.approach()
        session.afm.set_afm_scan(pixels=256)
    forked, direct = sessions
    a = forked.afm.acquire_afm_image(stop=threading.Event())
    b = direct.afm.acquire_afm_image()
    assert np.array_equal(a.arrays["height_trace"], b.arrays["height_trace"])
    assert (
        forked.afm.tip_state() == direct.afm.tip_state()
        and forked.instrument_time_s() == b.metadata["frame_time_s"] + 20.0
    )
    forked.afm.set_afm_scan(pixels=1024)
    stop, fired, progress = cancel_when_started()  # the 1024 px frame computes for over a second
    with pytest.raises(AcquisitionCancelled):
        forked.afm.acquire_afm_image(stop=stop, progress=progress)
    assert time.perf_counter() - fired[0] < PROMPT_S
    assert forked.afm.tip_state() == direct.afm.tip_state()
    for session in sessions:
        session.close()


def test_an_error_in_the_child_is_raised_here_and_a_child_that_dies_is_reported(tmp_path: Path) -> None:
    session = stem(tmp_path)
    session.set_scan(pixels=2048)
    session.set_beam(blanked=True)
    before = fingerprint(session)
    with pytest.raises(BeamBlankedError, match="blanked"):  # raised by the twin inside the child
        session.acquire_image(stop=threading.Event())
    assert fingerprint(session) == before and session.store.ids() == ["a0001"]
    with pytest.raises(RuntimeError, match="ended without a result"):
        run_stoppable(session.instrument, lambda _p: os._exit(3), threading.Event())
    session.close()


def test_sessions_that_store_while_another_forks_never_find_their_files_locked(tmp_path: Path) -> None:
    """HDF5 locks its files with flock, which a forked child shares: a fork while another session of the process
    has a file open must not leave that file locked for the child's lifetime."""
    forking, storing = stem(tmp_path / "forks"), stem(tmp_path / "stores")
    forking.set_scan(pixels=2048)
    storing.set_scan(pixels=32, dwell_us=1.0)
    failures: list[BaseException] = []
    done = threading.Event()

    def store_on() -> None:
        try:
            while not done.is_set():
                storing.acquire_image()
        except BaseException as exc:  # reported below
            failures.append(exc)

    writer = threading.Thread(target=store_on)
    writer.start()
    try:
        for _ in range(8):
            forking.acquire_image(stop=threading.Event())  # a long frame that can be cancelled: forked
    finally:
        done.set()
        writer.join()
    assert not failures, failures
    assert len(storing.store.ids()) > 8
