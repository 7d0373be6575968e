"""Settings are validated at the boundary; a rejected call raises a typed error and changes nothing."""

from __future__ import annotations

import math

import pytest

from copilot.twin import STEM_SPECIMENS, Microscope
from copilot.twin.errors import (
    BeamBlankedError,
    InvalidSettingError,
    ScanAbortedError,
    SpecimenError,
    StageLimitError,
    TwinError,
)


@pytest.fixture
def m() -> Microscope:
    return Microscope("graphene", seed=1, noise=False)


BAD_CALLS = [
    ("set_beam", {"energy_kv": 50.0}),
    ("set_beam", {"energy_kv": math.nan}),
    ("set_beam", {"current_pa": math.inf}),
    ("set_beam", {"current_pa": "50"}),
    ("set_beam", {"energy_kv": True}),
    ("set_beam", {"blanked": "yes"}),
    ("set_beam", {"blanked": 1}),
    ("set_optics", {"defocus_nm": -1e9}),
    ("set_optics", {"convergence_mrad": 0.0}),
    ("set_optics", {"astig_nm": -1.0}),
    ("set_optics", {"cs_um": None, "coma_nm": math.nan}),
    ("set_scan", {"fov_nm": 0.1}),
    ("set_scan", {"fov_nm": 30000.0}),
    ("set_scan", {"pixels": 100.5}),
    ("set_scan", {"pixels": 8}),
    ("set_scan", {"pixels": 8192}),
    ("set_scan", {"dwell_us": -1.0}),
    ("set_scan", {"fov_nm": 10.0, "dwell_us": math.nan}),
    ("move_stage", {"x_um": 100.0}),
    ("move_stage", {"alpha_deg": 80.0}),
    ("move_stage", {"z_um": "1"}),
    ("move_stage", {"x_um": 9.0, "y_um": 0.0, "relative": "no"}),
]


@pytest.mark.parametrize(("method", "kwargs"), BAD_CALLS)
def test_a_rejected_setting_raises_a_typed_error_and_leaves_the_state_unchanged(m, method, kwargs):
    before = m.snapshot()
    with pytest.raises(InvalidSettingError) as info:
        getattr(m, method)(**kwargs)
    assert isinstance(info.value, TwinError) and isinstance(info.value, ValueError)
    assert str(info.value)  # says what was wrong
    assert m.snapshot() == before


def test_a_relative_stage_move_past_the_limit_raises_stage_limit_error(m):
    m.move_stage(x_um=9.0)
    with pytest.raises(StageLimitError):
        m.move_stage(x_um=2.0, relative=True)
    assert m.state.stage.x_um == 9.0
    m.move_stage(x_um=-1.5, relative=True)
    assert m.state.stage.x_um == pytest.approx(7.5)


def test_an_unknown_specimen_raises_specimen_error():
    with pytest.raises(SpecimenError):
        Microscope("unobtainium")


def test_every_listed_specimen_loads_with_its_ground_truth():
    for name, description in STEM_SPECIMENS.items():
        m = Microscope(name, seed=0)
        spec = m.specimen
        assert spec.name == name and spec.description == description
        assert spec.critical_dose_e_per_A2 > 0 and spec.lattice
        assert spec.features
        assert math.isfinite(spec.height_nm(100.0, -200.0))
        assert spec.half_extent_nm >= 1000.0


def test_snapshot_carries_every_setting_with_units_in_the_keys(m):
    snap = m.snapshot()
    assert set(snap) >= {"beam", "optics", "scan", "stage", "clock_s"}
    assert set(snap["beam"]) == {"energy_kv", "current_pa", "blanked"}
    assert {"fov_nm", "pixels", "dwell_us", "rotation_deg", "pixel_size_nm", "frame_time_s"} <= set(snap["scan"])
    assert {"defocus_nm", "astig_nm", "astig_angle_deg", "coma_nm", "cs_um", "convergence_mrad"} <= set(snap["optics"])


