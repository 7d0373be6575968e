"""What the instrument panel reads: status groups, dose usage, acquisitions as views; and the session zip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from copilot.agent.events import ToolCall, ToolResult
from copilot.store import Acquisition
from copilot.ui.acquisitions import (
    ImageView,
    SpectrumView,
    acquisition_id,
    named_elements,
    reference_edges_eV,
    view_of,
)
from copilot.ui.export import zip_session
from copilot.ui.status_view import DoseUsage, clock_s, dose_usage, setting_groups, specimen_line
from copilot.ui.transcript import Transcript

STATUS = {
    "instrument": "STEM",
    "specimen": "graphene",
    "seed": 4,
    "settings": {"beam": {"energy_kV": 60.0, "blanked": False}, "stage": {"x_um": 1.5, "tilt_deg": [0.0, 1.0]}},
    "dose": {"used_e_per_A2": 2500.0, "budget_e_per_A2": 10000.0},
    "instrument_time_s": 3.25,
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
    acquisition = Acquisition(
        "a0001", "image", "", {"pixel_size_nm": 0.5, "detector": "HAADF"}, {"image": np.ones((16, 32))}
    )
    view = view_of(acquisition, "a0001")
    assert isinstance(view, ImageView) and view.fov_nm == 16.0 and not view.profiles
    assert view.caption == "a0001 · HAADF · FOV 16 nm · 32×16 px"


def test_an_afm_scan_becomes_a_height_view_with_trace_and_retrace_profiles() -> None:
    trace = np.tile(np.arange(8.0), (4, 1))
    arrays = {"height_trace": trace, "height_retrace": trace + 1, "error_trace": trace * 0}
    view = view_of(Acquisition("a0002", "afm_image", "", {"pixel_size_nm": 2.0, "fov_nm": 16.0}, arrays), "a0002")
    assert isinstance(view, ImageView) and set(view.profiles) == {"height_trace", "height_retrace"}
    assert view.profile_axis_nm is not None and view.profile_axis_nm[0] == pytest.approx(1.0)
    assert view.profiles["height_retrace"][3] == 4.0


def test_a_spectrum_marks_the_known_edges_in_its_energy_range() -> None:
    arrays = {"energy_eV": np.linspace(200, 700, 100), "counts": np.ones(100)}
    meta = {"spectrum_kind": "EELS", "x_nm": 1.0, "y_nm": 2.5}
    view = view_of(Acquisition("a0003", "spectrum", "", meta, arrays), "a0003")
    assert isinstance(view, SpectrumView)
    assert {"C-K": 284.0, "N-K": 401.0, "O-K": 532.0, "Ti-L3": 456.0, "Mo-M4,5": 227.0}.items() <= view.edges_eV.items()
    assert all(200 <= energy <= 700 for energy in view.edges_eV.values())
    assert view.edges_of({"Ti", "O"}) == {"O-K": 532.0, "Ti-L3": 456.0, "Ti-L2": 462.0}
    assert view.caption == "a0003 · EELS at (1, 2.5) nm"


def test_eds_spectra_mark_x_ray_lines_in_eV() -> None:
    assert reference_edges_eV("EDS")["Si Ka"] == pytest.approx(1740.0)
    assert reference_edges_eV("EELS")["C-K"] == 284.0


def test_a_spectrum_image_is_shown_as_the_sum_of_its_spectra() -> None:
    arrays = {"energy_eV": np.linspace(100, 200, 10), "counts": np.ones((2, 3, 10))}
    view = view_of(Acquisition("a0004", "spectrum_image", "", {"spectrum_kind": "EELS"}, arrays), "a0004")
    assert isinstance(view, SpectrumView) and np.all(view.counts == 6.0)


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
    assert names == [
        "20250101-000000-abcdef/acquisitions/a0001.h5",
        "20250101-000000-abcdef/journal.jsonl",
        "20250101-000000-abcdef/transcript.md",
    ]
    with pytest.raises(FileNotFoundError, match="start a new session"):
        zip_session(tmp_path / "missing")


def test_real_afm_and_spectrum_acquisitions_become_views(tmp_path: Path) -> None:
    from copilot.session import Session

    session = Session(tmp_path, specimen="afm_steps", seed=0)
    session.afm.approach()
    afm = session.afm.acquire_afm_image()
    view = view_of(afm, afm.id)
    assert isinstance(view, ImageView) and {"height_trace", "height_retrace"} <= set(view.profiles)
    session.load_specimen("graphene", 0)
    spectrum = session.acquire_spectrum("EELS", 100.0, 100.0, 10.0, approved=True)
    eels = view_of(spectrum, spectrum.id)
    assert isinstance(eels, SpectrumView) and eels.edges_eV["C-K"] == 284.0
    assert eels.counts.shape == eels.energy_eV.shape
    session.close()


def test_spectra_mark_only_elements_identified_or_asked_for() -> None:
    symbols = ["C", "N", "O", "Si", "S", "Ti", "Sr", "Mo", "W", "Re", "Au"]
    assert named_elements(["Take an EELS spectrum and tell me which elements are present"], symbols) == set()
    assert named_elements(["a STEM map of MoS2: any carbon?"], symbols) == {"Mo", "S", "C"}
    transcript = Transcript()
    transcript.add_user("which elements are here?")
    reply = transcript.start_reply()
    reply.apply(ToolCall("c1", "identify_elements", {}))
    reply.apply(ToolResult("c1", "identify_elements", True, {"acquisition_id": "a0002", "present": ["Mo", "S"]}))
    assert transcript.identified_elements("a0002") == {"Mo", "S"} and transcript.identified_elements("a0001") == set()
