"""Every tool through the in-memory client: structured numbers, images, resources, prompts, journal."""

from __future__ import annotations

import base64
import io
import json
import threading
from typing import Any

import h5py
import numpy as np
import pytest
from fastmcp import Client
from mcp.shared.exceptions import MCPError
from PIL import Image

from copilot.session import Session

EXPECTED_TOOLS = {
    "get_status", "list_specimens", "load_specimen", "set_beam", "set_optics", "set_scan", "move_stage",
    "set_detectors", "acquire_image", "acquire_spectrum", "acquire_spectrum_image", "autofocus",
    "get_dose_map", "list_acquisitions", "get_acquisition", "export_acquisition",
}  # fmt: skip


def png_of(result: Any) -> Image.Image:
    images = [c for c in result.content if c.type == "image"]
    assert len(images) == 1 and images[0].mime_type == "image/png"
    raw = base64.b64decode(images[0].data)
    assert len(raw) < 1_000_000
    return Image.open(io.BytesIO(raw))


async def test_the_contract_tools_are_listed_with_hints_on_every_tool(client: Client[Any]) -> None:
    tools = {t.name: t for t in await client.list_tools()}
    assert set(tools) >= EXPECTED_TOOLS
    for tool in tools.values():
        a = tool.annotations
        assert a is not None and None not in (a.read_only_hint, a.destructive_hint, a.idempotent_hint), tool.name
        assert tool.description and len(tool.description) > 40, tool.name
    assert tools["get_status"].annotations.read_only_hint  # type: ignore[union-attr]
    assert not tools["load_specimen"].annotations.destructive_hint  # type: ignore[union-attr]
    assert tools["load_specimen"].annotations.idempotent_hint  # type: ignore[union-attr]
    assert "approved" not in json.dumps(tools["acquire_image"].input_schema)


async def test_get_status_reports_settings_dose_ledger_and_latest_acquisition(client: Client[Any]) -> None:
    status = (await client.call_tool("get_status")).structured_content
    assert status["instrument"] == "STEM" and status["specimen"] == "graphene"
    assert status["settings"]["scan"]["fov_nm"] > 0
    assert status["dose"]["used_e_per_A2"] == 0 and status["dose"]["budget_e_per_A2"] > 0
    assert status["latest_acquisition_id"] is None


async def test_setters_change_the_instrument_and_report_the_new_settings(client: Client[Any], session: Session) -> None:
    await client.call_tool("set_beam", {"current_pa": 20.0})
    await client.call_tool("set_optics", {"defocus_nm": -5.0})
    result = await client.call_tool("set_scan", {"fov_nm": 16.0, "pixels": 256, "dwell_us": 2.0})
    assert result.structured_content["settings"]["scan"]["fov_nm"] == 16.0
    await client.call_tool("move_stage", {"x_um": 0.5, "y_um": -0.25})
    snap = session.instrument.snapshot()
    assert snap["beam"]["current_pa"] == 20.0 and snap["optics"]["defocus_nm"] == -5.0
    assert snap["scan"]["pixels"] == 256 and snap["stage"]["x_um"] == 0.5 and snap["stage"]["y_um"] == -0.25


async def test_acquire_image_returns_calibration_dose_preview_and_stores_hdf5(
    client: Client[Any], session: Session
) -> None:
    await client.call_tool("set_scan", {"fov_nm": 20.0, "pixels": 1024, "dwell_us": 1.0})
    progress: list[float] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(done / (total or 1.0))

    result = await client.call_tool("acquire_image", {"detector": "HAADF"}, progress_handler=on_progress)
    acq = result.structured_content
    assert acq["id"] == "a0001" and acq["uri"] == "acq://a0001" and acq["kind"] == "image"
    assert acq["pixels"] == 1024 and abs(acq["pixel_size_nm"] - 20.0 / 1024) < 1e-12
    assert acq["dose_e_per_A2"] > 0 and acq["session_dose_used_e_per_A2"] == acq["dose_e_per_A2"]
    assert acq["statistics"]["mean"] > 0
    assert progress and progress[-1] == 1.0
    assert max(png_of(result).size) <= 1024
    with h5py.File(session.store.path("a0001")) as f:
        assert f["data/image"].shape == (1024, 1024) and f["data/image"].dtype == np.float32
        assert f.attrs["pixel_size_nm"] == acq["pixel_size_nm"]
        assert f.attrs["settings/beam/energy_kv"] > 0


async def test_spectra_and_spectrum_images_are_stored_with_their_energy_axis(
    client: Client[Any], session: Session
) -> None:
    spectrum = await client.call_tool("acquire_spectrum", {"kind": "EELS", "x_nm": 10.0, "y_nm": 12.0, "dwell_ms": 1.0})
    s = spectrum.structured_content
    assert s["kind"] == "spectrum" and s["spectrum_kind"] == "EELS" and s["energy_max_eV"] > s["energy_min_eV"]
    png_of(spectrum)
    si = await client.call_tool(
        "acquire_spectrum_image",
        {"kind": "EDS", "x_nm": 5.0, "y_nm": 5.0, "width_nm": 4.0, "height_nm": 4.0, "pixels": 8, "dwell_ms": 1.0},
    )
    assert si.structured_content["kind"] == "spectrum_image"
    stored = session.get_acquisition(si.structured_content["id"])
    assert stored.arrays["counts"].shape[:2] == (8, 8)
    assert stored.arrays["counts"].shape[2] == stored.arrays["energy_eV"].size


