"""HAADF and BF follow the beam energy, the detector geometry, the aberrations and the partial coherence."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from copilot.twin import Microscope
from copilot.twin.bright_field import vacuum_fraction
from copilot.twin.column import Column
from copilot.twin.errors import InvalidSettingError
from copilot.twin.probe import Aberrations, probe_intensity
from copilot.twin.scattering import annular_cross_section_nm2
from tests.twin.helpers import clear_spot, go


def _graphene(kv: float = 80.0, column: Column | None = None) -> Microscope:
    m = Microscope("graphene", seed=3, noise=False, drift_nm_per_s=0.0, column=column or Column.coherent())
    m.set_beam(energy_kv=kv)
    m.set_optics(convergence_mrad=30.0)
    go(m, clear_spot(m.specimen, 10.0), fov_nm=2.0, pixels=128)
    return m


def _fraction(m: Microscope, detector: str) -> np.ndarray:
    """A noise-free frame as a fraction of the beam."""
    frame = m.acquire_image(detector)
    from copilot.twin.dose import electrons

    n = electrons(m.state.beam.current_pa, m.state.scan.dwell_us * 1e-6) * m.state.detectors.dqe
    return frame.data / n


def test_haadf_signal_falls_about_four_and_a_half_times_from_80_to_200_kv():
    low, high = _fraction(_graphene(80.0), "HAADF").mean(), _fraction(_graphene(200.0), "HAADF").mean()
    assert low / high == pytest.approx(4.5, rel=0.15)


def test_the_single_atom_cross_section_falls_with_the_inner_detector_angle_and_rises_with_z():
    carbon = [annular_cross_section_nm2("C", 200.0, inner, 250.0) for inner in (40.0, 60.0, 80.0, 120.0)]
    assert all(a > b for a, b in itertools.pairwise(carbon))
    ratio = annular_cross_section_nm2("Mo", 200.0, 80.0, 250.0) / annular_cross_section_nm2("S", 200.0, 80.0, 250.0)
    assert 3.0 < ratio < (42 / 16) ** 2  # between Z^1.2 and Z^2, as measured for HAADF


def test_a_wider_haadf_annulus_collects_more_and_the_detector_setting_is_read():
    """50-250 against 80-250 mrad over graphene: the gain multislice gives (the reference run's rings; the
    kinematic single-atom ratio underestimates it, since neighbouring atoms add coherently at low angles)."""
    with pytest.raises(InvalidSettingError):
        _graphene().set_detectors(haadf_inner_mrad=260.0)
    base = _fraction(_graphene(), "HAADF").mean()
    m = _graphene()
    m.set_detectors(haadf_inner_mrad=50.0)
    wide = _fraction(m, "HAADF").mean()
    reference = json.loads((Path(__file__).parent / "data" / "abtem_reference.json").read_text())
    run = next(r for r in reference["runs"] if r["specimen"] == "graphene" and r["energy_kv"] == 80.0)
    edges, site = run["rings_mrad"], run["sites"].index("C")
    ring = run["rings"][0][site]
    expected = sum(ring[edges.index(50) : edges.index(250)]) / sum(ring[edges.index(80) : edges.index(250)])
    kinematic = annular_cross_section_nm2("C", 80.0, 50.0, 250.0) / annular_cross_section_nm2("C", 80.0, 80.0, 250.0)
    assert expected > kinematic
    assert wide / base == pytest.approx(expected, rel=0.1)


def test_bright_field_collects_the_detector_share_of_the_probe_cone():
    assert vacuum_fraction(80.0, 0.030, 0.010) == pytest.approx((10 / 30) ** 2, rel=0.03)
    assert vacuum_fraction(80.0, 0.030, 0.040) == pytest.approx(1.0, rel=0.01)
    m = Microscope("graphene", seed=1, noise=False, drift_nm_per_s=0.0)
    hole = m.specimen.holes[0]
    go(m, hole.center_nm, fov_nm=0.5 * hole.radius_nm, pixels=32)
    assert _fraction(m, "BF").mean() == pytest.approx(vacuum_fraction(80.0, 0.030, 0.010), rel=1e-3)


def _atom_contrast(m: Microscope, detector: str = "BF") -> float:
    """Signal at the carbon atoms minus the mean of the frame, over the mean."""
    image = _fraction(m, detector)
    x0, y0 = m.fov_to_specimen(0.3, 0.3)
    x1, y1 = m.fov_to_specimen(1.7, 1.7)
    atoms = m.ground_truth_atoms(x0, y0, x1, y1)
    cols, rows = m.specimen_to_fov(atoms.xy_nm[:, 0], atoms.xy_nm[:, 1])
    px = 2.0 / 128
    on = image[(np.asarray(rows) / px).astype(int), (np.asarray(cols) / px).astype(int)].mean()
    return float(on / image.mean() - 1.0)


def test_bright_field_atom_contrast_reverses_through_focus():
    m = _graphene()
    focus = m.true_focus_defocus_nm()
    contrast = {}
    for dz in (-6.0, 0.0, 6.0):
        m.set_optics(defocus_nm=focus + dz)
        contrast[dz] = _atom_contrast(m)
    assert contrast[-6.0] * contrast[6.0] < 0  # bright atoms on one side of focus, dark on the other
    assert max(abs(c) for c in contrast.values()) > 0.01


def test_haadf_has_no_contrast_reversal_atoms_stay_bright_through_focus():
    m = _graphene()
    focus = m.true_focus_defocus_nm()
    for dz in (-6.0, 0.0, 6.0):
        m.set_optics(defocus_nm=focus + dz)
        assert _atom_contrast(m, "HAADF") > 0.05


def _through_focus_width_nm(focal_spread_nm: float) -> float:
    """Defocus range over which the probe peak stays above half its in-focus value."""
    defoci = np.linspace(-20.0, 20.0, 41)
    peaks = []
    for c1 in defoci:
        ab = Aberrations(float(c1), 0.0, 0.0, 0.0, 0.0, 1000.0)
        peaks.append(probe_intensity(ab, 80.0, 0.030, 0.005, 256, focal_spread_nm).max())
    p = np.array(peaks) / max(peaks)
    return float(np.ptp(defoci[p >= 0.5]))


def test_chromatic_focal_spread_widens_the_through_focus_response_and_lowers_the_peak():
    coherent, spread = _through_focus_width_nm(0.0), _through_focus_width_nm(Column().focal_spread_nm(80.0))
    assert spread > 1.2 * coherent
    ab = Aberrations(0.0, 0.0, 0.0, 0.0, 0.0, 1000.0)
    sharp = probe_intensity(ab, 80.0, 0.030, 0.005, 256).max()
    assert probe_intensity(ab, 80.0, 0.030, 0.005, 256, 2.8).max() < 0.95 * sharp


def test_partial_coherence_lowers_the_atomic_peaks_of_a_haadf_frame():
    coherent = _fraction(_graphene(column=Column.coherent()), "HAADF")
    partial = _fraction(_graphene(column=replace(Column.coherent(), cc_mm=1.6, energy_spread_eV=0.33)), "HAADF")
    assert partial.mean() == pytest.approx(coherent.mean(), rel=0.02)  # the scattered fraction is the same
    assert partial.max() < 0.95 * coherent.max()  # spread over a wider probe


def test_the_status_shows_settings_only_never_the_intrinsic_aberrations_or_the_drift():
    m = Microscope("srtio3", seed=5, drift_nm_per_s=0.7)
    snap = m.snapshot()
    assert "drift_nm_per_s" not in snap
    residual = m.ground_truth_aberrations()
    assert residual["astig_nm"] < 0.05 and residual["coma_nm"] < 0.5  # starts aligned
    m.set_optics(astig_nm=0.0, coma_nm=0.0)
    exposed = m.ground_truth_aberrations()
    assert exposed["astig_nm"] == pytest.approx(m.column.astig_nm, rel=1e-6)
    assert exposed["coma_nm"] == pytest.approx(m.column.coma_nm, rel=1e-6)
    text = repr(m.snapshot())
    for hidden in (m.column.astig_nm, m.column.coma_nm, m.column.defocus_offset_nm, 0.7):
        assert f"{hidden:.4f}" not in text and repr(hidden) not in text
    assert m.ground_truth_drift_nm_per_s() == 0.7


def test_zero_stigmator_is_not_stigmated_the_setting_that_cancels_the_hidden_astigmatism_is():
    m = Microscope("srtio3", seed=2, noise=False, drift_nm_per_s=0.0)
    go(m, clear_spot(m.specimen, 20.0), fov_nm=3.0, pixels=128)
    from copilot.twin.autofocus import sharpness

    aligned = sharpness(m.acquire_image().data)
    m.set_optics(astig_nm=0.0)
    assert sharpness(m.acquire_image().data) < 0.8 * aligned
    a1, angle = m.column.compensating_astig()
    m.set_optics(astig_nm=a1, astig_angle_deg=angle)
    assert sharpness(m.acquire_image().data) == pytest.approx(aligned, rel=0.02)


def test_a_gold_particle_is_brightest_where_it_is_thickest_not_a_flat_disc():
    m = Microscope("gold_nanoparticles", seed=1, noise=False, drift_nm_per_s=0.0)
    particle = max(m.specimen.particles, key=lambda p: p.radius_nm)
    go(m, particle.center_nm, fov_nm=4 * particle.radius_nm, pixels=128)
    haadf = _fraction(m, "HAADF")
    px = 4 * particle.radius_nm / 128
    centre = haadf[60:68, 60:68].mean()
    rim = haadf[64, 64 + int(0.9 * particle.radius_nm / px)]  # 0.44 of the central thickness
    assert centre > 1.15 * rim  # thicker is brighter, sublinearly: thick Au columns saturate (multislice)
    assert rim > 3 * haadf[:6, :6].mean()
