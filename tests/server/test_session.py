"""Session behaviour: the dose policy, serialised concurrent calls, reopening a folder, per-client sessions."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from copilot.dose_policy import DoseBudgetError, DoseState, dose_refusal, map_dose_e_per_A2
from copilot.session import Session
from copilot.tools import create_server
from copilot.twin.errors import InvalidSettingError


def test_an_acquisition_over_the_budget_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    session = Session(tmp_path, dose_budget_e_per_A2=1.0)
    before = session.instrument.snapshot()
    with pytest.raises(DoseBudgetError, match="over the session budget"):
        session.acquire_image()
    assert session.store.ids() == [] and session.dose_used_e_per_A2 == 0
    assert session.instrument.snapshot() == before


@pytest.mark.parametrize(("specimen", "energy_kv"), [("graphene", 200.0), ("mos2", None), ("grain_boundary", 100.0)])
def test_a_default_spot_spectrum_is_refused_and_the_hint_names_a_dwell_that_fits(
    tmp_path: Path, specimen: str, energy_kv: float | None
) -> None:
    session = Session(tmp_path, specimen=specimen)
    if energy_kv is not None:  # carbon is displaced only above about 90 kV
        session.set_beam(energy_kv=energy_kv)
    spot = session.instrument.planned_spot_dose_e_per_A2(100.0)
    assert spot > session.critical_dose_e_per_A2()  # type: ignore[operator]  # probe-sized spot, whole dose
    clock_s = session.instrument_time_s()
    with pytest.raises(DoseBudgetError, match="critical dose") as refused:
        session.acquire_spectrum("EELS", 1.0, 1.0, 100.0)
    assert session.instrument_time_s() == clock_s and session.store.ids() == []
    fits = float(re.search(r"At most dwell_ms=([0-9.e+-]+) fits", refused.value.hint).group(1))  # type: ignore[union-attr]
    acq = session.acquire_spectrum("EELS", 1.0, 1.0, 0.99 * fits)
    assert acq.metadata["dose_e_per_A2"] <= session.critical_dose_e_per_A2()  # type: ignore[operator]
    with pytest.raises(DoseBudgetError, match="critical dose") as again:
        session.acquire_spectrum("EELS", 1.0, 1.0, 0.5 * fits)
    assert "At most dwell_ms=" in again.value.hint or "move to a fresh area" in again.value.hint


@pytest.mark.parametrize(
    ("specimen", "energy_kv"), [("graphene", 60.0), ("srtio3", 200.0), ("gold_nanoparticles", 200.0)]
)
def test_a_specimen_the_beam_cannot_displace_has_no_critical_dose_and_its_spot_is_not_refused(
    tmp_path: Path, specimen: str, energy_kv: float
) -> None:
    session = Session(tmp_path, specimen=specimen)
    session.set_beam(energy_kv=energy_kv)
    assert session.critical_dose_e_per_A2() is None
    spot = {"kind": "EELS", "x_nm": 1.0, "y_nm": 1.0, "dwell_ms": 100.0}
    assert session.dose_refusal("acquire_spectrum", spot) is None


def test_a_spot_with_no_dose_left_says_to_move(tmp_path: Path) -> None:
    state = DoseState(0.0, 1e8, area_prior_e_per_A2=2e4, critical_e_per_A2=1e4, specimen="mos2")
    refusal = dose_refusal("acquire_spectrum", 10.0, state, ("dwell_ms", 1.0, 0.001))
    assert refusal is not None and "fresh area" in refusal.hint and refusal.safe_alternative is None
    assert dose_refusal("acquire_spectrum", 10.0, DoseState(0.0, 1e8, 0.0, 1e4, "mos2")) is None


def test_a_spectrum_map_too_fine_to_represent_is_an_invalid_setting_and_changes_nothing(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="srtio3")
    with pytest.raises(InvalidSettingError, match="map step"):
        session.acquire_spectrum_image("EELS", 0.0, 0.0, 5e-324, 1.0, 8, 1.0)
    assert session.instrument_time_s() == 0.0 and session.store.ids() == [] and session.dose_used_e_per_A2 == 0
    # a 0.1 nm step is a 1 A^2 pixel: the dose is the number of electrons per pixel
    assert map_dose_e_per_A2(30.0, 1.0, 0.1) == pytest.approx(30e-12 * 1e-3 / 1.602176634e-19)


def test_an_approved_acquisition_may_exceed_the_budget_and_is_counted(tmp_path: Path) -> None:
    session = Session(tmp_path, dose_budget_e_per_A2=1.0)
    acq = session.acquire_image(approved=True)
    assert session.dose_used_e_per_A2 == pytest.approx(acq.metadata["dose_e_per_A2"]) and session.dose_used_e_per_A2 > 1
    assert session.dose_ledger()["remaining_e_per_A2"] == 0


def test_a_dose_refusal_is_told_in_advance_with_the_figures_and_changes_nothing(tmp_path: Path) -> None:
    planned = Session(tmp_path / "probe").instrument.planned_dose_e_per_A2()
    session = Session(tmp_path, dose_budget_e_per_A2=0.5 * planned)
    refusal = session.dose_refusal("acquire_image", {})
    assert refusal is not None and session.instrument_time_s() == 0.0 and session.store.ids() == []
    assert refusal.figures["dose_would_reach_e_per_A2"] == pytest.approx(planned)
    assert refusal.figures["limit_e_per_A2"] == 0.5 * planned and "session budget" in refusal.question
    dwell_us = session.instrument.snapshot()["scan"]["dwell_us"]
    assert refusal.safe_alternative == {"dwell_us": refusal.figures["longest_safe_dwell_us"]}
    assert 0.49 * dwell_us <= refusal.safe_alternative["dwell_us"] <= 0.5 * dwell_us
    session.set_scan(dwell_us=refusal.safe_alternative["dwell_us"])
    assert session.dose_refusal("acquire_image", {}) is None


def test_repeated_scans_of_one_area_stop_at_the_critical_dose_and_a_fresh_area_is_allowed(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="mos2")
    session.set_beam(energy_kv=200.0)  # S is displaced by knock-on and excitation most readily at high kV
    critical = session.critical_dose_e_per_A2()
    assert critical is not None
    session.set_scan(fov_nm=2.0, pixels=64, dwell_us=2.0)
    per_frame = session.instrument.planned_dose_e_per_A2()
    frames_allowed = int(critical // per_frame)
    assert 1 <= frames_allowed <= 10
    for _ in range(frames_allowed):
        session.acquire_image()
    with pytest.raises(DoseBudgetError, match="critical dose"):
        session.acquire_image()
    assert len(session.store.ids()) == frames_allowed
    session.move_stage(x_um=0.2)
    assert session.acquire_image().id == f"a{frames_allowed + 1:04d}"


async def test_the_over_budget_refusal_reaches_the_client_as_a_tool_error(tmp_path: Path) -> None:
    session = Session(tmp_path, dose_budget_e_per_A2=1.0)
    async with Client(create_server(session)) as client:
        refused = await client.call_tool("acquire_image", {}, raise_on_error=False)
        assert refused.is_error and "DoseBudgetError" in refused.content[0].text  # type: ignore[union-attr]
        assert "cannot ask" in refused.content[0].text  # type: ignore[union-attr]
        assert session.journal.entries()[-1]["error"]["type"] == "DoseBudgetError"
        forged = await client.call_tool("acquire_image", {"approved": True}, raise_on_error=False)
        assert forged.is_error and session.store.ids() == []


def test_the_dose_budget_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dose_budget_e_per_A2"):
        Session(tmp_path, dose_budget_e_per_A2=float("nan"))


def test_concurrent_calls_are_serialised_and_every_acquisition_gets_its_own_id(tmp_path: Path) -> None:
    session = Session(tmp_path)
    session.set_scan(pixels=64)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                session.acquire_image()
                session.set_scan(fov_nm=30.0)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert session.store.ids() == [f"a{i:04d}" for i in range(1, 21)]


async def test_concurrent_tool_calls_through_one_server_are_all_served(client: Client[Any]) -> None:
    await client.call_tool("set_scan", {"pixels": 64})
    results = await asyncio.gather(*(client.call_tool("acquire_image", {}) for _ in range(6)))
    assert sorted(r.structured_content["id"] for r in results) == [f"a{i:04d}" for i in range(1, 7)]


def test_a_new_session_continues_an_old_data_folder(tmp_path: Path) -> None:
    first = Session(tmp_path, dose_budget_e_per_A2=1e9)
    first.set_scan(pixels=32)
    first.acquire_image()
    first.acquire_image()
    used = first.dose_used_e_per_A2
    first.close()
    second = Session(tmp_path, dose_budget_e_per_A2=1e9)
    assert second.latest_acquisition_id == "a0002" and second.dose_used_e_per_A2 == pytest.approx(used)
    assert second.acquire_image().id == "a0003"
    assert second.get_acquisition("a0001").arrays["image"].shape == (32, 32)


async def test_with_session_per_client_each_client_has_its_own_microscope(session: Session) -> None:
    server = create_server(session, session_per_client=True)
    async with Client(server) as one:
        await one.call_tool("set_scan", {"fov_nm": 11.0, "pixels": 32})
        await one.call_tool("acquire_image", {})
        status = (await one.call_tool("get_status")).structured_content
    assert status["settings"]["scan"]["fov_nm"] == 11.0 and status["latest_acquisition_id"] == "a0001"
    assert session.instrument.snapshot()["scan"]["fov_nm"] != 11.0 and session.store.ids() == []
    assert list((session.data_dir / "clients").glob("client-*/acquisitions/a0001.hspy"))
    (client_journal,) = (session.data_dir / "clients").glob("client-*/journal.jsonl")
    lines = [json.loads(line) for line in client_journal.read_text().splitlines()]
    assert [e["tool"] for e in lines] == ["set_scan", "acquire_image", "get_status"]
    assert session.journal.entries() == []


async def test_get_status_waits_for_a_busy_instrument_without_blocking_the_server(
    client: Client[Any], session: Session
) -> None:
    held, release = threading.Event(), threading.Event()

    def busy_instrument() -> None:
        with session.lock:
            held.set()
            release.wait(timeout=30)

    worker = threading.Thread(target=busy_instrument)
    worker.start()
    assert held.wait(timeout=10)
    status = asyncio.create_task(client.call_tool("get_status"))
    done, _ = await asyncio.wait({status}, timeout=0.3)
    assert not done  # serialised behind the busy instrument, while the event loop keeps running
    release.set()
    result = await asyncio.wait_for(status, timeout=10)
    worker.join(timeout=10)
    assert result.structured_content["specimen"] == "graphene"


def test_work_over_a_per_call_limit_is_refused_with_the_limit_named_and_changes_nothing(tmp_path: Path) -> None:
    from copilot.work_limits import WorkLimitError

    session = Session(tmp_path, specimen="srtio3")
    with pytest.raises(WorkLimitError, match="max_map_spectra"):
        session.acquire_spectrum_image("EELS", 0.0, 0.0, 1.0, 150.0, 128, 0.01, approved=True)
    session.set_scan(pixels=4096)
    with pytest.raises(WorkLimitError, match="max_frame_pixels"):
        session.acquire_image(approved=True)
    session.set_scan(pixels=2048, dwell_us=1000.0)
    with pytest.raises(WorkLimitError, match="max_call_time_s"):
        session.acquire_image(approved=True)
    assert session.store.ids() == [] and session.instrument_time_s() == 0.0 and session.dose_used_e_per_A2 == 0
