"""What the instrument panel reads: status groups, dose usage, acquisitions as views; and the session zip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from copilot.ui.acquisitions import ImageView, SpectrumView, acquisition_id, view_of
from copilot.ui.export import zip_session
from copilot.ui.status_view import DoseUsage, clock_s, dose_usage, setting_groups, specimen_line

STATUS = {
    "instrument": "STEM",
    "specimen": {"name": "graphene", "seed": 4},
    "settings": {"beam": {"energy_kV": 60.0, "blanked": False}, "stage": {"x_um": 1.5, "tilt_deg": [0.0, 1.0]}},
    "dose": {"used_e_per_A2": 2500.0, "budget_e_per_A2": 10000.0},
    "clock_s": 3.25,
}


def test_the_status_yields_setting_groups_dose_clock_and_specimen() -> None:
    groups = setting_groups(STATUS)
    assert groups["beam"] == [("energy_kV", "60"), ("blanked", "false")]
    assert groups["stage"] == [("x_um", "1.5"), ("tilt_deg", "0, 1")]
    usage = dose_usage(STATUS)
    assert usage == DoseUsage(2500.0, 10000.0) and usage.fraction == 0.25
    assert usage.label == "dose 2500 of 1e+04 e⁻/Å² (25.0%)"
    assert clock_s(STATUS) == 3.25
    assert specimen_line(STATUS) == "graphene · seed 4 · STEM"
    assert dose_usage({"clock_s": 1.0}) is None


def test_dose_over_budget_fills_the_bar_without_overflowing() -> None:
    assert DoseUsage(3.0, 2.0).fraction == 1.0 and DoseUsage(1.0, 0.0).fraction == 0.0


def test_a_stem_image_becomes_a_grey_view_with_its_field_of_view() -> None:
    acquisition = {"data": np.ones((16, 32)), "metadata": {"pixel_size_nm": 0.5, "signal": "HAADF"}}
    view = view_of(acquisition, "a0001")
    assert isinstance(view, ImageView) and view.fov_nm == 16.0 and not view.profiles
    assert view.caption == "a0001 · HAADF · FOV 16 nm · 32×16 px"


def test_an_afm_scan_becomes_a_height_view_with_trace_and_retrace_profiles() -> None:
    trace = np.tile(np.arange(8.0), (4, 1))
    acquisition = {
        "channels": {"height_trace": trace, "height_retrace": trace + 1, "error_trace": trace * 0},
        "metadata": {"pixel_size_nm": 2.0, "fov_nm": 16.0},
    }
    view = view_of(acquisition, "a0002")
    assert isinstance(view, ImageView) and set(view.profiles) == {"height_trace", "height_retrace"}
    assert view.profile_axis_nm is not None and view.profile_axis_nm[0] == pytest.approx(1.0)


def test_a_spectrum_becomes_a_spectrum_view_with_its_edges() -> None:
    acquisition = {
        "data": np.ones(100),
        "energy_eV": np.linspace(200, 700, 100),
        "metadata": {"signal": "EELS", "edges_eV": {"C-K": 284.0}},
    }
    view = view_of(acquisition, "a0003")
    assert isinstance(view, SpectrumView) and view.edges == {"C-K": 284.0} and view.energy_unit == "eV"


def test_results_name_their_acquisition_by_id_or_uri() -> None:
    assert acquisition_id({"id": "a0004"}) == "a0004"
    assert acquisition_id({"uri": "acq://a0005"}) == "a0005"
    assert acquisition_id({"x_um": 1.0}) is None


def test_the_session_zip_holds_every_file_under_one_folder(tmp_path: Path) -> None:
    folder = tmp_path / "20250101-000000-abcdef"
    (folder / "acquisitions").mkdir(parents=True)
    (folder / "journal.jsonl").write_text('{"tool": "acquire_image"}\n')
    (folder / "acquisitions" / "a0001.h5").write_bytes(b"\x89HDF")
    (folder / "chat.sqlite-wal").write_bytes(b"busy")
    names = zipfile.ZipFile(io.BytesIO(zip_session(folder))).namelist()
    assert names == ["20250101-000000-abcdef/acquisitions/a0001.h5", "20250101-000000-abcdef/journal.jsonl"]
    with pytest.raises(FileNotFoundError, match="start a new session"):
        zip_session(tmp_path / "missing")
