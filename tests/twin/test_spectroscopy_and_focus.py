"""Spectra show the elements under the probe with counts that follow dose; autofocus finds the hidden height."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.twin import Microscope
from copilot.twin.errors import InvalidSettingError
from tests.twin.helpers import clear_spot, go, quiet


def _jump(energy: np.ndarray, counts: np.ndarray, onset_eV: float) -> float:
    """Counts just above an edge onset over counts just below it."""
    above = counts[(energy > onset_eV + 5) & (energy < onset_eV + 25)].mean()
    below = counts[(energy > onset_eV - 25) & (energy < onset_eV - 5)].mean()
    return float(above / below)


def _srtio3_on_a_ti_column() -> tuple[Microscope, tuple[float, float]]:
    m = quiet("srtio3", seed=0)
    go(m, clear_spot(m.specimen, 20.0), fov_nm=2.0, pixels=64)
    x0, y0 = m.fov_to_specimen(0.5, 0.5)
    atoms = m.ground_truth_atoms(x0, y0, x0 + 1.0, y0 + 1.0)
    ti = atoms.xy_nm[atoms.elements == "Ti"][0]
    return m, m.specimen_to_fov(ti[0], ti[1])


def test_eels_of_srtio3_shows_ti_l_and_o_k_edges_and_no_gold():
    m, (x, y) = _srtio3_on_a_ti_column()
    s = m.acquire_spectrum("EELS", x, y, dwell_ms=50.0)
    assert s.kind == "EELS" and s.counts.shape == s.energy_eV.shape
    assert _jump(s.energy_eV, s.counts, 456.0) > 1.3
    assert _jump(s.energy_eV, s.counts, 532.0) > 1.3
    assert _jump(s.energy_eV, s.counts, 2206.0) < 1.02
    zero_loss = s.counts[np.abs(s.energy_eV) < 2].sum()
    assert zero_loss > s.counts[s.energy_eV > 10].sum() * 0.5  # a thin area: mostly unscattered electrons


def test_eds_on_a_gold_particle_shows_the_au_m_line_and_on_the_support_only_carbon():
    m = quiet("gold_nanoparticles", seed=1)
    particle = max(m.specimen.particles, key=lambda p: p.radius_nm)
    go(m, particle.center_nm, fov_nm=4 * particle.radius_nm, pixels=64)
    centre = 2 * particle.radius_nm
    on = m.acquire_spectrum("EDS", centre, centre, dwell_ms=10000.0)
    off = m.acquire_spectrum("EDS", 1.0, 1.0, dwell_ms=10000.0)
    au = (on.energy_eV > 2050) & (on.energy_eV < 2200)
    carbon = (on.energy_eV > 230) & (on.energy_eV < 330)
    assert on.counts[au].sum() > 20 * max(off.counts[au].sum(), 1.0)
    assert off.counts[carbon].sum() > 0


def test_a_100_ms_eds_spot_on_a_monolayer_records_only_a_few_x_rays():
    m = quiet("mos2", seed=0)  # 10 pA at 80 kV: 6e6 electrons, ~1e-8 detected X-rays per electron
    s = m.acquire_spectrum("EDS", 4.0, 4.0, dwell_ms=100.0)
    assert 0.01 < s.counts.sum() < 20


def test_thin_film_eds_lines_stand_far_above_the_bremsstrahlung():
    m = quiet("mos2", seed=0)
    m.set_beam(current_pa=1000.0)
    s = m.acquire_spectrum("EDS", 4.0, 4.0, dwell_ms=60000.0)
    e, c = s.energy_eV, s.counts
    peak = c[(e > 2200) & (e < 2400)].sum()
    continuum = c[((e > 2700) & (e < 2800)) | ((e > 1900) & (e < 2000))].sum()  # 200 eV of continuum nearby
    assert peak > 5 * continuum  # equal 200 eV windows: a thin-film peak-to-background of ~15 over one FWHM
    assert c[(e > 17300) & (e < 17650)].sum() > 5 * c[(e > 16800) & (e < 17150)].sum()  # Mo Ka at 17.5 keV


def test_a_probe_on_a_sr_column_of_a_thick_crystal_also_excites_its_ti_and_o_neighbours():
    m = quiet("srtio3", seed=0)
    m.set_scan(fov_nm=8.0, pixels=256)
    m.set_beam(current_pa=200.0)
    s = m.acquire_spectrum("EDS", 4.0, 4.0, dwell_ms=30000.0)
    e, c = s.energy_eV, s.counts
    assert c[(e > 4400) & (e < 4620)].sum() > 3 * c[(e > 3900) & (e < 4120)].sum()  # Ti Ka
    assert c[(e > 480) & (e < 570)].sum() > 2 * c[(e > 700) & (e < 790)].sum()  # O Ka


def test_spectrum_counts_follow_the_dose():
    m, (x, y) = _srtio3_on_a_ti_column()
    short = m.acquire_spectrum("EELS", x, y, dwell_ms=10.0)
    long = m.acquire_spectrum("EELS", x, y, dwell_ms=20.0)
    assert long.dose_e_per_A2 == pytest.approx(2 * short.dose_e_per_A2)
    assert long.counts.sum() == pytest.approx(2 * short.counts.sum(), rel=0.01)
    assert long.live_time_s == pytest.approx(0.02)


def test_a_spot_spectrum_costs_instrument_time_and_dose():
    m, (x, y) = _srtio3_on_a_ti_column()
    t0 = m.state.clock_s
    s = m.acquire_spectrum("EDS", x, y, dwell_ms=200.0)
    assert m.state.clock_s == pytest.approx(t0 + 0.2)
    assert m.dose_map(cells=100).data.max() > 0
    assert s.dose_e_per_A2 > 1e6  # a parked probe concentrates the dose


def test_line_spectra_and_spectrum_images_have_the_requested_shapes():
    m, _ = _srtio3_on_a_ti_column()
    line = m.acquire_line_spectrum("EELS", 0.2, 0.2, 1.8, 1.0, points=12, dwell_ms=5.0)
    assert line.counts.shape == (1, 12, len(line.energy_eV))
    si = m.acquire_spectrum_image("EDS", 0.5, 0.5, 1.0, 0.5, pixels=8, dwell_ms=5.0)
    assert si.counts.shape == (4, 8, len(si.energy_eV))
    assert si.region["width_nm"] == 1.0


def test_a_ti_map_across_srtio3_resolves_the_ti_o_columns():
    m, _ = _srtio3_on_a_ti_column()
    si = m.acquire_spectrum_image("EELS", 0.0, 0.0, 1.56, 1.56, pixels=16, dwell_ms=5.0)
    e = si.energy_eV
    pre = si.counts[:, :, (e > 430) & (e < 450)].sum(axis=2) * (440.0 / 470.0) ** 3  # power-law background
    ti = si.counts[:, :, (e > 460) & (e < 480)].sum(axis=2) - pre
    assert ti.max() > 1.2 * ti.min()  # beam broadening in ~30 nm of crystal mixes in neighbouring columns


@pytest.mark.parametrize(
    ("kind", "x", "y", "dwell"),
    [("XPS", 1.0, 1.0, 10.0), ("EELS", -1.0, 1.0, 10.0), ("EELS", 1.0, float("nan"), 10.0), ("EDS", 1.0, 1.0, 0.0)],
)
def test_rejected_spectrum_requests_change_nothing(kind, x, y, dwell):
    m, _ = _srtio3_on_a_ti_column()
    before = (m.snapshot(), len(m.ledger.exposures))
    with pytest.raises(InvalidSettingError):
        m.acquire_spectrum(kind, x, y, dwell_ms=dwell)
    assert (m.snapshot(), len(m.ledger.exposures)) == before


def test_autofocus_finds_the_hidden_height_and_spends_dose_and_time():
    m = Microscope("graphene", seed=8, drift_nm_per_s=0.0)
    go(m, clear_spot(m.specimen, 20.0), fov_nm=4.0, pixels=128)
    m.set_beam(current_pa=400.0)
    m.set_scan(dwell_us=8.0)
    truth = m.true_focus_defocus_nm()
    m.set_optics(defocus_nm=truth + 14.0)
    t0 = m.state.clock_s
    planned = m.planned_autofocus_dose_e_per_A2(steps=21, pixels=64)
    result = m.autofocus(range_nm=40.0, steps=21, pixels=64)
    assert result.dose_e_per_A2 == pytest.approx(planned, rel=1e-12)
    assert result.success, result.message
    # With C3 = 1 um the sharpest HAADF frame lies about 1 nm under the true focus, and the noise of a 64 px
    # series spreads the pick by about 1 nm rms over seeds: within 3 nm, two thirds of the 4.6 nm depth of field.
    assert result.defocus_nm == pytest.approx(truth, abs=3.0)
    assert m.state.optics.defocus_nm == result.defocus_nm
    assert len(result.metric_by_defocus) == 21
    assert result.dose_e_per_A2 > 0 and result.time_s > 0
    assert m.state.clock_s == pytest.approx(t0 + result.time_s)


def test_autofocus_over_a_hole_fails_and_restores_the_defocus():
    m = Microscope("graphene", seed=8)
    hole = max(m.specimen.holes, key=lambda h: h.radius_nm)
    go(m, hole.center_nm, fov_nm=min(hole.radius_nm, 50.0), pixels=64)
    start = m.state.optics.defocus_nm
    result = m.autofocus(range_nm=40.0, steps=9, pixels=64)
    assert not result.success and result.message
    assert m.state.optics.defocus_nm == start


def test_the_planned_spot_dose_is_the_dose_the_spectrum_delivers():
    m, (x, y) = _srtio3_on_a_ti_column()
    planned = m.planned_spot_dose_e_per_A2(30.0)
    assert m.acquire_spectrum("EELS", x, y, dwell_ms=30.0).dose_e_per_A2 == pytest.approx(planned, rel=1e-12)
    assert m.max_dose_in_region(x - 0.02, y - 0.02, 0.04, 0.04) == pytest.approx(planned, rel=1e-9)


def test_a_long_dwell_on_one_spot_grows_contamination_that_brightens_the_area():
    m = quiet("graphene", seed=9)
    go(m, clear_spot(m.specimen, 30.0), fov_nm=20.0, pixels=64)
    m.set_beam(current_pa=5.0)  # keep the dose low: only contamination should change the picture
    m.set_scan(dwell_us=20.0)
    before = m.acquire_image().data
    m.acquire_spectrum("EELS", 10.0, 10.0, dwell_ms=20000.0)
    after = m.acquire_image().data
    centre, edge = (slice(30, 34), slice(30, 34)), (slice(0, 8), slice(0, 8))
    assert after[centre].mean() > 1.5 * before[centre].mean()
    assert after[edge].mean() == pytest.approx(before[edge].mean(), rel=0.2)


def test_contamination_grown_over_a_mapped_area_shows_when_zooming_into_it():
    m = quiet("graphene", seed=9)
    go(m, clear_spot(m.specimen, 30.0), fov_nm=10.0, pixels=64)
    m.set_scan(fov_nm=2.0)
    clean = m.acquire_image().data.mean()
    m.set_scan(fov_nm=10.0)
    m.acquire_spectrum_image("EELS", 0.0, 0.0, 10.0, 10.0, pixels=4, dwell_ms=30000.0)  # 8 minutes on 100 nm^2
    m.set_scan(fov_nm=2.0)
    assert m.acquire_image().data.mean() > 1.5 * clean
