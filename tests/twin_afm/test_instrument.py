"""The AFM facade: engaging, validated settings that change nothing when rejected, crashes, tips, faults."""

from __future__ import annotations

import json

import numpy as np
import pytest

from copilot.twin.afm import AFM, AFM_SURFACES, AFMFrame
from copilot.twin.afm.tip import dilate
from copilot.twin.errors import (
    InvalidSettingError,
    ProbeEngagedError,
    ProbeNotEngagedError,
    SpecimenError,
    TipCrashError,
    TwinError,
)


def test_every_listed_surface_loads_and_images_every_channel_it_supports():
    for name in AFM_SURFACES:
        afm = AFM(name, seed=0)
        afm.approach()
        afm.set_afm_scan(pixels=64)
        channels = ["height", "error", "amplitude", "phase"]
        if name == "afm_ferroelectric":
            channels += ["piezo_amplitude", "piezo_phase"]
        frame = afm.acquire_afm_image(channels)
        assert sorted(frame.channels) == sorted(f"{c}_{d}" for c in channels for d in ("trace", "retrace"))
        assert all(a.dtype == np.float32 and a.shape == (64, 64) for a in frame.channels.values())
        assert frame.units["height_trace"] == "nm" and frame.units["phase_retrace"] == "deg"


def test_an_unknown_surface_is_a_specimen_error_naming_the_choices():
    with pytest.raises(SpecimenError, match="afm_steps"):
        AFM("graphene", seed=0)


def test_imaging_before_approach_is_refused_and_changes_nothing():
    afm = AFM("afm_steps", seed=0)
    before = afm.snapshot()
    with pytest.raises(ProbeNotEngagedError, match="approach"):
        afm.acquire_afm_image()
    with pytest.raises(ProbeNotEngagedError):
        afm.acquire_force_curve(10.0, 10.0)
    assert afm.snapshot() == before


@pytest.mark.parametrize(
    "call",
    [
        lambda a: a.set_afm_scan(size_nm=1e6),
        lambda a: a.set_afm_scan(pixels=100.5),
        lambda a: a.set_afm_scan(rate_hz=float("nan")),
        lambda a: a.set_afm_scan(size_nm=500.0, angle_deg=400.0),  # one bad value rejects the whole call
        lambda a: a.set_feedback(setpoint=25.0),
        lambda a: a.set_feedback(p_gain=-1.0),
        lambda a: a.acquire_afm_image(("height", "topography")),
        lambda a: a.acquire_afm_image(()),
        lambda a: a.acquire_afm_image(("piezo_phase",)),
        lambda a: a.acquire_force_curve(-5.0, 10.0),
        lambda a: a.inject_fault("earthquake"),
    ],
)
def test_a_rejected_call_raises_a_typed_error_and_changes_no_state(call):
    afm = AFM("afm_grating", seed=0)
    afm.approach()
    before = json.dumps(afm.snapshot(), sort_keys=True)
    with pytest.raises(TwinError) as info:
        call(afm)
    assert isinstance(info.value, InvalidSettingError | SpecimenError)
    assert json.dumps(afm.snapshot(), sort_keys=True) == before


def test_snapshot_is_json_friendly_with_units_in_the_keys():
    snap = AFM("afm_steps", seed=0).snapshot()
    json.dumps(snap)
    assert {"size_nm", "pixels", "rate_hz", "angle_deg", "x_um", "y_um"} <= set(snap["scan"])
    assert {"setpoint_nm", "p_gain", "i_gain_per_ms"} <= set(snap["feedback"])
    assert {"radius_nm", "half_angle_deg", "double_tip", "damaged", "scanned_distance_um"} <= set(snap["tip"])


def test_unsafe_gains_while_engaged_crash_the_tip_and_the_crash_is_recorded():
    afm = AFM("afm_steps", seed=0)
    afm.approach()
    sharp = afm.state.tip
    with pytest.raises(TipCrashError, match="oscillate"):
        afm.set_feedback(p_gain=0.5, i_gain=150.0)
    tip = afm.state.tip
    assert tip.damaged and tip.double_tip and tip.radius_nm > sharp.radius_nm + 20.0
    assert not afm.state.engaged  # the interlock withdrew the probe
    assert afm.state.feedback.i_gain == 3.0  # the unsafe gain was not kept
    log = afm.tip_state()["crash_log"]
    assert len(log) == 1 and log[0]["i_gain_per_ms"] == 3.0 and "oscillate" in log[0]["reason"]


def test_unsafe_settings_while_withdrawn_are_kept_with_a_warning_and_crash_on_approach():
    afm = AFM("afm_steps", seed=0)
    result = afm.set_feedback(setpoint=2.0)
    assert result["safe"] is False and "crash" in result["warning"]
    with pytest.raises(TipCrashError, match="setpoint"):
        afm.approach()
    assert afm.snapshot()["crashes"] == 1 and afm.state.tip.damaged


def test_a_tip_change_needs_a_withdrawn_probe_and_restores_a_sharp_tip():
    afm = AFM("afm_steps", seed=0)
    afm.set_feedback(setpoint=2.0)
    with pytest.raises(TipCrashError):
        afm.approach()
    afm.set_feedback(setpoint=14.0)
    afm.approach()
    with pytest.raises(ProbeEngagedError):
        afm.change_tip()
    afm.withdraw()
    clock = afm.state.clock_s
    afm.change_tip()
    tip = afm.state.tip
    assert not tip.damaged and not tip.double_tip and tip.radius_nm < 10.0 and tip.scanned_distance_um == 0.0
    assert afm.state.clock_s > clock
    assert len(afm.crash_log) == 1  # history survives the tip


