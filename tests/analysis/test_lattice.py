"""Fourier transform and lattice measurement on synthetic lattices with known constants."""

import numpy as np
import pytest

from copilot.analysis.errors import AnalysisError, NoLatticeError
from copilot.analysis.fft import compute_fft
from copilot.analysis.lattice import measure_lattice
from tests.analysis.synth import graphene_sites, perovskite_image, render_spots


def test_fft_reports_the_d_spacing_of_a_cosine_fringe_pattern() -> None:
    x = (np.arange(200) + 0.5) * 0.05
    image = np.tile(np.cos(2 * np.pi * x / 0.37), (160, 1))
    result = compute_fft(image, 0.05)
    assert result.peaks[0].d_spacing_nm == pytest.approx(0.37, rel=0.005)
    assert result.peaks[0].angle_deg == pytest.approx(0.0, abs=0.5)
    assert result.log_power.shape == (160, 200)
    assert result.frequency_x_per_nm[100] == 0.0
    assert result.frequency_x_per_nm[101] == pytest.approx(1 / (200 * 0.05))


def test_fft_of_pure_noise_reports_no_peaks() -> None:
    noise = np.random.default_rng(3).normal(100.0, 5.0, (256, 256))
    assert compute_fft(noise, 0.02).peaks == ()


def test_srtio3_lattice_constant_comes_out_within_half_a_percent_under_poisson_noise() -> None:
    image = perovskite_image(n_px=256, pixel_size_nm=0.02, rng=np.random.default_rng(1))
    lattice = measure_lattice(image, 0.02)
    assert lattice.a_nm == pytest.approx(0.3905, rel=0.005)
    assert lattice.b_nm == pytest.approx(0.3905, rel=0.005)
    assert lattice.gamma_deg == pytest.approx(90.0, abs=0.5)


def test_graphene_gives_a_hexagonal_cell_of_0_246_nm() -> None:
    image = render_spots((256, 256), 0.02, graphene_sites(5.12), 10.0, 0.04)
    lattice = measure_lattice(image, 0.02)
    assert lattice.a_nm == pytest.approx(0.246, rel=0.005)
    assert lattice.b_nm == pytest.approx(0.246, rel=0.005)
    assert min(lattice.gamma_deg, 180 - lattice.gamma_deg) == pytest.approx(60.0, abs=0.5)
    assert lattice.d_spacings_nm[0] == pytest.approx(0.213, rel=0.01)


def test_a_featureless_image_raises_no_lattice_error() -> None:
    with pytest.raises(NoLatticeError, match="Fourier peak"):
        measure_lattice(np.random.default_rng(0).normal(size=(128, 128)), 0.02)


@pytest.mark.parametrize(
    ("image", "pixel"),
    [(np.zeros((4, 4)), 0.1), (np.zeros((32, 32)), 0.0), (np.full((32, 32), np.nan), 0.1), (np.zeros(64), 0.1)],
)
def test_invalid_inputs_are_rejected_with_a_typed_error(image: np.ndarray, pixel: float) -> None:
    with pytest.raises(AnalysisError):
        compute_fft(image, pixel)
