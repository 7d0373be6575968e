"""The acquisition store: HDF5 round trip, index rebuilt from disk, previews, export confinement, journal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import h5py
import numpy as np
import pytest
import tifffile
from PIL import Image

from copilot.scalebar import nice_length_nm
from copilot.store import AcquisitionStore, Journal
from copilot.store.errors import AcquisitionNotFoundError, ExportPathError
from copilot.store.preview import MAX_PREVIEW_BYTES, image_preview, to_uint8

META = {"fov_nm": 20.0, "pixels": 64, "pixel_size_nm": 20.0 / 64, "dose_e_per_A2": 1234.5,
        "settings": {"beam": {"energy_kv": 200.0, "blanked": False}, "scan": {"rotation_deg": 0.0}},
        "center_nm": [1.0, -2.0]}  # fmt: skip


def image(seed: int = 0, shape: tuple[int, int] = (64, 64)) -> np.ndarray:
    return np.random.default_rng(seed).poisson(100.0, shape).astype(np.float32)


def test_an_acquisition_round_trips_through_hdf5_with_its_calibration(tmp_path: Path) -> None:
    store = AcquisitionStore(tmp_path)
    acq = store.add("image", META, {"image": image()})
    assert acq.id == "a0001"
    with h5py.File(store.path("a0001")) as f:
        assert f.attrs["kind"] == "image" and f.attrs["pixel_size_nm"] == META["pixel_size_nm"]
        assert f.attrs["settings/beam/energy_kv"] == 200.0 and list(f.attrs["center_nm"]) == [1.0, -2.0]
        np.testing.assert_array_equal(f["data/image"][()], image())
    fresh = AcquisitionStore(tmp_path).get("a0001")
    assert fresh.metadata == META
    np.testing.assert_array_equal(fresh.arrays["image"], image())


def test_reopening_a_folder_rebuilds_the_index_and_continues_the_ids(tmp_path: Path) -> None:
    store = AcquisitionStore(tmp_path)
    for seed in range(3):
        store.add("image", META, {"image": image(seed)})
    (store.acq_dir / ".a0004-x.h5.tmp").write_bytes(b"torn")  # what a crash mid-write leaves
    reopened = AcquisitionStore(tmp_path)
    assert reopened.ids() == ["a0001", "a0002", "a0003"] and reopened.latest_id == "a0003"
    assert not list(reopened.acq_dir.glob("*.tmp"))
    assert reopened.add("spectrum", {}, {"energy_eV": np.arange(4.0), "counts": np.ones(4)}).id == "a0004"


def test_an_unknown_id_is_a_typed_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(AcquisitionNotFoundError, match="list_acquisitions"):
        AcquisitionStore(tmp_path).get("a0007")


def test_previews_are_png_of_768_px_at_most_1024_px_with_a_scale_bar(tmp_path: Path) -> None:
    data = np.full((2048, 1536), 10.0, dtype=np.float32)
    data[::2] = 20.0
    with_bar = Image.open(io.BytesIO(image_preview(data, 0.01)))
    without = Image.open(io.BytesIO(image_preview(data, None)))
    assert with_bar.format == "PNG" and with_bar.size == (576, 768)
    assert Image.open(io.BytesIO(image_preview(data, None, max_side_px=5000))).size == (768, 1024)
    difference = np.asarray(with_bar, dtype=int) - np.asarray(without, dtype=int)
    rows, cols = np.nonzero(difference)
    assert rows.min() > 0.85 * 768 and cols.min() < 0.1 * 576  # the bar sits in the lower-left corner


def test_spectrum_previews_are_plots(tmp_path: Path) -> None:
    store = AcquisitionStore(tmp_path)
    energy = np.linspace(0, 1000, 500)
    acq = store.add("spectrum", {"spectrum_kind": "EELS"}, {"energy_eV": energy, "counts": np.exp(-energy / 200)})
    plot = Image.open(io.BytesIO(store.preview(acq.id)))
    assert plot.size == (800, 450) and plot.mode == "RGB"


def test_scaling_uses_percentiles_and_scale_bars_nice_lengths() -> None:
    ramp = np.linspace(0, 1000, 10_000).reshape(100, 100)
    scaled = to_uint8(ramp)
    assert scaled.min() == 0 and scaled.max() == 255 and 120 < scaled[50, 0] < 135
    with_nan = ramp.copy()
    with_nan[0, :3] = [np.nan, np.inf, -np.inf]
    assert list(to_uint8(with_nan)[0, :3]) == [0, 255, 0]
    assert [nice_length_nm(5 * x) for x in (0.37, 3.0, 7.5, 19.0, 120.0)] == [0.2, 2.0, 5.0, 10.0, 100.0]


def test_exports_are_written_only_inside_the_export_folder(tmp_path: Path) -> None:
    store = AcquisitionStore(tmp_path / "data")
    store.add("image", META, {"image": image()})
    tif = store.export("a0001", "frame", "tiff")
    assert tif == store.export_dir / "frame.tif"
    np.testing.assert_array_equal(tifffile.imread(tif), image())
    assert store.export("a0001", "frame.hspy", "hdf5").name == "frame.hspy"
    assert Image.open(store.export("a0001", "frame", "png")).size == (64, 64)
    for bad in ("../x", "/tmp/x", "a/b", "..", "x\\y", "", ".hidden", "frame"):
        with pytest.raises(ExportPathError):
            store.export("a0001", bad, "tiff")
    assert sorted(p.name for p in store.export_dir.iterdir()) == ["frame.hspy", "frame.png", "frame.tif"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_the_journal_appends_complete_lines_and_skips_a_torn_last_line(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.record("set_scan", {"fov_nm": 5.0}, instrument_time_s=1.5, result={"fov_nm": 5.0})
    journal.record("acquire_image", {"x": np.float64(float("nan"))}, instrument_time_s=2.0, error=ValueError("bad"))
    journal.close()
    with open(tmp_path / "journal.jsonl", "a") as fh:
        fh.write('{"seq": 3, "tool": "acq')
    entries = Journal(tmp_path / "journal.jsonl").entries()
    assert [e["seq"] for e in entries] == [1, 2]
    assert entries[0]["result"] == {"fov_nm": 5.0} and entries[0]["instrument_time_s"] == 1.5
    assert entries[1]["error"] == {"type": "ValueError", "message": "bad"} and entries[1]["args"]["x"] == "nan"
    assert all(json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()[:2])


def test_a_busy_colour_preview_is_shrunk_below_the_byte_limit() -> None:
    noise = np.random.default_rng(3).integers(0, 256, (1024, 1024, 3), dtype=np.uint8)
    png = image_preview(noise, 0.05, max_side_px=1024)
    assert len(png) <= MAX_PREVIEW_BYTES
    assert 64 < max(Image.open(io.BytesIO(png)).size) < 1024


def test_a_metadata_field_named_kind_does_not_replace_the_record_kind(tmp_path: Path) -> None:
    store = AcquisitionStore(tmp_path)
    counts = np.ones((2, 3, 16), dtype=np.float32)
    acq = store.add("spectrum_image", {"kind": "EELS", "id": "x"}, {"counts": counts, "energy_eV": np.arange(16.0)})
    with h5py.File(store.path(acq.id)) as f:
        assert f.attrs["kind"] == "spectrum_image" and f.attrs["id"] == acq.id
    reopened = AcquisitionStore(tmp_path)
    assert reopened.metadata(acq.id).kind == "spectrum_image"
    assert reopened.metadata(acq.id).metadata == {"kind": "EELS", "id": "x"}


def test_a_file_whose_kind_a_spectrum_kind_overwrote_is_read_by_its_counts(tmp_path: Path) -> None:
    store = AcquisitionStore(tmp_path)
    spectrum = store.add("spectrum", {}, {"counts": np.ones(16), "energy_eV": np.arange(16.0)})
    mapped = store.add("spectrum_image", {}, {"counts": np.ones((2, 2, 16)), "energy_eV": np.arange(16.0)})
    for acq_id in (spectrum.id, mapped.id):
        with h5py.File(store.path(acq_id), "r+") as f:
            f.attrs["kind"] = "EDS"
    reopened = AcquisitionStore(tmp_path)
    assert [reopened.metadata(i).kind for i in (spectrum.id, mapped.id)] == ["spectrum", "spectrum_image"]


def test_previews_are_served_only_for_this_folders_acquisitions(tmp_path: Path) -> None:
    store = AcquisitionStore(tmp_path / "data")
    (tmp_path / "secret.png").write_bytes(b"not yours")
    store.add("image", META, {"image": image()})
    assert store.preview("a0001").startswith(b"\x89PNG")
    for hostile in ("../../secret", "../secret", "a0002"):
        with pytest.raises(AcquisitionNotFoundError):
            store.preview(hostile)


def test_a_journal_torn_by_a_crash_keeps_the_entries_written_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.record("set_scan", {"pixels": 64}, instrument_time_s=0.0, result={})
    journal.close()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"seq": 2, "wall_time": "2026-')  # a line cut short by a crash
    reopened = Journal(path)
    reopened.record("acquire_image", {}, instrument_time_s=1.0, result={"id": "a0001"})
    reopened.close()
    assert [(e["tool"], e["seq"]) for e in reopened.entries()] == [("set_scan", 1), ("acquire_image", 2)]


def test_a_folder_of_the_first_layout_is_read_and_continued_in_the_hyperspy_layout(tmp_path: Path) -> None:
    acq_dir = tmp_path / "acquisitions"
    acq_dir.mkdir()
    with h5py.File(acq_dir / "a0001.h5", "w") as f:  # what format_version 1 wrote
        f.attrs.update({"id": "a0001", "kind": "image", "created_utc": "2026-01-01T00:00:00+00:00"})
        f.attrs.update({"format_version": 1, "metadata_json": json.dumps(META)})
        f.create_dataset("data/image", data=image())
    store = AcquisitionStore(tmp_path)
    assert store.path("a0001").name == "a0001.h5" and store.get("a0001").metadata == META
    np.testing.assert_array_equal(store.get("a0001").arrays["image"], image())
    assert store.add("image", META, {"image": image(1)}).id == "a0002" and store.path("a0002").suffix == ".hspy"
    exported = store.export("a0001", "old", "hdf5")
    with h5py.File(exported) as f:
        assert f.attrs["file_format"] == "HyperSpy" and f.attrs["format_version"] == 2
        np.testing.assert_array_equal(f["data/image"][()], image())


def test_large_arrays_are_stored_in_whole_row_chunks_without_padding(tmp_path: Path) -> None:
    counts = np.random.default_rng(0).random((30, 32, 3020))
    acq = AcquisitionStore(tmp_path).add("spectrum_image", {}, {"counts": counts, "energy_eV": np.arange(3020.0)})
    path = AcquisitionStore(tmp_path).path(acq.id)
    with h5py.File(path) as f:
        chunks = f["data/counts"].chunks
        assert chunks is not None and chunks[1:] == (32, 3020) and 30 % chunks[0] == 0
        assert chunks[0] * 32 * 3020 * 8 <= 1_000_000
    assert path.stat().st_size < 1.02 * counts.nbytes + 200_000
