"""The feedback gains matter: too low lags (trace and retrace apart), too high rings, and a best setting lies
between, measured on the calibration grating against its trace/retrace mismatch."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.twin.afm import AFM
from copilot.twin.afm.feedback import damping_ratio, is_safe, sensor_noise_rms_nm, track
from copilot.twin.errors import TipCrashError

GAINS_I_PER_MS = (0.3, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0)


def _mismatch_nm(rate_hz: float, p_gain: float, gains: tuple[float, ...], pixels: int = 256) -> list[float]:
    """Rms of trace minus retrace height on the grating for each integral gain (same tip, same place)."""
    afm = AFM("afm_grating", seed=1310)
    afm.approach()
    afm.set_afm_scan(size_nm=1000.0, pixels=pixels, rate_hz=rate_hz)
    out = []
    for i_gain in gains:
        afm.set_feedback(p_gain=p_gain, i_gain=i_gain)
        frame = afm.acquire_afm_image(("height",))
        diff = frame.channels["height_trace"] - frame.channels["height_retrace"]
        out.append(float(np.sqrt(np.mean(diff**2))))
    return out


def test_every_gain_of_the_sweep_is_safe_and_the_loop_gets_less_damped_as_the_gain_rises():
    assert all(is_safe(0.5, i) for i in GAINS_I_PER_MS)
    damping = [damping_ratio(0.5, i) for i in GAINS_I_PER_MS[3:]]
    assert np.all(np.diff(damping) < 0)
    assert not is_safe(0.5, 20.0)


def test_a_gain_sweep_at_5_hz_finds_an_interior_minimum_of_the_trace_retrace_mismatch():
    rms = _mismatch_nm(5.0, 0.5, GAINS_I_PER_MS)
    best = int(np.argmin(rms))
    assert 0 < best < len(rms) - 1, rms
    assert rms[best] < 0.3 * rms[0] and rms[best] < 0.5 * rms[-1]


def test_at_1_hz_the_default_gains_sit_at_the_optimum_and_lagging_gains_do_not():
    rms = _mismatch_nm(1.0, 0.5, (0.1, 3.0, 12.0))
    assert rms[0] > 2.0  # nm: edges lag in opposite directions
    assert rms[1] < 0.1 < rms[2]


def test_low_gains_shift_the_retrace_against_the_trace_by_the_lag():
    afm = AFM("afm_grating", seed=1310)
    afm.approach()
    afm.set_afm_scan(size_nm=1000.0, pixels=256, rate_hz=5.0)
    shifts = []
    for i_gain in (0.3, 1.0, 5.0):
        afm.set_feedback(p_gain=0.5, i_gain=i_gain)
        ch = afm.acquire_afm_image(("height",)).channels
        trace = ch["height_trace"] - ch["height_trace"].mean(axis=1, keepdims=True)
        retrace = ch["height_retrace"] - ch["height_retrace"].mean(axis=1, keepdims=True)
        corr = [float(np.sum(trace[:, 20:-20] * np.roll(retrace, -k, axis=1)[:, 20:-20])) for k in range(-15, 16)]
        shifts.append(int(np.argmax(corr)) - 15)
    lags = [abs(k) for k in shifts]  # pixels between trace and retrace: each lags behind in its own direction
    assert lags[0] > lags[1] > lags[2] and lags[0] >= 5


def test_high_gains_ring_after_an_edge_while_the_default_gains_settle():
    step = np.zeros((1, 400))
    step[:, 50:] = 10.0
    pixel_time_ms = 0.05  # finely sampled: the loop's own time response
    tuned = track(step, pixel_time_ms, 0.5, 3.0).height_nm[0]
    hot = track(step, pixel_time_ms, 0.5, 12.0).height_nm[0]
    assert tuned.max() < 10.0 * 1.1
    assert hot.max() > 10.0 * 1.5
    swings = np.abs(hot[50:] - 10.0) > 0.5
    assert np.sum(np.diff(np.sign(hot[50:] - 10.0))[swings[1:]] != 0) >= 4  # oscillates around the new level


def test_higher_gains_up_to_the_default_pass_more_detection_noise_into_the_height():
    rng = np.random.default_rng(3)
    flat = np.zeros((64, 512))
    noise = rng.normal(0.0, sensor_noise_rms_nm(1.0), flat.shape)
    rms = [float(track(flat, 1.0, 0.5, i, noise).height_nm[:, 50:].std()) for i in (0.1, 1.0, 3.0)]
    assert rms[0] < rms[1] < rms[2]


def test_the_highest_sweep_gain_is_kept_and_a_gain_past_the_stability_limit_crashes_the_tip():
    afm = AFM("afm_grating", seed=1)
    afm.approach()
    afm.set_feedback(p_gain=0.5, i_gain=12.0)
    assert afm.state.feedback.i_gain == pytest.approx(12.0) and afm.state.engaged
    with pytest.raises(TipCrashError, match="oscillate"):
        afm.set_feedback(i_gain=30.0)
    assert afm.state.feedback.i_gain == pytest.approx(12.0) and not afm.state.engaged
