"""Reopening a data folder continues the instrument exactly: specimen, seed, settings, position, clock, every dose
(including dose delivered by an acquisition the process was killed in the middle of), the random streams and the
drift on the STEM, the tip's wear and crashes on the AFM; and the hidden truths kept for that are shown by no tool
or resource."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastmcp import Client
from typer.testing import CliRunner

from copilot.session import Session
from copilot.store.ledger import LEDGER_NAME
from copilot.tools import create_server
from copilot.twin.errors import TipCrashError

WORKER = """
import sys
from copilot.session import Session
session = Session(sys.argv[1], specimen="mos2", seed=2)
session.set_scan(fov_nm=40.0, pixels=64, dwell_us=1.0)
session.move_stage(x_um=0.25)
image = session.acquire_image()
print(image.metadata["dose_e_per_A2"], session.instrument.planned_autofocus_dose_e_per_A2(41), flush=True)
session.autofocus(range_nm=400.0, steps=41)
print("finished", flush=True)
"""


def ledger_lines(data_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (data_dir / LEDGER_NAME).read_text().splitlines() if line.strip()]


def open_autofocus(data_dir: Path) -> bool:
    lines = ledger_lines(data_dir) if (data_dir / LEDGER_NAME).exists() else []
    planned = [e["id"] for e in lines if e["kind"] == "planned" and e["operation"] == "autofocus"]
    return bool(planned) and not any(e["kind"] == "done" and e["id"] == planned[-1] for e in lines)


@pytest.mark.slow
def test_sigkill_during_an_autofocus_keeps_its_dose_and_the_instrument_on_reopening(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-c", WORKER, str(data_dir)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    image_dose, autofocus_dose = (float(v) for v in proc.stdout.readline().split())
    deadline = time.monotonic() + 60
    while not open_autofocus(data_dir) and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a file another process writes
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert open_autofocus(data_dir), "the autofocus finished before the kill: nothing was interrupted"

    session = Session(data_dir)
    status = session.status()
    session.close()
    assert (status["specimen"], status["seed"]) == ("mos2", 2) and status["restored"]["exposures"] == 2
    assert status["restored"]["interrupted_acquisitions_counted"] == 1
    assert status["settings"]["scan"]["fov_nm"] == 40.0 and status["settings"]["stage"]["x_um"] == 0.25
    assert status["dose"]["used_e_per_A2"] == pytest.approx(image_dose + autofocus_dose, rel=1e-9)
    assert status["instrument_time_s"] > 0


def test_a_reopened_folder_has_the_same_dose_damage_clock_and_position(tmp_path: Path) -> None:
    first = Session(tmp_path, specimen="mos2", seed=1)
    first.set_scan(fov_nm=8.0, pixels=64, dwell_us=50.0)
    first.acquire_image(approved=True)
    first.autofocus(steps=5, approved=True)
    before = (first.status(), first.instrument.atoms_lost(), first.instrument.fov_to_specimen(4.0, 4.0))  # type: ignore[union-attr]
    first.close()
    again = Session(tmp_path)
    after = (again.status(), again.instrument.atoms_lost(), again.instrument.fov_to_specimen(4.0, 4.0))  # type: ignore[union-attr]
    assert after[0]["restored"] is not None and before[0]["restored"] is None
    for key in ("specimen", "seed", "settings", "dose", "instrument_time_s"):
        assert after[0][key] == before[0][key], key
    assert after[1] == before[1] > 0 and after[2] == pytest.approx(before[2], abs=1e-9)  # the drift went as far
    again.close()


def test_another_specimen_asked_for_starts_fresh_and_the_folder_follows_it(tmp_path: Path) -> None:
    Session(tmp_path, specimen="mos2").close()
    fresh = Session(tmp_path, specimen="srtio3", seed=4)
    assert fresh.restored is None and fresh.dose_used_e_per_A2 == 0
    fresh.close()
    assert Session(tmp_path).specimen == "srtio3"


def test_chained_chat_once_runs_act_on_the_restored_instrument(tmp_path: Path) -> None:
    import typer

    from copilot.agent.cli import chat

    cli = typer.Typer()
    cli.command()(chat)
    cli.command("noop")(lambda: None)
    first = ["chat", "--once", "fov 20 nm, 64 px and take an image", "--data-dir", str(tmp_path)]
    done = CliRunner().invoke(cli, [*first, "--specimen", "mos2", "--seed", "3"])
    assert done.exit_code == 0, done.output
    again = CliRunner().invoke(cli, ["chat", "--once", "take an image", "--data-dir", str(tmp_path)])
    assert again.exit_code == 0, again.output
    session = Session(tmp_path)
    second = session.get_acquisition(session.latest_acquisition_id or "")
    session.close()
    assert second.id == "a0002" and (second.metadata["specimen"], second.metadata["seed"]) == ("mos2", 3)
    assert second.metadata["fov_nm"] == 20.0 and second.metadata["pixels"] == 64


async def test_get_dose_map_reports_the_true_peak_of_overlapping_frames(tmp_path: Path) -> None:
    session = Session(tmp_path)
    session.instrument.set_drift(0.0)  # type: ignore[union-attr]
    async with Client(create_server(session)) as client:
        await client.call_tool("set_scan", {"fov_nm": 7.0, "pixels": 64})
        one = (await client.call_tool("acquire_image", {})).structured_content
        await client.call_tool("move_stage", {"x_um": 0.0035})  # half a field of view
        two = (await client.call_tool("acquire_image", {})).structured_content
        dose_map = (await client.call_tool("get_dose_map", {})).structured_content
        status = (await client.call_tool("get_status", {})).structured_content
    assert one is not None and two is not None and dose_map is not None and status is not None
    overlap = one["dose_e_per_A2"] + two["dose_e_per_A2"]
    assert dose_map["max_dose_e_per_A2"] == pytest.approx(overlap, rel=1e-9)
    assert status["dose"]["used_e_per_A2"] == pytest.approx(overlap, rel=1e-9)
    area_A2 = 2 * (7.0 * 7.0 * 100.0)
    assert status["dose"]["total_electrons"] == pytest.approx(overlap / 2 * area_A2, rel=1e-6)


KILLED_WORKER = """
import sys, time
from copilot.session import Session
session = Session(sys.argv[1], specimen="graphene", seed=7)
session.set_scan(fov_nm=15.0, pixels=96, dwell_us=2.0)
session.acquire_image()
session.instrument.inject_fault("drift", drift_nm_per_s=2.5)
session.acquire_image()
print("acknowledged", flush=True)
time.sleep(120)
"""


def stem_steps(session: Session) -> None:
    """What KILLED_WORKER does before it is killed."""
    session.set_scan(fov_nm=15.0, pixels=96, dwell_us=2.0)
    session.acquire_image()
    session.instrument.inject_fault("drift", drift_nm_per_s=2.5)  # type: ignore[union-attr]
    session.acquire_image()


def continued(session: Session) -> tuple[Any, ...]:
    """The next frame, the drift and where the field of view sits on the specimen."""
    frame = session.acquire_image()
    stem = session.require_stem()
    return frame.arrays["image"], stem.ground_truth_drift_nm_per_s(), stem.fov_to_specimen(7.5, 7.5), session.status()


def assert_same(got: tuple[Any, ...], expected: tuple[Any, ...]) -> None:
    assert np.array_equal(got[0], expected[0])  # the same random stream, drift path, damage: bit for bit
    assert got[1:3] == expected[1:3]
    for key in ("settings", "dose", "instrument_time_s", "acquisitions"):
        assert got[3][key] == expected[3][key], key


def reopened_and_reference(
    tmp_path: Path, specimen: str, seed: int, steps: Callable[[Session], None]
) -> tuple[Session, Session]:
    """``steps`` in a session that is then closed and reopened, and in one that stays open."""
    reference = Session(tmp_path / "reference", specimen=specimen, seed=seed)
    steps(reference)
    first = Session(tmp_path / "reopened", specimen=specimen, seed=seed)
    steps(first)
    first.close()
    again = Session(tmp_path / "reopened")
    assert again.restored is not None
    return again, reference


def test_a_reopened_stem_folder_continues_the_random_stream_and_the_drift_bit_for_bit(tmp_path: Path) -> None:
    again, reference = reopened_and_reference(tmp_path, "graphene", 7, stem_steps)
    assert_same(continued(again), continued(reference))
    again.close()
    reference.close()


@pytest.mark.slow
def test_sigkill_after_an_acknowledged_acquisition_then_reopen_continues_exactly(tmp_path: Path) -> None:
    data_dir = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WORKER, str(data_dir)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "acknowledged"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    reference = Session(tmp_path / "reference", specimen="graphene", seed=7)
    stem_steps(reference)
    again = Session(data_dir)
    assert again.restored is not None and again.restored["interrupted_acquisitions_counted"] == 0
    assert_same(continued(again), continued(reference))
    again.close()
    reference.close()


def afm_steps(session: Session) -> None:
    """Wear the tip, crash it once, leave scanner creep and the tip engaged."""
    session.afm.set_afm_scan(pixels=64, size_nm=500.0)
    session.afm.approach()
    session.afm.acquire_afm_image()
    with pytest.raises(TipCrashError):
        session.afm.set_feedback(setpoint_nm=1.0)
    session.afm.set_feedback(setpoint_nm=14.0)
    session.afm.set_afm_scan(x_um=0.4)  # creeps on after the move
    session.afm.approach()
    session.afm.acquire_afm_image()


def test_a_reopened_afm_folder_keeps_the_tip_wear_crashes_clock_and_random_stream(tmp_path: Path) -> None:
    again, reference = reopened_and_reference(tmp_path, "afm_grating", 4, afm_steps)
    tip = again.afm.tip_state()
    assert tip == reference.afm.tip_state() and tip["scanned_distance_um"] > 0 and len(tip["crash_log"]) == 1
    assert again.status()["settings"] == reference.status()["settings"]  # engaged, clock, feedback, raster, tip
    assert again.instrument_time_s() == reference.instrument_time_s() > 0
    a, b = again.afm.acquire_afm_image(), reference.afm.acquire_afm_image()
    assert np.array_equal(a.arrays["height_trace"], b.arrays["height_trace"])  # same noise, drift and creep
    assert a.metadata["tip_after"] == b.metadata["tip_after"]
    again.close()
    reference.close()


HIDDEN_DRIFT_NM_PER_S = 3.14159  # a figure that appears nowhere else


async def test_no_tool_or_resource_and_no_clear_text_in_the_folder_shows_the_hidden_truths(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="graphene", seed=3)
    stem = session.require_stem()
    stem.inject_fault("drift", drift_nm_per_s=HIDDEN_DRIFT_NM_PER_S)
    hidden = [str(HIDDEN_DRIFT_NM_PER_S), str(stem._rng.bit_generator.state["state"]["state"])]
    hidden += [f"{v:.4g}" for v in stem.ground_truth_aberrations().values() if abs(v) > 1e-3]
    seen: list[str] = []
    async with Client(create_server(session)) as client:
        await client.call_tool("set_scan", {"fov_nm": 10.0, "pixels": 64})
        for name, args in (
            ("acquire_image", {}),
            ("acquire_spectrum", {"kind": "EELS", "x_nm": 5, "y_nm": 5, "dwell_ms": 10}),
        ):
            seen.append(str((await client.call_tool(name, args)).content))
        for tool in await client.list_tools():
            if not tool.input_schema.get("required"):
                seen.append(str((await client.call_tool(tool.name, {}, raise_on_error=False)).content))
        uris = [str(r.uri) for r in await client.list_resources()]
        for acq_id in session.store.ids():
            uris += [f"acq://{acq_id}", f"acq://{acq_id}/hdf5"]
        for uri in uris:
            seen.append(str(await client.read_resource(uri)))
    session.close()
    text = "\n".join(seen)
    assert "graphene" in text and "dose_e_per_A2" in text and len(text) > 10_000  # what the model can see
    leaks = [h for h in hidden if h in text]
    assert leaks == []
    saved = (tmp_path / "instrument.json").read_text()
    assert [h for h in hidden if h in saved] == [] and "drift" not in saved
    assert Session(tmp_path).require_stem().ground_truth_drift_nm_per_s() == HIDDEN_DRIFT_NM_PER_S


def test_a_folder_saved_before_the_hidden_part_existed_still_reopens(tmp_path: Path) -> None:
    stem = Session(tmp_path / "stem", specimen="mos2", seed=1)
    stem.set_scan(fov_nm=12.0, pixels=64)
    stem.acquire_image()
    settings = stem.status()["settings"]
    stem.close()
    saved = json.loads((tmp_path / "stem" / "instrument.json").read_text())
    del saved["hidden"]
    saved["drift_nm_per_s"] = 1.5  # the old form kept the drift speed in clear
    (tmp_path / "stem" / "instrument.json").write_text(json.dumps(saved))
    again = Session(tmp_path / "stem")
    assert again.status()["settings"] == settings and again.require_stem().ground_truth_drift_nm_per_s() == 1.5
    assert "hidden" in json.loads((tmp_path / "stem" / "instrument.json").read_text())  # rewritten in the new form
    again.close()

    afm = Session(tmp_path / "afm", specimen="afm_grating", seed=2)
    afm.afm.set_feedback(setpoint_nm=12.0, p_gain=0.8)
    afm.afm.set_afm_scan(pixels=128, rate_hz=2.0)
    afm.close()
    old = {"instrument": "AFM", "specimen": "afm_grating", "seed": 2, "thickness_nm": None}
    snap = afm.require_afm().snapshot()
    old |= {"feedback": snap["feedback"], "scan": snap["scan"]}
    (tmp_path / "afm" / "instrument.json").write_text(json.dumps(old))
    reopened = Session(tmp_path / "afm")
    now = reopened.require_afm().snapshot()
    reopened.close()
    assert now["feedback"] == snap["feedback"] and now["scan"] == snap["scan"]
