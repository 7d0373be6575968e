"""AFM analysis on hand-made height maps with exact answers."""

import numpy as np
import pytest

from copilot.analysis.domains import domain_fraction
from copilot.analysis.errors import AnalysisError
from copilot.analysis.grating import grating_pitch
from copilot.analysis.level import plane_level
from copilot.analysis.roughness import roughness
from copilot.analysis.steps import step_height
from copilot.analysis.tipcheck import tip_artifact_check

PX_NM = 2.0


def _grid(n: int = 128) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.mgrid[0:n, 0:n].astype(np.float64)
    return cols * PX_NM, rows * PX_NM


def _terraces(step_nm: float = 0.314, width_nm: float = 60.0, noise_nm: float = 0.02, seed: int = 0) -> np.ndarray:
    x, y = _grid()
    level = np.floor((x + 0.3 * y) / width_nm)
    tilt = 0.004 * x - 0.002 * y
    return step_nm * level + tilt + np.random.default_rng(seed).normal(0.0, noise_nm, x.shape)


def test_plane_levelling_removes_a_tilt_exactly() -> None:
    x, y = _grid()
    out = plane_level(3.0 + 0.01 * x - 0.02 * y, order=1, exclude_steps=False)
    assert np.ptp(out.height_nm) < 1e-9
    assert out.residual_rms_nm < 1e-9


def test_higher_order_levelling_removes_a_bowl() -> None:
    x, y = _grid()
    bowl = 1e-4 * ((x - 100) ** 2 + (y - 60) ** 2)
    assert np.ptp(plane_level(bowl, order=2, exclude_steps=False).height_nm) < 1e-9
    assert np.ptp(plane_level(bowl, order=1, exclude_steps=False).height_nm) > 0.5


def test_step_excluding_levelling_leaves_flat_terraces_where_a_plain_fit_tilts_them() -> None:
    z = _terraces(noise_nm=0.0)
    robust = plane_level(z, exclude_steps=True)
    plain = plane_level(z, exclude_steps=False)
    x, y = _grid()
    true_levels = 0.314 * np.floor((x + 0.3 * y) / 60.0)
    dev_robust = (robust.height_nm - true_levels)[robust.flat_mask]
    dev_plain = plain.height_nm - true_levels
    assert np.ptp(dev_robust) < 1e-6
    assert np.ptp(dev_plain) > 0.2
    assert robust.region_count >= 4


def test_step_height_of_noisy_tilted_terraces_is_within_two_percent() -> None:
    for seed in range(3):
        result = step_height(_terraces(seed=seed), PX_NM)
        assert result.step_nm == pytest.approx(0.314, rel=0.02)
        assert result.multiples == tuple(range(len(result.levels_nm)))
        assert sum(result.terrace_fractions) == pytest.approx(1.0)


def test_a_double_step_counts_as_two_elementary_steps() -> None:
    x, _ = _grid()
    z = np.select([x < 80, x < 170], [0.0, 0.25], 0.75) + np.random.default_rng(1).normal(0, 0.01, x.shape)
    result = step_height(z, PX_NM)
    assert result.multiples == (0, 1, 3)
    assert result.step_nm == pytest.approx(0.25, rel=0.02)


def test_a_flat_surface_has_no_step_height() -> None:
    z = np.random.default_rng(2).normal(0.0, 0.05, (64, 64))
    with pytest.raises(AnalysisError, match="terrace level"):
        step_height(z, PX_NM)


def test_roughness_of_gaussian_noise_matches_its_sigma() -> None:
    z = np.random.default_rng(3).normal(5.0, 0.5, (256, 256))
    r = roughness(z)
    assert r.Rq_nm == pytest.approx(0.5, rel=0.02)
    assert r.Ra_nm == pytest.approx(0.5 * np.sqrt(2 / np.pi), rel=0.02)
    assert r.kurtosis == pytest.approx(3.0, abs=0.1)
    assert r.Rz_nm == pytest.approx(np.ptp(z))


def test_roughness_over_a_region_uses_only_its_pixels() -> None:
    z = np.zeros((32, 32))
    z[:, 16:] = np.tile([1.0, -1.0], (32, 8))
    left = np.zeros_like(z, dtype=bool)
    left[:, :16] = True
    assert roughness(z, left).Rq_nm == 0.0
    assert roughness(z, ~left).Rq_nm == 1.0
    with pytest.raises(AnalysisError, match="boolean mask"):
        roughness(z, left.astype(int))


def _grating(pitch_nm: float, depth_nm: float, angle_deg: float, n: int = 256) -> np.ndarray:
    x, y = _grid(n)
    a = np.radians(angle_deg)
    u = x * np.cos(a) + y * np.sin(a) + 17.0
    d = np.abs(np.mod(u, pitch_nm) - pitch_nm / 2)
    profile = np.clip((pitch_nm / 4 + 2.0 - d) / 4.0, 0.0, 1.0)  # half duty, 4 nm sidewalls
    return depth_nm * profile + 0.003 * x + np.random.default_rng(4).normal(0, 0.1, x.shape)


def test_grating_pitch_depth_and_direction_are_measured() -> None:
    result = grating_pitch(_grating(97.0, 12.0, 8.0), PX_NM)
    assert result.pitch_nm == pytest.approx(97.0, rel=0.005)
    assert result.depth_nm == pytest.approx(12.0, rel=0.02)
    assert result.angle_deg == pytest.approx(8.0, abs=0.5)
    assert result.duty_cycle == pytest.approx(0.5, abs=0.05)


def test_a_grating_with_less_than_two_periods_is_refused() -> None:
    with pytest.raises(AnalysisError, match="two periods"):
        grating_pitch(_grating(300.0, 12.0, 0.0, n=128), PX_NM)


def _bumps(ghost_px: tuple[int, int] | None, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:256, 0:256]
    z = rng.normal(0.0, 0.05, (256, 256))
    for r, c in rng.uniform(10, 246, size=(40, 2)):
        bump = 10.0 * np.exp(-((rows - r) ** 2 + (cols - c) ** 2) / (2 * 2.0**2))
        z = np.maximum(z, bump)
        if ghost_px is not None:
            z = np.maximum(z, np.roll(bump, ghost_px, axis=(0, 1)) - 0.5)
    return z


def test_a_double_tip_is_found_with_its_ghost_offset() -> None:
    result = tip_artifact_check(_bumps((4, -9)), PX_NM)
    assert result.double_tip
    assert result.confidence > 0.9
    assert (result.ghost_dx_nm, result.ghost_dy_nm) == pytest.approx((-18.0, 8.0), abs=1.0)
    assert result.pairs >= 30


def test_a_clean_tip_on_random_features_is_not_flagged() -> None:
    for seed in range(3):
        result = tip_artifact_check(_bumps(None, seed), PX_NM)
        assert not result.double_tip
        assert result.confidence < 0.5


def test_domain_fractions_of_a_three_phase_map() -> None:
    z = np.zeros((60, 60))
    z[:, 30:45] = 5.0
    z[:, 45:] = 20.0
    noisy = z + np.random.default_rng(6).normal(0.0, 0.5, z.shape)
    for method in ("otsu", "kmeans"):
        result = domain_fraction(noisy, classes=3, method=method)
        assert result.fractions == pytest.approx((0.5, 0.25, 0.25), abs=0.01)
        assert result.class_means == pytest.approx((0.0, 5.0, 20.0), abs=0.2)


def test_a_uniform_channel_has_no_domains() -> None:
    with pytest.raises(AnalysisError, match="uniform"):
        domain_fraction(np.ones((16, 16)))
