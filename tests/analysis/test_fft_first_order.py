"""The FFT's first-order (largest) lattice spacing, against synthetic lattices and the twin's lattice truth: at
atomic resolution a higher order is often the strongest peak, and the first order must still come out."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from copilot.analysis.fft import FFTPeak, compute_fft, first_order
from copilot.eval import truth
from copilot.session import Session
from copilot.twin import Microscope
from tests.analysis.synth import mos2_sites, perovskite_image, render_spots


def _peak(kx_per_nm: float, ky_per_nm: float, strength: float) -> FFTPeak:
    k = math.hypot(kx_per_nm, ky_per_nm)
    angle = math.degrees(math.atan2(ky_per_nm, kx_per_nm)) % 180.0
    return FFTPeak(kx_per_nm, ky_per_nm, 1.0 / k, angle, strength, 0.0005)


def test_a_mirror_pair_of_satellites_beside_the_first_order_is_not_averaged_into_it() -> None:
    g = 1.0 / 0.39
    square = [_peak(g, 0.0, 900.0), _peak(0.0, g, 900.0), _peak(g, g, 8e4), _peak(-g, g, 8e4), _peak(2 * g, 0, 1e5)]
    satellites = [_peak(g, 0.76, 480.0), _peak(-g, 0.76, 480.0)]  # differ by 200, but add up to no peak
    d_nm, sigma_nm = first_order(square + satellites, detection_level=25.0, bin_per_nm=0.125)  # type: ignore[misc]
    assert d_nm == pytest.approx(0.39) and sigma_nm == pytest.approx(0.0005 / math.sqrt(2))
    assert first_order([], detection_level=25.0, bin_per_nm=0.125) is None


def test_a_weak_fundamental_under_a_strong_second_harmonic_is_the_first_order() -> None:
    x = (np.arange(256) + 0.5) * 0.02
    fringe = np.cos(2 * np.pi * x / 0.5) + 3.0 * np.cos(2 * np.pi * x / 0.25)
    result = compute_fft(np.tile(fringe, (256, 1)), 0.02)
    assert result.peaks[0].d_spacing_nm == pytest.approx(0.25, rel=0.01)
    assert result.first_order_d_nm == pytest.approx(0.5, rel=0.01)


def test_hexagonal_mos2_and_cubic_srtio3_give_their_first_orders_whatever_peak_is_strongest() -> None:
    sites, kinds = mos2_sites(7.68)
    mos2 = render_spots((384, 384), 0.02, sites, np.where(kinds == 0, 1.0, 0.45), 0.025)
    hexagonal = compute_fft(mos2, 0.02)
    assert hexagonal.first_order_d_nm == pytest.approx(0.316 * math.sqrt(3) / 2, rel=0.005)
    cubic = compute_fft(perovskite_image(rng=np.random.default_rng(1)), 0.02)
    assert cubic.first_order_d_nm == pytest.approx(0.3905, rel=0.005)


def test_noise_has_no_first_order() -> None:
    result = compute_fft(np.random.default_rng(3).normal(100.0, 5.0, (256, 256)), 0.02)
    assert result.first_order_d_nm is None and result.first_order_d_uncertainty_nm is None


def _first_order_truth(specimen: str, seed: int, tmp_path: Path) -> float:
    session = Session(tmp_path / f"{specimen}{seed}", specimen=specimen, seed=seed)
    return float(truth.compute(session, [("first_order_spacing_nm", {})])["first_order_spacing_nm"])


FRAMES = [
    ("mos2", {}, {}),  # the default frame: the 11-20 peaks (0.16 nm) are often the strongest
    ("mos2", {"current_pa": 10.0}, {"dwell_us": 2.0}),  # a low-dose survey: the first order is the strongest
    ("srtio3", {}, {}),  # the 100 peaks stand at 0.5 to 1 % of the 200 peaks
    ("srtio3", {}, {"dwell_us": 1.0}),  # ... with line-jitter satellites beside them
    ("graphene", {}, {"fov_nm": 4.0, "pixels": 256, "dwell_us": 16.0}),
]


@pytest.mark.slow
@pytest.mark.parametrize(("specimen", "beam", "scan"), FRAMES, ids=[f"{f[0]}-{i}" for i, f in enumerate(FRAMES)])
def test_the_first_order_on_the_twin_is_its_lattice_truth_on_every_frame_said_reliable(
    specimen: str, beam: dict[str, float], scan: dict[str, float], tmp_path: Path
) -> None:
    reliable = 0
    for seed in range(6):
        m = Microscope(specimen, seed=seed, drift_nm_per_s=0.0)  # drift distorts the lattice: see the next test
        m.set_beam(**beam)
        m.set_scan(**scan)
        frame = m.acquire_image()
        result = compute_fft(frame.data, frame.pixel_size_nm)
        if not result.reliable:
            continue
        reliable += 1
        expected = _first_order_truth(specimen, seed, tmp_path)
        assert result.first_order_d_nm is not None and result.first_order_d_uncertainty_nm is not None
        error_nm = abs(result.first_order_d_nm - expected)
        assert error_nm <= max(0.005 * expected, 2.5 * result.first_order_d_uncertainty_nm), (seed, error_nm)
    assert reliable >= 4


@pytest.mark.slow
def test_drift_during_the_default_mos2_frame_stretches_the_first_order_within_its_uncertainty(tmp_path: Path) -> None:
    for seed in range(4):
        frame = Microscope("mos2", seed=seed).acquire_image()  # 2.1 s at 0.3 nm/s: the lattice stretched by 8 %
        result = compute_fft(frame.data, frame.pixel_size_nm)
        assert result.first_order_d_nm is not None and result.first_order_d_uncertainty_nm is not None
        error_nm = result.first_order_d_nm - _first_order_truth("mos2", seed, tmp_path)
        assert abs(error_nm) <= 2.0 * result.first_order_d_uncertainty_nm <= 0.03
