"""Image formation obeys the physics: atoms where the ground truth says, Z^1.7 contrast, focus, noise, seeds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage
from skimage.feature import peak_local_max

from copilot.twin import Microscope
from copilot.twin.autofocus import sharpness
from tests.twin.helpers import clear_spot, go, quiet


def test_graphene_atom_count_from_a_noise_free_image_is_within_5_percent_of_the_ground_truth():
    m = quiet("graphene", seed=3)
    spot = clear_spot(m.specimen, 10.0)
    go(m, spot, fov_nm=3.0, pixels=256)
    frame = m.acquire_image()
    px = frame.pixel_size_nm
    border_px = 16
    level = 0.5 * float(np.percentile(frame.data, 99))  # Si substitutions are far brighter than C
    peaks = peak_local_max(frame.data, min_distance=5, threshold_abs=level, exclude_border=border_px)
    lo, hi = (
        m.fov_to_specimen(border_px * px, border_px * px),
        m.fov_to_specimen(3.0 - border_px * px, 3.0 - border_px * px),
    )
    truth = m.ground_truth_atoms(lo[0], lo[1], hi[0], hi[1])
    assert len(truth) > 150
    assert abs(len(peaks) - len(truth)) <= 0.05 * len(truth)


def test_mo_columns_outshine_single_s_atoms_by_the_z_to_the_1_7_ratio():
    m = quiet("mos2", seed=2)
    spot = clear_spot(m.specimen, 10.0)
    go(m, spot, fov_nm=2.5, pixels=256)
    frame = m.acquire_image()
    x0, y0 = m.fov_to_specimen(0.3, 0.3)
    x1, y1 = m.fov_to_specimen(2.2, 2.2)
    atoms = m.ground_truth_atoms(x0, y0, x1, y1)
    cols, rows = m.specimen_to_fov(atoms.xy_nm[:, 0], atoms.xy_nm[:, 1])
    values = frame.data[(rows / frame.pixel_size_nm).astype(int), (cols / frame.pixel_size_nm).astype(int)]
    mo = values[(atoms.elements == "Mo")].mean()
    s_atom = values[(atoms.elements == "S") & (atoms.count == 2)].mean() / 2  # an S2 column holds two S atoms
    assert mo / s_atom == pytest.approx((42 / 16) ** 1.7, rel=0.15)


def test_defocus_lowers_sharpness_and_the_sharpest_setting_is_the_hidden_height_plus_the_column_offset():
    m = quiet("graphene", seed=4)
    spot = clear_spot(m.specimen, 10.0)
    go(m, spot, fov_nm=3.0, pixels=128)
    truth = m.true_focus_defocus_nm()
    assert truth == pytest.approx(m.specimen.height_nm(*spot) + m.column.defocus_offset_nm, abs=1e-9)
    settings = truth + np.array([-12.0, -6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 12.0])
    scores = []
    for d in settings:
        m.set_optics(defocus_nm=float(d))
        scores.append(sharpness(m.acquire_image().data))
    assert settings[int(np.argmax(scores))] == pytest.approx(truth, abs=1.0)
    assert scores[0] < 0.5 * max(scores) and scores[-1] < 0.5 * max(scores)


def test_moving_the_stage_in_z_moves_the_true_focus_by_the_same_amount():
    m = quiet("srtio3", seed=0)
    before = m.true_focus_defocus_nm()
    m.move_stage(z_um=0.25)
    assert m.true_focus_defocus_nm() == pytest.approx(before + 250.0)


def test_halving_the_dwell_lowers_snr_by_about_root_two():
    m = Microscope("graphene", seed=5, drift_nm_per_s=0.0)
    spot = clear_spot(m.specimen, 150.0)
    go(m, spot, fov_nm=100.0, pixels=128)  # 0.8 nm pixels: a uniform density map
    m.set_beam(current_pa=500.0)

    def snr(dwell_us: float) -> float:
        m.set_scan(dwell_us=dwell_us)
        data = m.acquire_image().data
        return float(data.mean() / data.std())

    ratio = snr(40.0) / snr(20.0)
    assert ratio == pytest.approx(np.sqrt(2.0), rel=0.08)


def test_the_same_seed_gives_identical_frames_and_another_seed_does_not():
    def frame(seed: int) -> np.ndarray:
        m = Microscope("gold_nanoparticles", seed=seed)
        m.set_scan(fov_nm=40.0, pixels=96)
        m.acquire_image()
        return m.acquire_image().data

    a, b, c = frame(7), frame(7), frame(8)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_a_particle_seen_at_low_magnification_is_in_the_same_place_at_atomic_detail():
    m = quiet("gold_nanoparticles", seed=1)
    particle = max((p for p in m.specimen.particles if abs(p.center_nm[0]) < 700), key=lambda p: p.radius_nm)
    cx, cy = particle.center_nm
    go(m, (cx + 60.0, cy - 40.0), fov_nm=400.0, pixels=256)
    low = m.acquire_image().data
    labels, n = ndimage.label(low > 0.5 * low.max())
    biggest = 1 + int(np.argmax(ndimage.sum_labels(np.ones_like(low), labels, index=np.arange(1, n + 1))))
    rows, cols = np.nonzero(labels == biggest)
    px = 400.0 / 256
    found = m.fov_to_specimen((cols.mean() + 0.5) * px, (rows.mean() + 0.5) * px)
    assert np.hypot(found[0] - cx, found[1] - cy) < 3.0

    go(m, found, fov_nm=8.0, pixels=256)
    high = m.acquire_image().data
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(high - high.mean())))
    freq = np.fft.fftshift(np.fft.fftfreq(256, 8.0 / 256))
    fy, fx = np.meshgrid(freq, freq, indexing="ij")
    k = np.hypot(fx, fy)
    ring = (k > 1 / 0.22) & (k < 1 / 0.19)  # the {200} fringes of fcc Au at a/2 = 0.204 nm
    background = (k > 1 / 0.30) & (k < 1 / 0.25)
    assert spectrum[ring].max() > 5 * np.median(spectrum[background])


def test_low_dose_below_the_critical_dose_leaves_the_atoms_alone():
    m = quiet("graphene", seed=6)
    go(m, clear_spot(m.specimen, 10.0), fov_nm=2.0, pixels=64)
    box = (*m.fov_to_specimen(0.0, 0.0), *m.fov_to_specimen(2.0, 2.0))
    before = len(m.ground_truth_atoms(*box))
    m.acquire_image()
    assert len(m.ground_truth_atoms(*box)) == before


@pytest.mark.parametrize("name", ["graphene", "mos2", "srtio3", "gold_nanoparticles", "grain_boundary"])
def test_default_settings_give_a_frame_with_clear_structure(name):
    m = Microscope(name, seed=0)
    frame = m.acquire_image()
    data = frame.data
    assert data.dtype == np.float32 and data.shape == (frame.pixels, frame.pixels)
    assert frame.dose_e_per_A2 < m.specimen.critical_dose_e_per_A2
    assert data.mean() > 0.15  # absolute counts: a beam-sensitive monolayer at its default dose gives few
    smooth = data.reshape(data.shape[0] // 4, 4, -1, 4).mean(axis=(1, 3))
    assert smooth.std() > 0.1 * smooth.mean()


def test_bright_field_is_bright_in_vacuum_and_dark_on_thick_gold():
    m = quiet("gold_nanoparticles", seed=1)
    particle = max(m.specimen.particles, key=lambda p: p.radius_nm)
    go(m, particle.center_nm, fov_nm=4 * particle.radius_nm, pixels=64)
    bf = m.acquire_image("BF").data
    haadf = m.acquire_image("HAADF").data
    centre = (slice(28, 36), slice(28, 36))
    corner = (slice(0, 6), slice(0, 6))
    assert bf[centre].mean() < 0.5 * bf[corner].mean()
    assert haadf[centre].mean() > 3 * haadf[corner].mean()


def test_drift_shears_a_frame_and_moves_the_next_one():
    m = Microscope("gold_nanoparticles", seed=2, noise=False, drift_nm_per_s=0.0)
    go(m, m.specimen.particles[0].center_nm, fov_nm=60.0, pixels=128)
    m.set_scan(dwell_us=20.0)
    still = m.acquire_image().data
    m.inject_fault("drift", drift_nm_per_s=10.0)
    m.acquire_image()
    moved = m.acquire_image().data
    shift = np.unravel_index(
        np.argmax(np.abs(np.fft.ifft2(np.fft.fft2(still) * np.conj(np.fft.fft2(moved))))), still.shape
    )
    assert shift != (0, 0)


def test_tilting_the_stage_foreshortens_the_image_along_the_tilt_direction():
    m = quiet("gold_nanoparticles", seed=1)
    particle = max(m.specimen.particles, key=lambda p: p.radius_nm)
    go(m, particle.center_nm, fov_nm=3 * particle.radius_nm, pixels=128)
    m.move_stage(alpha_deg=30.0)
    data = m.acquire_image().data
    labels, n = ndimage.label(data > 0.3 * data.max())
    biggest = 1 + int(np.argmax(ndimage.sum_labels(np.ones_like(data), labels, index=np.arange(1, n + 1))))
    rows, cols = np.nonzero(labels == biggest)
    assert np.ptp(cols) / np.ptp(rows) == pytest.approx(np.cos(np.radians(30.0)), abs=0.04)


def test_astigmatism_and_coma_blur_an_atomic_image():
    m = quiet("srtio3", seed=0)
    go(m, clear_spot(m.specimen, 20.0), fov_nm=3.0, pixels=128)
    sharp = sharpness(m.acquire_image().data)
    m.set_optics(astig_nm=8.0, astig_angle_deg=30.0)
    astigmatic = sharpness(m.acquire_image().data)
    m.set_optics(astig_nm=0.0, coma_nm=600.0)
    comatic = sharpness(m.acquire_image().data)
    assert astigmatic < 0.7 * sharp and comatic < 0.9 * sharp


@pytest.mark.parametrize("name", ["graphene", "mos2", "srtio3", "gold_nanoparticles"])
def test_mean_haadf_signal_does_not_jump_where_atoms_give_way_to_the_density_map(name):
    m = quiet(name, seed=0)
    go(m, clear_spot(m.specimen, 40.0), fov_nm=9.0, pixels=100)  # 0.09 nm pixels: atoms
    atomic = m.acquire_image().data.mean()
    m.set_scan(fov_nm=11.0)  # 0.11 nm pixels: density map
    density = m.acquire_image().data.mean()
    assert density == pytest.approx(atomic, rel=0.1)
