"""Atom finding and intensity classes on Gaussian columns at known positions."""

import numpy as np
import pytest
from scipy.spatial import cKDTree

from copilot.analysis.atoms import find_atoms
from copilot.analysis.classes import classify_intensities
from copilot.analysis.errors import AnalysisError
from tests.analysis.synth import graphene_sites, mos2_sites, render_spots


def test_every_graphene_atom_is_found_within_0_01_nm_without_noise() -> None:
    truth = graphene_sites(5.12)
    atoms = find_atoms(render_spots((256, 256), 0.02, truth, 10.0, 0.04), 0.02)
    assert atoms.count == len(truth)
    dist, _ = cKDTree(truth).query(atoms.positions_nm)
    assert np.max(dist) < 0.01
    assert atoms.spacing_nm == pytest.approx(0.142, rel=0.03)


def test_graphene_count_stays_within_5_percent_at_low_dose() -> None:
    truth = graphene_sites(5.12)
    clean = render_spots((256, 256), 0.02, truth, 10.0, 0.04)
    noisy = np.random.default_rng(7).poisson(clean * 0.5 + 0.2).astype(np.float64)
    atoms = find_atoms(noisy, 0.02)
    assert abs(atoms.count - len(truth)) <= 0.05 * len(truth)


def test_a_single_off_grid_column_is_located_to_sub_pixel_precision() -> None:
    truth = np.array([[1.2345, 0.8765]])
    atoms = find_atoms(render_spots((96, 96), 0.025, truth, 50.0, 0.05, background=1.0), 0.025)
    assert atoms.count == 1
    assert atoms.positions_nm[0] == pytest.approx(truth[0], abs=0.003)


def test_mos2_mo_and_s2_columns_fall_into_two_classes_with_the_z_ratio() -> None:
    sites, kinds = mos2_sites(5.12)
    amps = np.where(kinds == 0, 42.0**1.7, 2 * 16.0**1.7) / 100.0
    clean = render_spots((256, 256), 0.02, sites, amps, 0.05)
    noisy = np.random.default_rng(2).poisson(clean * 20 + 0.2).astype(np.float64)
    atoms = find_atoms(noisy, 0.02)
    assert abs(atoms.count - len(sites)) <= 3
    assert len(atoms.class_mean_intensities) == 2
    _, nearest = cKDTree(atoms.positions_nm).query(sites)
    is_mo_class = atoms.classes[nearest] == 1
    assert np.mean(is_mo_class == (kinds == 0)) > 0.98
    ratio = atoms.class_mean_intensities[1] / atoms.class_mean_intensities[0]
    assert ratio == pytest.approx(42.0**1.7 / (2 * 16.0**1.7), rel=0.15)


def test_classes_split_only_well_separated_intensities() -> None:
    rng = np.random.default_rng(0)
    one = classify_intensities(rng.normal(10.0, 1.0, 200))
    assert len(one.means) == 1
    three = classify_intensities(np.concatenate([rng.normal(m, 0.3, 50) for m in (1.0, 5.0, 13.0)]))
    assert [round(m) for m in three.means] == [1, 5, 13]
    assert np.bincount(three.labels).tolist() == [50, 50, 50]


def test_threshold_outside_zero_to_one_is_rejected() -> None:
    with pytest.raises(AnalysisError, match="threshold"):
        find_atoms(np.zeros((32, 32)), 0.02, threshold=1.5)


def twin_graphene_frame(fov_nm: float) -> tuple[np.ndarray, float, int]:
    """A default-dose HAADF frame (512 px, default dwell and current) of the twin's graphene and the number of
    true columns inside it (drift and jitter off, so that the frame has an exact extent on the specimen)."""
    from copilot.twin import Microscope

    scope = Microscope("graphene", seed=0, drift_nm_per_s=0.0, jitter_nm=0.0)
    scope.set_scan(fov_nm=fov_nm, pixels=512)
    frame = scope.acquire_image()
    corners = scope.fov_to_specimen(np.array([0.0, fov_nm, 0.0, fov_nm]), np.array([0.0, 0.0, fov_nm, fov_nm]))
    atoms = scope.ground_truth_atoms(min(corners[0]), min(corners[1]), max(corners[0]), max(corners[1]))
    u, v = (np.asarray(c) for c in scope.specimen_to_fov(atoms.xy_nm[:, 0], atoms.xy_nm[:, 1]))
    inside = (u >= 0) & (u <= fov_nm) & (v >= 0) & (v <= fov_nm)
    return np.asarray(frame.data, dtype=np.float64), frame.pixel_size_nm, int(inside.sum())


@pytest.mark.parametrize("fov_nm", [4.0, 8.0])
def test_graphene_at_the_twin_default_dose_is_not_counted_but_said_unmeasurable(fov_nm: float) -> None:
    # At 30 pA x 4 us single carbon columns stand 0.5 (8 nm) to 1.0 (4 nm) noise sigmas above their hollows on
    # the twin's noise-free frame: the lattice shows in the Fourier transform, single columns do not.
    image, pixel_size_nm, true_count = twin_graphene_frame(fov_nm)
    atoms = find_atoms(image, pixel_size_nm)
    assert true_count > 500
    assert not atoms.reliable and "dose" in atoms.reliability_note
    assert atoms.count < 0.5 * true_count


def test_columns_at_one_edge_do_not_reappear_at_the_other() -> None:
    truth = np.array([[0.5, 0.02], [1.0, 0.02]])  # two columns on the top edge, nothing near the bottom
    image = render_spots((64, 64), 0.025, truth, 50.0, 0.04, background=1.0)
    atoms = find_atoms(image + np.random.default_rng(3).normal(0.0, 0.5, image.shape), 0.025)
    assert atoms.count == 2 and np.all(atoms.positions_nm[:, 1] < 0.2)


def test_pure_noise_has_no_columns() -> None:
    atoms = find_atoms(np.random.default_rng(0).normal(10.0, 1.0, (128, 128)), 0.02)
    assert atoms.count == 0 and atoms.class_counts == ()


def test_srtio3_sr_tio_and_o_columns_are_counted_and_split_into_three_classes() -> None:
    from copilot.twin import Microscope

    scope = Microscope("srtio3", seed=0, drift_nm_per_s=0.0, jitter_nm=0.0)
    scope.set_scan(fov_nm=6.0, pixels=512, dwell_us=8.0)
    scope.set_beam(current_pa=100.0)  # O columns send about a tenth of the Sr signal onto the annulus
    frame = scope.acquire_image()
    corners = scope.fov_to_specimen(np.array([0.0, 6.0, 0.0, 6.0]), np.array([0.0, 0.0, 6.0, 6.0]))
    atoms = scope.ground_truth_atoms(min(corners[0]), min(corners[1]), max(corners[0]), max(corners[1]))
    crystal = atoms.select(atoms.elements != "C")  # the amorphous surface layer holds no columns to count
    xy = np.column_stack([np.asarray(c) for c in scope.specimen_to_fov(crystal.xy_nm[:, 0], crystal.xy_nm[:, 1])])
    columns = np.unique(xy[np.all((xy >= 0) & (xy <= 6.0), axis=1)].round(3), axis=0)  # Ti and O share a column
    found = find_atoms(np.asarray(frame.data, dtype=np.float64), frame.pixel_size_nm)
    assert abs(found.count - len(columns)) <= 0.05 * len(columns)
    assert len(found.class_mean_intensities) == 3  # O, Ti-O and Sr columns
