"""Defect detection on MoS2-like lattices with planted vacancies and substitutions."""

import numpy as np
import pytest

from copilot.analysis.defects import detect_defects
from copilot.analysis.errors import NoLatticeError
from tests.analysis.synth import lattice_sites, mos2_sites, render_spots


def _near(defects: list[tuple[float, float]], point: np.ndarray, tol_nm: float = 0.05) -> bool:
    return any(np.hypot(x - point[0], y - point[1]) < tol_nm for x, y in defects)


def test_planted_vacancies_and_a_heavy_substitution_are_found_in_mos2() -> None:
    sites, kinds = mos2_sites(5.12)
    amps = np.where(kinds == 0, 42.0**1.7, 2 * 16.0**1.7) / 100.0
    vacant = [100, 400]
    amps[50] = 75.0**1.7 / 100.0  # Re on a Mo site
    keep = np.ones(len(sites), dtype=bool)
    keep[vacant] = False
    clean = render_spots((256, 256), 0.02, sites[keep], amps[keep], 0.05)
    image = np.random.default_rng(4).poisson(clean * 50 + 0.2).astype(np.float64)
    result = detect_defects(image, 0.02)
    vacancies = [(d.x_nm, d.y_nm) for d in result.defects if d.kind == "vacancy"]
    substitutions = [(d.x_nm, d.y_nm) for d in result.defects if d.kind == "substitution"]
    assert all(_near(vacancies, sites[i]) for i in vacant)
    assert len(vacancies) <= 3  # at most one spurious (a light column next to the heavy atom)
    assert substitutions and _near(substitutions, sites[50])
    assert len(substitutions) == 1
    assert result.counts["interstitial"] == 0
    assert len(result.motif_median_intensities) == 2


def test_a_dimmer_column_is_a_partial_vacancy_and_a_perfect_lattice_has_no_defects() -> None:
    sites, _ = lattice_sites((0.3, 0.0), (0.0, 0.3), [(0.1, 0.1)], 4.8)
    amps = np.full(len(sites), 20.0)
    clean_perfect = render_spots((240, 240), 0.02, sites, amps, 0.05, background=1.0)
    rng = np.random.default_rng(5)
    perfect = detect_defects(rng.poisson(clean_perfect * 10).astype(np.float64), 0.02)
    assert sum(perfect.counts.values()) == 0
    assert len(perfect.sites_nm) > 200
    amps[77] = 10.0
    dim = detect_defects(rng.poisson(render_spots((240, 240), 0.02, sites, amps, 0.05, 1.0) * 10).astype(float), 0.02)
    partial = [d for d in dim.defects if d.kind == "partial_vacancy"]
    assert len(partial) == 1
    assert partial[0].intensity_ratio == pytest.approx(0.5, abs=0.1)
    assert np.hypot(partial[0].x_nm - sites[77, 0], partial[0].y_nm - sites[77, 1]) < 0.05


def test_an_image_without_atoms_raises_no_lattice_error() -> None:
    with pytest.raises(NoLatticeError):
        detect_defects(np.random.default_rng(0).normal(10.0, 1.0, (64, 64)), 0.02)


def test_defects_of_the_twin_mos2_at_the_default_dose_match_its_ground_truth() -> None:
    from copilot.twin import Microscope

    scope = Microscope("mos2", seed=0, drift_nm_per_s=0.0, jitter_nm=0.0)
    scope.set_scan(fov_nm=8.0, pixels=512)
    frame = scope.acquire_image()
    corners = scope.fov_to_specimen(np.array([0.0, 8.0, 0.0, 8.0]), np.array([0.0, 0.0, 8.0, 8.0]))
    truth = scope.specimen.defects_in((min(corners[0]), min(corners[1]), max(corners[0]), max(corners[1])))
    u, v = (np.asarray(c) for c in scope.specimen_to_fov(*np.array([d.position_nm for d in truth]).T))
    kinds = [d.kind for d, inside in zip(truth, (u >= 0) & (u <= 8) & (v >= 0) & (v <= 8), strict=True) if inside]
    true_vacancies = sum("vacancy" in k for k in kinds)
    found = detect_defects(np.asarray(frame.data, dtype=np.float64), frame.pixel_size_nm).counts
    assert found["substitution"] == sum(k == "dopant" for k in kinds)
    assert abs(found["vacancy"] + found["partial_vacancy"] - true_vacancies) <= 0.3 * true_vacancies
