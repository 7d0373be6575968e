"""Particles, denoising, profiles, drift and focus on synthetic images with known answers."""

import itertools

import numpy as np
import pytest
from scipy import ndimage as ndi

from copilot.analysis.drift import estimate_drift
from copilot.analysis.errors import AnalysisError
from copilot.analysis.filters import denoise_image
from copilot.analysis.focus import focus_quality
from copilot.analysis.particles import segment_particles
from copilot.analysis.profile import line_profile
from tests.analysis.synth import perovskite_image


def _discs(shape: tuple[int, int], px: float, discs: list[tuple[float, float, float]]) -> np.ndarray:
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    x, y = (cols + 0.5) * px, (rows + 0.5) * px
    image = np.full(shape, 10.0)
    for cx, cy, d in discs:
        image[(x - cx) ** 2 + (y - cy) ** 2 <= (d / 2) ** 2] = 100.0
    return image


def test_disc_diameters_and_centroids_are_measured_and_edge_discs_flagged() -> None:
    discs = [(10.0, 10.0, 6.0), (30.0, 12.0, 4.0), (20.0, 30.0, 8.0), (39.0, 35.0, 5.0)]  # last one cut by the edge
    image = np.random.default_rng(0).poisson(_discs((160, 160), 0.25, discs)).astype(np.float64)
    result = segment_particles(image, 0.25)
    assert result.count == 3
    assert [p.touches_edge for p in result.particles].count(True) == 1
    for cx, cy, d in discs[:3]:
        match = min(result.interior, key=lambda p: np.hypot(p.x_nm - cx, p.y_nm - cy))
        assert np.hypot(match.x_nm - cx, match.y_nm - cy) < 0.2
        assert match.diameter_nm == pytest.approx(d, rel=0.05)
    assert sum(result.histogram_counts) == 3


def test_two_touching_discs_are_split_into_two_particles() -> None:
    image = _discs((120, 120), 0.25, [(12.0, 15.0, 8.0), (19.5, 15.0, 8.0)])
    assert segment_particles(image, 0.25).count == 2
    assert segment_particles(image, 0.25, split_touching=False).count == 1


@pytest.mark.parametrize("method", ["gaussian", "median", "wiener", "nl_means"])
def test_every_denoising_method_lowers_the_error_against_the_clean_image(method: str) -> None:
    clean = perovskite_image(n_px=96) * 20
    noisy = np.random.default_rng(1).poisson(clean).astype(np.float64)
    out = denoise_image(noisy, 0.02, method=method, strength_nm=0.02)  # type: ignore[arg-type]
    assert out.shape == noisy.shape and out.dtype == np.float32
    assert np.sqrt(np.mean((out - clean) ** 2)) < 0.8 * np.sqrt(np.mean((noisy - clean) ** 2))


def test_profile_across_a_linear_ramp_has_the_ramp_slope_and_length() -> None:
    px = 0.1
    ramp = np.tile((np.arange(100) + 0.5) * px * 3.0, (50, 1))  # value = 3 * x_nm
    profile = line_profile(ramp, px, 1.0, 2.0, 8.0, 2.0, width_nm=0.5)
    assert profile.distance_nm[-1] == pytest.approx(7.0)
    assert profile.values[0] == pytest.approx(3.0, abs=1e-6)
    assert profile.values[-1] == pytest.approx(24.0, abs=1e-6)
    with pytest.raises(AnalysisError, match="outside the image"):
        line_profile(ramp, px, 1.0, 2.0, 12.0, 2.0)


def test_drift_recovers_a_known_sub_pixel_shift_and_its_rate() -> None:
    rng = np.random.default_rng(2)
    base = ndi.gaussian_filter(rng.normal(size=(128, 128)), 3.0)
    moved = ndi.shift(base, (-1.3, 2.6), mode="grid-wrap")  # features move 2.6 px right, 1.3 px up
    drift = estimate_drift(base, moved, 0.5, dt_s=10.0)
    assert drift.dx_nm == pytest.approx(1.3, abs=0.05)
    assert drift.dy_nm == pytest.approx(-0.65, abs=0.05)
    assert drift.rate_nm_per_s == pytest.approx(np.hypot(1.3, 0.65) / 10.0, abs=0.01)
    assert drift.confidence > 0.5
    unrelated = estimate_drift(base, ndi.gaussian_filter(rng.normal(size=(128, 128)), 3.0), 0.5, 1.0)
    assert unrelated.confidence < drift.confidence


def test_sharpness_falls_monotonically_with_blur_at_fixed_noise() -> None:
    clean = perovskite_image(n_px=128) * 30
    rng = np.random.default_rng(3)
    scores = [
        focus_quality(rng.poisson(ndi.gaussian_filter(clean, s)).astype(np.float64), 0.02).sharpness
        for s in (0.0, 1.0, 2.0, 3.0, 4.5)
    ]
    assert all(a > b for a, b in itertools.pairwise(scores))


def test_pure_noise_has_no_particles_but_faint_discs_on_noise_are_found() -> None:
    rng = np.random.default_rng(7)
    noise = rng.normal(100.0, 10.0, (256, 256))
    assert segment_particles(noise, 0.5).count == 0
    yy, xx = np.mgrid[0:256, 0:256]
    discs = (
        noise
        + 60.0 * (((yy - 80) ** 2 + (xx - 80) ** 2) < 15**2)
        + 60.0 * (((yy - 170) ** 2 + (xx - 160) ** 2) < 20**2)
    )
    assert segment_particles(discs, 0.5).count == 2
