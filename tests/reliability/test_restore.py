"""Reopening a data folder continues the instrument: specimen, seed, settings, position, clock and every dose,
including dose delivered by an acquisition the process was killed in the middle of."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client
from typer.testing import CliRunner

from copilot.session import Session
from copilot.store.ledger import LEDGER_NAME
from copilot.tools import create_server

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
