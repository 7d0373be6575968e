"""Every kind of acquisition opens in HyperSpy (and exspy) as a calibrated signal with the instrument's metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

from copilot.session import Session

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning"),
    pytest.mark.slow,  # the first test pays HyperSpy's import (several seconds)
]
hs = pytest.importorskip("hyperspy.api")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    session = Session(tmp_path_factory.mktemp("data"), "srtio3", seed=2)
    session.set_scan(pixels=64, fov_nm=8.0, dwell_us=2.0)
    return session


def settings(acq: Any) -> dict[str, Any]:
    return acq.metadata["settings"]


def test_a_stem_image_is_a_signal2d_with_nm_axes_beam_detector_dwell_and_dose(session: Session) -> None:
    acq = session.acquire_image("HAADF")
    s = hs.load(session.store.path(acq.id))
    assert type(s).__name__ == "Signal2D" and s.data.shape == (64, 64)
    assert [(a.name, a.units, a.scale, a.size) for a in s.axes_manager.signal_axes] == [
        ("x", "nm", 0.125, 64),
        ("y", "nm", 0.125, 64),
    ]
    np.testing.assert_array_equal(s.data, acq.arrays["image"])
    tem = s.metadata.Acquisition_instrument.TEM
    assert tem.beam_energy == settings(acq)["beam"]["energy_kv"] == 200.0
    assert tem.convergence_angle == settings(acq)["optics"]["convergence_mrad"]
    assert tem.beam_current == pytest.approx(settings(acq)["beam"]["current_pa"] * 1e-3)
    assert tem.dwell_time == pytest.approx(2.0e-6) and tem.dose_e_per_A2 == acq.metadata["dose_e_per_A2"]
    assert tem.detector == "HAADF"
    angles = tem.Detector.HAADF
    assert (angles.inner_angle, angles.outer_angle) == (
        settings(acq)["detectors"]["haadf_inner_mrad"],
        settings(acq)["detectors"]["haadf_outer_mrad"],
    )
    assert s.metadata.General.title == f"{acq.id} HAADF" and s.original_metadata.copilot.specimen == "srtio3"


def test_an_eels_spectrum_is_an_eelsspectrum_whose_zero_loss_peak_exspy_finds_at_zero(session: Session) -> None:
    acq = session.acquire_spectrum("EELS", 2.0, 2.0, 5.0)
    s = hs.load(session.store.path(acq.id))
    assert type(s).__name__ == "EELSSpectrum" and s.metadata.Signal.signal_type == "EELS"
    axis = s.axes_manager.signal_axes[0]
    assert (axis.units, axis.is_binned) == ("eV", True)
    np.testing.assert_allclose(axis.axis, acq.arrays["energy_eV"])
    np.testing.assert_array_equal(s.data, acq.arrays["counts"])
    assert abs(float(s.estimate_zero_loss_peak_centre().data[0])) <= 1.0  # the twin's zero-loss peak sits at 0 eV
    tem = s.metadata.Acquisition_instrument.TEM
    assert tem.beam_energy == 200.0 and tem.Detector.EELS.dwell_time == pytest.approx(5e-3)
    assert tem.Detector.EELS.collection_angle == settings(acq)["detectors"]["eels_collection_mrad"]
    assert tem.convergence_angle == settings(acq)["optics"]["convergence_mrad"]


def test_an_eds_spectrum_is_an_edstemspectrum_with_live_time_and_beam_energy(session: Session) -> None:
    acq = session.acquire_spectrum("EDS", 2.0, 2.0, 5.0)
    s = hs.load(session.store.path(acq.id))
    assert type(s).__name__ == "EDSTEMSpectrum" and s.metadata.Signal.signal_type == "EDS_TEM"
    axis = s.axes_manager.signal_axes[0]
    assert (axis.units, axis.offset, axis.scale) == ("eV", acq.arrays["energy_eV"][0], 10.0)
    eds = s.metadata.Acquisition_instrument.TEM.Detector.EDS
    assert eds.live_time == pytest.approx(5e-3) and eds.real_time == pytest.approx(5e-3)
    assert s.metadata.Acquisition_instrument.TEM.beam_energy == 200.0


def test_a_spectrum_image_is_a_3d_signal_with_two_nm_navigation_axes_and_an_ev_axis(session: Session) -> None:
    acq = session.acquire_spectrum_image("EELS", 1.0, 2.0, 2.0, 1.0, 4, 1.0)
    s = hs.load(session.store.path(acq.id))
    assert type(s).__name__ == "EELSSpectrum" and s.data.ndim == 3
    region = acq.metadata["region"]
    nav = s.axes_manager.navigation_axes
    assert [(a.name, a.units, a.size) for a in nav] == [("x", "nm", 4), ("y", "nm", 2)]
    np.testing.assert_allclose(nav[0].axis, region["points_x_nm"])
    np.testing.assert_allclose(nav[1].axis, region["points_y_nm"])
    assert s.axes_manager.signal_axes[0].units == "eV"
    assert s.metadata.Acquisition_instrument.TEM.Detector.EELS.dwell_time == pytest.approx(1e-3)


def test_an_afm_frame_opens_as_one_nm_calibrated_height_map_per_channel(tmp_path: Path) -> None:
    session = Session(tmp_path, "afm_grating", seed=1)
    session.afm.approach()
    session.afm.set_afm_scan(pixels=32)
    acq = session.afm.acquire_afm_image(["height"])
    signals = hs.load(session.store.path(acq.id))
    by_title = {s.metadata.General.title: s for s in signals}
    assert sorted(by_title) == [f"{acq.id} {name}" for name in sorted(acq.arrays)]
    trace = by_title[f"{acq.id} height_trace"]
    assert [(a.units, a.scale) for a in trace.axes_manager.signal_axes] == [("nm", acq.metadata["pixel_size_nm"])] * 2
    assert trace.metadata.Signal.quantity == "Height (nm)"
    np.testing.assert_array_equal(trace.data, acq.arrays["height_trace"])
    assert trace.metadata.Acquisition_instrument.AFM.scan_rate == settings(acq)["scan"]["rate_hz"]


def test_plain_h5py_reads_the_same_arrays_and_the_record_under_data(session: Session) -> None:
    acq = session.acquire_image("BF")
    with h5py.File(session.store.path(acq.id)) as f:
        assert f.attrs["file_format"] == "HyperSpy" and f.attrs["kind"] == "image"
        np.testing.assert_array_equal(f["data/image"][()], acq.arrays["image"])
        assert f["data/image"] == f[f"Experiments/{acq.id} BF/data"]  # one dataset, two names
    s = hs.load(session.store.path(acq.id))
    bf = s.metadata.Acquisition_instrument.TEM.Detector.BF
    assert (bf.inner_angle, bf.outer_angle) == (0.0, settings(acq)["detectors"]["bf_outer_mrad"])