def test_scanning_wears_the_tip_and_advances_the_clock_by_the_frame_time():
    afm = AFM("afm_grating", seed=0)
    afm.approach()
    afm.set_afm_scan(size_nm=2000.0, pixels=128, rate_hz=2.0)
    radius, clock = afm.state.tip.radius_nm, afm.state.clock_s
    frame = afm.acquire_afm_image()
    assert afm.state.clock_s == pytest.approx(clock + 64.0) and frame.frame_time_s == 64.0
    assert afm.state.tip.scanned_distance_um == pytest.approx(2 * 128 * 2.0)
    assert afm.state.tip.radius_nm > radius


@pytest.mark.parametrize("seed", [0, 1])
def test_an_injected_tip_change_leaves_ghost_features_until_the_tip_is_changed(seed):
    afm = AFM("afm_nanoparticles", seed=seed)

    def ghost_px(frame: AFMFrame) -> int:
        """Pixels more than 2 nm above what the single apex of the current tip would image."""
        tip = afm.state.tip
        single = dilate(frame.ground_truth["height_nm"], frame.pixel_size_nm, tip.radius_nm, tip.half_angle_deg)
        return int(np.sum(frame.channels["height_trace"] - single > 2.0))

    afm.approach()
    afm.set_afm_scan(size_nm=500.0, pixels=128)
    assert ghost_px(afm.acquire_afm_image()) == 0
    afm.inject_fault("tip_change")
    first = afm.acquire_afm_image()
    assert afm.state.tip.double_tip and "double tip" in first.events[0]
    assert ghost_px(afm.acquire_afm_image()) > 100
    assert ghost_px(afm.acquire_afm_image()) > 100  # the ghosts stay
    afm.withdraw()
    afm.change_tip()
    afm.approach()
    assert ghost_px(afm.acquire_afm_image()) == 0


def test_drift_moves_features_between_frames_and_a_drift_fault_moves_them_faster():
    def shift_px(afm: AFM) -> float:
        a = afm.acquire_afm_image().channels["height_trace"]
        b = afm.acquire_afm_image().channels["height_trace"]
        cross = np.fft.ifft2(np.fft.fft2(a - a.mean()) * np.conj(np.fft.fft2(b - b.mean()))).real
        i, j = np.unravel_index(np.argmax(cross), cross.shape)
        n = a.shape[0]
        return float(np.hypot((i + n // 2) % n - n // 2, (j + n // 2) % n - n // 2))

    normal = AFM("afm_nanoparticles", seed=1)
    normal.approach()
    normal.set_afm_scan(size_nm=400.0, pixels=128, rate_hz=0.5)
    faulty = AFM("afm_nanoparticles", seed=1)
    faulty.approach()
    faulty.set_afm_scan(size_nm=400.0, pixels=128, rate_hz=0.5)
    faulty.inject_fault("drift")
    assert shift_px(faulty) > shift_px(normal) + 3.0


def test_a_scan_centre_move_is_followed_by_creep_that_dies_away():
    afm = AFM("afm_steps", seed=0)
    before_x = afm.ground_truth_offset_nm()[0]
    afm.set_afm_scan(x_um=2.0)
    early_x = afm.ground_truth_offset_nm()[0]
    late_x, slightly_later_x = (afm.ground_truth_offset_nm(afm.state.clock_s + t)[0] for t in (600.0, 660.0))
    assert early_x - before_x < -200.0  # 12 % of a 2000 nm move still to come
    assert abs(slightly_later_x - late_x) < 5.0  # only the slow drift is left


def test_force_curve_shows_snap_in_and_the_adhesion_of_the_material_under_the_tip():
    afm = AFM("afm_polymer_blend", seed=2)
    afm.approach()
    afm.set_afm_scan(size_nm=2000.0, pixels=128)
    truth = afm.acquire_afm_image(("phase",)).ground_truth["domain_mask"]
    (i_soft, j_soft) = np.argwhere(truth)[len(np.argwhere(truth)) // 2]
    (i_hard, j_hard) = np.argwhere(~truth)[len(np.argwhere(~truth)) // 2]
    px = afm.state.scan.pixel_size_nm
    soft = afm.acquire_force_curve((j_soft + 0.5) * px, (i_soft + 0.5) * px)
    hard = afm.acquire_force_curve((j_hard + 0.5) * px, (i_hard + 0.5) * px)
    radius_m = afm.state.tip.radius_nm * 1e-9
    assert soft.adhesion_nN == pytest.approx(2 * np.pi * radius_m * 0.09 * 1e9, rel=0.15)
    assert hard.adhesion_nN < soft.adhesion_nN
    assert 0.2 < soft.snap_in_nm < 2.0
    # Hysteresis: between snap-in and pull-off the retracting tip is still held by adhesion, the approaching one
    # is not yet in contact.
    between = (soft.z_nm > soft.snap_in_nm + 0.2) & (soft.z_nm < soft.adhesion_nN / 2.8 - 0.2)
    assert between.any()
    assert np.all(soft.force_retract_nN[between] < soft.force_approach_nN[between] - 1.0)
    assert soft.force_approach_nN[-1] < hard.force_approach_nN[-1]  # a soft domain pushes back less