def test_setters_return_the_new_snapshot(m):
    assert m.set_beam(energy_kv=200.0, current_pa=20.0)["beam"]["energy_kv"] == 200.0
    assert m.set_scan(fov_nm=12.0, pixels=64)["scan"]["pixel_size_nm"] == pytest.approx(12.0 / 64)
    assert m.set_optics(astig_nm=3.0, astig_angle_deg=45.0)["optics"]["astig_nm"] == 3.0
    assert m.move_stage(z_um=0.5)["stage"]["z_um"] == 0.5


def test_a_blanked_beam_rejects_acquisition_without_spending_time_or_dose(m):
    m.set_beam(blanked=True)
    before = (m.snapshot(), len(m.ledger.exposures))
    with pytest.raises(BeamBlankedError):
        m.acquire_image()
    with pytest.raises(BeamBlankedError):
        m.acquire_spectrum("EELS", 1.0, 1.0)
    assert (m.snapshot(), len(m.ledger.exposures)) == before


def test_an_injected_scan_abort_fails_the_next_acquisition_once_and_changes_nothing(m):
    m.set_scan(pixels=32)
    m.inject_fault("scan_abort")
    before = (m.snapshot(), len(m.ledger.exposures))
    with pytest.raises(ScanAbortedError):
        m.acquire_image()
    assert (m.snapshot(), len(m.ledger.exposures)) == before
    frame = m.acquire_image()
    assert frame.data.shape == (32, 32)


def test_the_beam_blank_and_drift_faults_change_the_instrument(m):
    m.inject_fault("beam_blank")
    assert m.state.beam.blanked
    m.inject_fault("drift", drift_nm_per_s=12.0)
    assert m.ground_truth_drift_nm_per_s() == 12.0
    with pytest.raises(InvalidSettingError):
        m.inject_fault("meteor")
    with pytest.raises(InvalidSettingError):
        m.inject_fault("drift", drift_nm_per_s=-1.0)


def test_planned_dose_is_exact_and_matches_the_frame():
    m = Microscope("graphene", seed=0, noise=False)
    m.set_beam(current_pa=50.0)
    m.set_scan(fov_nm=6.4, pixels=64, dwell_us=1.0)  # 0.1 nm pixels: 1 A^2
    expected = 50e-12 * 1e-6 / 1.602176634e-19
    assert m.planned_dose_e_per_A2() == pytest.approx(expected, rel=1e-12)
    frame = m.acquire_image()
    assert frame.dose_e_per_A2 == pytest.approx(expected, rel=1e-12)


def test_a_frame_takes_pixels_times_dwell_plus_flyback_on_the_instrument_clock(m):
    m.set_scan(pixels=64, dwell_us=2.0, flyback_us=100.0)
    t0 = m.state.clock_s
    frame = m.acquire_image()
    expected = (64 * 64 * 2.0 + 64 * 100.0) * 1e-6
    assert frame.frame_time_s == pytest.approx(expected)
    assert frame.started_s == t0
    assert m.state.clock_s == pytest.approx(t0 + expected)


def test_fov_and_specimen_coordinates_are_inverse_with_scan_rotation(m):
    m.move_stage(x_um=0.2, y_um=-0.1)
    m.set_scan(fov_nm=50.0, rotation_deg=30.0)
    sx, sy = m.fov_to_specimen(10.0, 40.0)
    assert m.specimen_to_fov(sx, sy) == pytest.approx((10.0, 40.0))
    assert m.fov_to_specimen(25.0, 25.0) == pytest.approx((200.0, -100.0))


def test_the_highest_prior_dose_in_a_region_counts_only_exposures_that_touched_it():
    m = Microscope("graphene", seed=0, noise=False, drift_nm_per_s=0.0)
    m.set_scan(fov_nm=100.0, pixels=64)
    assert m.max_dose_in_region(0.0, 0.0, 100.0, 100.0) == 0.0
    m.set_scan(fov_nm=5.0, pixels=64)
    frame = m.acquire_image()
    m.set_scan(fov_nm=100.0)
    assert m.max_dose_in_region(45.0, 45.0, 10.0, 10.0) == pytest.approx(frame.dose_e_per_A2)
    assert m.max_dose_in_region(0.0, 0.0, 20.0, 20.0) == 0.0


def test_the_progress_callback_runs_from_zero_to_one(m):
    m.set_scan(pixels=32)
    seen: list[float] = []
    m.acquire_image(progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
