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
    heavy = int(np.argmin(np.where(kinds == 0, np.hypot(*(sites - 2.56).T), np.inf)))  # a Mo site mid-frame
    amps[heavy] = 75.0**1.7 / 100.0  # Re on a Mo site
    keep = np.ones(len(sites), dtype=bool)
    keep[vacant] = False
    clean = render_spots((256, 256), 0.02, sites[keep], amps[keep], 0.05)
    image = np.random.default_rng(4).poisson(clean * 50 + 0.2).astype(np.float64)
    result = detect_defects(image, 0.02)
    vacancies = [(d.x_nm, d.y_nm) for d in result.defects if d.kind == "vacancy"]
    substitutions = [(d.x_nm, d.y_nm) for d in result.defects if d.kind == "substitution"]
    assert all(_near(vacancies, sites[i]) for i in vacant)
    assert len(vacancies) <= 3  # at most one spurious (a light column next to the heavy atom)
    assert substitutions and _near(substitutions, sites[heavy])
    assert len(substitutions) == 1
    assert result.counts["interstitial"] == 0
    assert len(result.sublattices) == 2
    assert result.sublattices[0].relative_intensity == 1.0  # sub-lattice 0 holds the brightest columns
    assert {d.sublattice for d in result.defects if d.kind == "substitution"} == {0}


def test_a_dimmer_column_is_a_partial_vacancy_and_a_perfect_lattice_has_no_defects() -> None:
    sites, _ = lattice_sites((0.3, 0.0), (0.0, 0.3), [(0.1, 0.1)], 4.8)
    amps = np.full(len(sites), 20.0)
    clean_perfect = render_spots((240, 240), 0.02, sites, amps, 0.05, background=1.0)
    rng = np.random.default_rng(5)
    perfect = detect_defects(rng.poisson(clean_perfect * 10).astype(np.float64), 0.02)
    assert sum(perfect.counts.values()) == 0
    assert len(perfect.sites_nm) == 14 * 14  # sites one lattice spacing (0.3 nm) or more inside the 4.8 nm frame
    amps[77] = 10.0
    dim = detect_defects(rng.poisson(render_spots((240, 240), 0.02, sites, amps, 0.05, 1.0) * 10).astype(float), 0.02)
    partial = [d for d in dim.defects if d.kind == "partial_vacancy"]
    assert len(partial) == 1
    assert partial[0].intensity_ratio == pytest.approx(0.5, abs=0.1)
    assert np.hypot(partial[0].x_nm - sites[77, 0], partial[0].y_nm - sites[77, 1]) < 0.05


def test_an_image_without_atoms_raises_no_lattice_error() -> None:
    with pytest.raises(NoLatticeError):
        detect_defects(np.random.default_rng(0).normal(10.0, 1.0, (64, 64)), 0.02)


def test_defects_of_the_twin_mos2_at_an_atomic_resolution_dose_match_its_ground_truth() -> None:
    from copilot.twin import Microscope

    scope = Microscope("mos2", seed=0, drift_nm_per_s=0.0, jitter_nm=0.0)
    scope.set_scan(fov_nm=8.0, pixels=512, dwell_us=8.0)
    scope.set_beam(current_pa=40.0)  # 8.2e4 e/A2: single S vacancies stand out of the column noise
    frame = scope.acquire_image()
    corners = scope.fov_to_specimen(np.array([0.0, 8.0, 0.0, 8.0]), np.array([0.0, 0.0, 8.0, 8.0]))
    truth = scope.specimen.defects_in((min(corners[0]), min(corners[1]), max(corners[0]), max(corners[1])))
    u, v = (np.asarray(c) for c in scope.specimen_to_fov(*np.array([d.position_nm for d in truth]).T))
    kinds = [d.kind for d, inside in zip(truth, (u >= 0) & (u <= 8) & (v >= 0) & (v <= 8), strict=True) if inside]
    true_vacancies = sum("vacancy" in k for k in kinds)
    found = detect_defects(np.asarray(frame.data, dtype=np.float64), frame.pixel_size_nm).counts
    assert found["substitution"] == sum(k == "dopant" for k in kinds)
    assert abs(found["vacancy"] + found["partial_vacancy"] - true_vacancies) <= 0.3 * true_vacancies


def test_columns_cut_by_the_frame_edge_are_not_vacancies() -> None:
    # A lattice offset so that a row and a column of sites sit right on the frame edges, half cut off.
    sites, _ = lattice_sites((0.3, 0.0), (0.0, 0.3), [(0.0, 0.0)], 4.8)
    clean = render_spots((240, 240), 0.02, sites, np.full(len(sites), 20.0), 0.05, background=1.0)
    result = detect_defects(np.random.default_rng(6).poisson(clean * 10).astype(np.float64), 0.02)
    assert result.counts["vacancy"] == 0
    assert result.margin_nm == pytest.approx(0.3, abs=0.01)
    assert result.reliable


def test_a_low_dose_lattice_is_not_judged_and_says_why() -> None:
    sites, _ = lattice_sites((0.3, 0.0), (0.0, 0.3), [(0.1, 0.1)], 4.8)
    clean = render_spots((240, 240), 0.02, sites, np.full(len(sites), 20.0), 0.05, background=1.0)
    result = detect_defects(np.random.default_rng(7).poisson(clean * 0.05).astype(np.float64), 0.02)
    assert sum(result.counts.values()) <= 1
    assert not result.reliable
    assert "noisy" in result.reliability_note or "stand out" in result.reliability_note


def _drifted(sites: np.ndarray) -> np.ndarray:
    """The sites as a slow frame shows them when the drift turns twice during the scan: each row displaced by
    a piecewise-linear function of the row alone (up to 0.2 nm along x, rows stretched along y)."""
    y = sites[:, 1]
    dx = np.interp(y, [0.0, 1.7, 3.4, 5.12], [0.0, 0.2, 0.0, 0.15])
    dy = np.interp(y, [0.0, 1.7, 3.4, 5.12], [0.0, 0.1, 0.1, 0.2])
    return sites + np.column_stack([dx, dy])


def test_a_lattice_bent_by_drift_that_turns_during_the_frame_has_no_false_defects() -> None:
    sites, kinds = mos2_sites(5.12)
    amps = np.where(kinds == 0, 42.0**1.7, 2 * 16.0**1.7) / 100.0
    shown = _drifted(sites)
    inside = np.all((shown >= 0) & (shown < 5.12), axis=1)
    vacant = int(np.argmin(np.where(kinds[inside] == 0, np.hypot(*(shown[inside] - 2.56).T), np.inf)))
    keep = np.ones(int(inside.sum()), dtype=bool)
    keep[vacant] = False
    clean = render_spots((256, 256), 0.02, shown[inside][keep], amps[inside][keep], 0.05)
    result = detect_defects(np.random.default_rng(8).poisson(clean * 50 + 0.2).astype(np.float64), 0.02)
    assert result.reliable, result.reliability_note
    assert [d.kind for d in result.defects] == ["vacancy"]
    assert _near([(d.x_nm, d.y_nm) for d in result.defects], shown[inside][vacant])