async def test_a_srtio3_spectrum_image_is_stored_with_a_visible_map_preview(
    client: Client[Any], session: Session
) -> None:
    await client.call_tool("load_specimen", {"name": "srtio3"})
    await client.call_tool("set_scan", {"fov_nm": 4.0})
    region = {"x_nm": 1.0, "y_nm": 1.0, "width_nm": 1.6, "height_nm": 0.8, "pixels": 8, "dwell_ms": 1.0}
    result = await client.call_tool("acquire_spectrum_image", {"kind": "EELS", **region})
    si = result.structured_content
    assert si["kind"] == "spectrum_image" and si["spectrum_kind"] == "EELS" and si["specimen"] == "srtio3"
    assert si["shape"][:2] == [4, 8] and si["pixel_size_nm"] == pytest.approx(0.2)
    assert si["dose_e_per_A2"] > 0 and session.critical_dose_e_per_A2() is None  # 200 kV cannot displace SrTiO3
    preview = png_of(result)
    assert preview.mode == "L" and preview.size[0] == 2 * preview.size[1] >= 256  # the map, not a plot
    reopened = Session(session.data_dir, specimen="srtio3")
    try:
        stored = reopened.get_acquisition(si["id"])
        assert stored.kind == "spectrum_image" and stored.arrays["counts"].shape[:2] == (4, 8)
        assert stored.metadata["region"]["points_x_nm"] == pytest.approx([1.1 + 0.2 * i for i in range(8)])
    finally:
        reopened.close()
    (entry,) = [e for e in session.journal.entries() if e["tool"] == "acquire_spectrum_image"]
    assert entry["ok"] and entry["result"]["id"] == si["id"]


async def test_autofocus_and_dose_map_report_numbers_with_units(client: Client[Any]) -> None:
    focus = (await client.call_tool("autofocus", {"range_nm": 40.0, "steps": 5})).structured_content
    assert isinstance(focus["success"], bool) and focus["metric_by_defocus"]
    await client.call_tool("acquire_image", {})
    dose = await client.call_tool("get_dose_map", {})
    assert dose.structured_content["max_dose_e_per_A2"] > 0 and 0 < dose.structured_content["exposed_fraction"] <= 1
    png_of(dose)


async def test_data_tools_list_fetch_and_export_inside_the_data_folder(client: Client[Any], session: Session) -> None:
    await client.call_tool("set_scan", {"pixels": 128})
    await client.call_tool("acquire_image", {})
    await client.call_tool("acquire_image", {"detector": "BF"})
    listing = (await client.call_tool("list_acquisitions", {})).structured_content
    assert [a["id"] for a in listing["acquisitions"]] == ["a0001", "a0002"]
    assert listing["latest_acquisition_id"] == "a0002"
    got = await client.call_tool("get_acquisition", {"acq_id": "a0002"})
    assert got.structured_content["detector"] == "BF"
    png_of(got)
    for fmt, suffix in (("hdf5", ".hspy"), ("tiff", ".tif"), ("png", ".png")):
        out = await client.call_tool("export_acquisition", {"acq_id": "a0001", "name": "survey", "format": fmt})
        assert out.structured_content["file_name"] == f"survey{suffix}"
        assert (session.data_dir / "exports" / f"survey{suffix}").stat().st_size > 0


async def test_load_specimen_switches_the_specimen_and_resets_the_instrument(client: Client[Any]) -> None:
    names = [s["name"] for s in (await client.call_tool("list_specimens")).structured_content["specimens"]]
    assert "graphene" in names and "srtio3" in names
    await client.call_tool("set_scan", {"fov_nm": 7.0})
    status = (await client.call_tool("load_specimen", {"name": "srtio3", "seed": 3})).structured_content
    assert status["specimen"] == "srtio3" and status["seed"] == 3
    assert status["settings"]["scan"]["fov_nm"] != 7.0


async def test_resources_give_status_specimens_metadata_and_preview(client: Client[Any]) -> None:
    await client.call_tool("set_scan", {"pixels": 64})
    await client.call_tool("acquire_image", {})
    status = json.loads((await client.read_resource("microscope://status"))[0].text)
    assert status["latest_acquisition_id"] == "a0001"
    assert json.loads((await client.read_resource("microscope://specimens"))[0].text)
    meta = json.loads((await client.read_resource("acq://a0001"))[0].text)
    assert meta["pixels"] == 64 and meta["settings"]["scan"]["pixels"] == 64
    preview = (await client.read_resource("acq://a0001/preview"))[0]
    assert base64.b64decode(preview.blob)[:8] == b"\x89PNG\r\n\x1a\n"
    full = (await client.read_resource("acq://a0001/hdf5"))[0]
    with h5py.File(io.BytesIO(base64.b64decode(full.blob))) as f:
        assert f["data/image"].shape == (64, 64)


