"""Particles: detection down to 1.5 nm against the noise, fitted sizes, size limits, reliability, and the counts
and sizes measured on the twin's gold and AFM particle frames against its ground truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastmcp import Client

from copilot.analysis.particles import segment_particles
from copilot.bench.accuracy_case import Case
from copilot.bench.accuracy_particles import afm_particles_case, particles_case
from copilot.session import Session
from copilot.tools.server import create_server


def _spheres(px: float, n_px: int, spheres: list[tuple[float, float, float]], peak: float, seed: int) -> np.ndarray:
    """Poisson image of projected spheres (x_nm, y_nm, diameter_nm) with ``peak`` counts per nm of thickness on a
    support of 20 counts."""
    s = 4
    yy, xx = (np.mgrid[: n_px * s, : n_px * s] + 0.5) * px / s
    thickness = np.zeros_like(xx)
    for x, y, d in spheres:
        thickness += 2 * np.sqrt(np.clip((d / 2) ** 2 - (xx - x) ** 2 - (yy - y) ** 2, 0.0, None))
    mean = 20.0 + peak * thickness.reshape(n_px, s, n_px, s).mean(axis=(1, 3))
    return np.random.default_rng(seed).poisson(mean).astype(np.float64)


SMALL = [(4.0 + 5.5 * (i % 5), 4.0 + 5.5 * (i // 5), d) for i, d in enumerate([1.5, 1.8, 2.0, 2.5, 3.0] * 4)]


def test_particles_down_to_one_and_a_half_nm_are_all_found_and_sized_within_ten_percent() -> None:
    found = segment_particles(_spheres(0.2, 150, SMALL, 40.0, seed=1), 0.2)
    assert found.count == len(SMALL)
    for x, y, d in SMALL:
        match = min(found.interior, key=lambda p: np.hypot(p.x_nm - x, p.y_nm - y))
        assert np.hypot(match.x_nm - x, match.y_nm - y) < 0.2
        assert match.diameter_nm == pytest.approx(d, rel=0.1)
    assert found.reliable, found.reliability_note


def test_size_limits_keep_only_the_particles_in_range() -> None:
    image = _spheres(0.2, 150, SMALL, 40.0, seed=2)
    kept = segment_particles(image, 0.2, min_diameter_nm=2.2, max_diameter_nm=2.8)
    assert kept.count == 4
    assert all(2.2 <= d <= 2.8 for d in kept.diameters_nm)


def test_faint_particles_below_the_noise_make_the_result_unreliable_with_the_reason() -> None:
    found = segment_particles(_spheres(0.2, 150, SMALL, 2.0, seed=3), 0.2)
    assert found.count < len(SMALL)
    assert not found.reliable
    assert "raise the dose" in found.reliability_note


def test_a_higher_threshold_finds_no_more_particles() -> None:
    image = _spheres(0.2, 150, SMALL, 6.0, seed=4)
    assert segment_particles(image, 0.2, threshold_sigmas=8.0).count <= segment_particles(image, 0.2).count


@pytest.mark.slow
def test_gold_particles_on_carbon_are_counted_and_sized_within_five_percent() -> None:
    outcome = particles_case(Case("gold_nanoparticles", fov_nm=200.0, pixels=512, seed=1))
    assert abs(outcome.error) <= 5.0, outcome
    assert abs(outcome.extra["mean_diameter_error_pct"]) <= 5.0, outcome


def test_afm_particle_heights_are_the_true_diameters_within_five_percent() -> None:
    outcome = afm_particles_case(0)
    assert abs(outcome.error) <= 5.0, outcome


async def test_particle_lists_page_with_offset_and_limit_and_afm_images_are_measured_in_nm(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="afm_nanoparticles", seed=0)
    async with Client(create_server(session)) as client:
        await client.call_tool("approach", {})
        await client.call_tool("acquire_afm_image", {"channels": ["height"]})
        whole = (await client.call_tool("segment_particles", {})).structured_content
        page = (await client.call_tool("segment_particles", {"offset": 2, "limit": 3})).structured_content
        profile = (
            await client.call_tool("line_profile", {"x0_nm": 10.0, "y0_nm": 10.0, "x1_nm": 500.0, "y1_nm": 500.0})
        ).structured_content
    session.close()
    assert whole is not None and page is not None and profile is not None
    assert whole["image_units"] == "nm" and whole["particle_count"] > 5
    assert page["particle_count"] == whole["particle_count"]
    assert page["offset"] == 2 and page["particles_nm"] == whole["particles_nm"][2:5]
    assert len(page["heights"]) == 3 and all(h > 5.0 for h in page["heights"])
    assert profile["image_units"] == "nm" and profile["maximum"] > profile["minimum"]


@pytest.mark.parametrize(("fov_nm", "seed"), [(200.0, 0), (200.0, 1), (400.0, 0)])
def test_gold_counts_and_mean_diameters_are_within_5_percent_of_the_twin_down_to_a_coarse_pixel(
    fov_nm: float, seed: int
) -> None:
    outcome = particles_case(Case("gold_nanoparticles", fov_nm=fov_nm, seed=seed))  # 400 nm: 0.78 nm pixels
    assert outcome.ok, outcome