async def test_prompts_come_from_the_markdown_files_with_their_arguments(client: Client[Any]) -> None:
    prompts = {p.name: p for p in await client.list_prompts()}
    assert {"survey_then_zoom", "low_dose_imaging", "focus_and_stigmate", "characterise_defects"} <= set(prompts)
    assert [a.name for a in prompts["survey_then_zoom"].arguments or []] == ["feature", "final_fov_nm"]
    rendered = await client.get_prompt("survey_then_zoom", {"feature": "a pore"})
    text = rendered.messages[0].content.text  # type: ignore[union-attr]
    assert "a pore" in text and "8 nm" in text and "{{" not in text


async def test_every_call_is_journaled_once_with_ok_or_error(client: Client[Any], session: Session) -> None:
    await client.call_tool("set_scan", {"fov_nm": 10.0})
    await client.call_tool("get_acquisition", {"acq_id": "a0042"}, raise_on_error=False)
    await client.call_tool("move_stage", {"x_um": 5000.0}, raise_on_error=False)  # refused by the schema
    await client.call_tool("move_stage", {"x_um": 9.0, "relative": True})
    await client.call_tool("move_stage", {"x_um": 9.0, "relative": True}, raise_on_error=False)  # by the twin
    entries = session.journal.entries()
    assert [(e["tool"], e["ok"]) for e in entries] == [
        ("set_scan", True),
        ("get_acquisition", False),
        ("move_stage", False),
        ("move_stage", True),
        ("move_stage", False),
    ]
    assert entries[0]["result"]["settings"]["scan"]["fov_nm"] == 10.0
    assert entries[4]["error"]["type"] == "StageLimitError" and "instrument_time_s" in entries[4]
    assert entries[3]["args"] == {"x_um": 9.0, "relative": True}


async def test_analysis_and_read_tools_are_journaled_with_a_short_result(client: Client[Any], session: Session) -> None:
    await client.call_tool("set_scan", {"fov_nm": 4.0, "pixels": 128, "dwell_us": 32.0})
    await client.call_tool("acquire_image", {})
    await client.call_tool("find_atoms", {})
    await client.call_tool("measure_lattice", {"acq_id": "a0001"})
    await client.call_tool("get_status", {})
    await client.call_tool("find_atoms", {"acq_id": "a0099"}, raise_on_error=False)
    entries = session.journal.entries()
    assert [e["tool"] for e in entries] == [
        "set_scan",
        "acquire_image",
        "find_atoms",
        "measure_lattice",
        "get_status",
        "find_atoms",
    ]
    atoms = entries[2]
    assert atoms["ok"] and atoms["result"]["acquisition_id"] == "a0001" and atoms["result"]["atom_count"] > 0
    assert entries[3]["args"] == {"acq_id": "a0001"} and entries[3]["result"]["a_nm"] > 0
    assert entries[5]["ok"] is False and "a0099" in entries[5]["error"]["message"]
    assert all(len(json.dumps(e)) < 4000 for e in entries)


async def test_an_unknown_acquisition_resource_is_an_error_that_names_the_fix(client: Client[Any]) -> None:
    with pytest.raises(MCPError, match="list_acquisitions"):
        await client.read_resource("acq://a0099")


def test_afm_frames_are_stored_per_channel_without_ground_truth(session: Session) -> None:
    session.load_specimen("afm_grating", seed=1)
    session.afm.approach()
    session.afm.set_afm_scan(pixels=64)
    acq = session.afm.acquire_afm_image(["height", "phase"])
    assert acq.kind == "afm_image" and {"height_trace", "phase_trace"} <= set(acq.arrays)
    with h5py.File(session.store.path(acq.id)) as f:
        names: list[str] = []
        f.visit(names.append)
        text = " ".join(names) + " " + " ".join(str(k) for k in f.attrs)
    assert "ground_truth" not in text and "terrace" not in text and "height_nm" not in names
    assert session.instrument_kind == "AFM" and session.status()["instrument"] == "AFM"


def test_the_afm_tip_is_read_under_the_session_lock_so_a_result_never_shows_another_calls_tip(
    session: Session,
) -> None:
    session.load_specimen("afm_grating", seed=1)
    session.afm.approach()
    session.afm.set_afm_scan(pixels=32)
    acq = session.afm.acquire_afm_image(["height"])
    assert acq.metadata["tip_after"] == {k: v for k, v in session.afm.tip_state().items() if k != "crash_log"}
    read: list[dict[str, Any]] = []
    with session.lock:  # another call holds the instrument
        reader = threading.Thread(target=lambda: read.append(session.afm.tip_state()))
        reader.start()
        reader.join(timeout=0.5)
        assert reader.is_alive() and read == []  # the read waits for the lock
    reader.join(timeout=10)
    assert read and read[0]["radius_nm"] == acq.metadata["tip_after"]["radius_nm"]
