"""Physical invariants of AFM images: step height, tip resolution, feedback tracking, ground truth, determinism."""

from __future__ import annotations

import math
from typing import Any, TypeVar

import numpy as np
import pytest

from copilot.twin.afm import AFM
from copilot.twin.afm.surfaces_domains import FerroelectricDomains, PolymerBlend
from copilot.twin.afm.surfaces_topo import AtomicSteps, CalibrationGrating, Nanoparticles, Particle
from copilot.twin.errors import TipCrashError

S = TypeVar("S")


def engaged(surface: str, seed: int = 0, **scan: Any) -> AFM:
    afm = AFM(surface, seed=seed)
    afm.approach()
    if scan:
        afm.set_afm_scan(**scan)
    return afm


def truth_of(afm: AFM, kind: type[S]) -> S:
    """The loaded surface (ground truth), narrowed to the expected kind."""
    assert isinstance(afm.surface, kind)
    return afm.surface


@pytest.mark.parametrize("seed", [0, 3])
def test_a_plane_plus_staircase_fit_on_the_true_terraces_recovers_the_step_height_within_5_percent(seed):
    afm = engaged("afm_steps", seed=seed, size_nm=1000.0, pixels=256)
    frame = afm.acquire_afm_image(("height",))
    height = frame.channels["height_trace"].astype(np.float64)
    level = frame.ground_truth["terrace_level"].astype(np.float64)
    assert len(np.unique(level)) >= 2, "the field must show at least one step"
    rows, cols = np.mgrid[0 : height.shape[0], 0 : height.shape[1]]
    # Plane levelling and the staircase fitted together: height = a + b x + c y + step * terrace index.
    design = np.stack([np.ones(height.size), cols.ravel(), rows.ravel(), level.ravel()], axis=1)
    step_nm = np.linalg.lstsq(design, height.ravel(), rcond=None)[0][3]
    truth = truth_of(afm, AtomicSteps).step_height_nm
    assert abs(step_nm - truth) <= 0.05 * truth


def _pair_dip_nm(afm: AFM, p: Particle, q: Particle) -> float:
    """Scan along the line joining two particles; how far the profile sinks between them below the lower top."""
    offset_x, offset_y = afm.ground_truth_offset_nm()  # follow the drifting specimen
    mid_x, mid_y = (p.x_nm + q.x_nm) / 2 - offset_x, (p.y_nm + q.y_nm) / 2 - offset_y
    angle = math.degrees(math.atan2(q.y_nm - p.y_nm, q.x_nm - p.x_nm))
    afm.set_afm_scan(size_nm=150.0, pixels=256, x_um=mid_x / 1e3, y_um=mid_y / 1e3, angle_deg=angle)
    frame = afm.acquire_afm_image(("height",))
    height = frame.channels["height_trace"]
    centre = height.shape[0] // 2
    line = np.median(height[centre - 3 : centre + 4], axis=0)
    half_px = math.hypot(q.x_nm - p.x_nm, q.y_nm - p.y_nm) / 2 / frame.pixel_size_nm
    col_p, col_q = int(centre - half_px), int(centre + half_px)
    top_p = line[col_p - 5 : col_p + 6].max()
    top_q = line[col_q - 5 : col_q + 6].max()
    return float(min(top_p, top_q) - line[col_p : col_q + 1].min())


def test_a_sharp_tip_resolves_two_close_particles_that_a_blunt_crashed_tip_merges():
    """Resolved: the profile sinks between the two tops by at least 10 % of the lower particle's height."""
    afm = engaged("afm_nanoparticles", seed=0)
    particles = truth_of(afm, Nanoparticles)
    reachable = [t for t in particles.close_pairs(8.0) if max(abs(t[0].x_nm), abs(t[0].y_nm)) < 2000]
    pairs = sorted(reachable, key=lambda t: -min(t[0].radius_nm, t[1].radius_nm))[:2]
    assert len(pairs) == 2 and all(gap < 8.0 for _, _, gap in pairs)
    sharp = [_pair_dip_nm(afm, p, q) / min(p.height_nm, q.height_nm) for p, q, _ in pairs]
    afm.withdraw()
    afm.set_feedback(setpoint=2.0)  # unsafe: pressed into the surface
    with pytest.raises(TipCrashError):
        afm.approach()
    afm.set_feedback(setpoint=14.0)
    afm.approach()
    blunt = [_pair_dip_nm(afm, p, q) / min(p.height_nm, q.height_nm) for p, q, _ in pairs]
    assert all(dip >= 0.10 for dip in sharp), sharp
    assert all(dip < 0.10 for dip in blunt), blunt


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    def frame(seed: int) -> dict[str, np.ndarray]:
        afm = engaged("afm_polymer_blend", seed=seed, pixels=128)
        return afm.acquire_afm_image(("height", "phase")).channels

    a, b, c = frame(5), frame(5), frame(6)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["height_trace"], c["height_trace"])


def test_polymer_domains_in_a_wide_scan_cover_about_the_known_fraction_and_show_in_phase():
    afm = engaged("afm_polymer_blend", seed=2, size_nm=4000.0, pixels=256)
    frame = afm.acquire_afm_image(("phase",))
    mask = frame.ground_truth["domain_mask"]
    assert abs(mask.mean() - truth_of(afm, PolymerBlend).domain_fraction) < 0.05
    phase = frame.channels["phase_trace"]
    assert np.median(phase[mask]) - np.median(phase[~mask]) > 15.0  # soft domains lag more


def test_ferroelectric_piezo_phase_flips_by_180_degrees_between_up_and_down_domains():
    afm = engaged("afm_ferroelectric", seed=1, size_nm=2000.0, pixels=256)
    frame = afm.acquire_afm_image(("piezo_phase", "piezo_amplitude"))
    up = frame.ground_truth["domain_mask"]
    phase = frame.channels["piezo_phase_trace"]
    assert abs(np.median(phase[up])) < 10.0
    assert abs(np.median(phase[~up]) - 180.0) < 10.0
    amplitude = frame.channels["piezo_amplitude_trace"]
    assert abs(np.median(amplitude) - truth_of(afm, FerroelectricDomains).piezo_amplitude_pm) < 10.0


def test_grating_image_repeats_with_the_known_pitch():
    afm = engaged("afm_grating", seed=4, size_nm=2000.0, pixels=512)
    frame = afm.acquire_afm_image(("height",))
    profile = frame.channels["height_trace"].mean(axis=0)
    profile = profile - np.polyval(np.polyfit(np.arange(profile.size), profile, 1), np.arange(profile.size))
    spectrum = np.abs(np.fft.rfft(profile * np.hanning(profile.size)))
    freqs = np.fft.rfftfreq(profile.size, d=frame.pixel_size_nm)
    peak = np.argmax(spectrum[1:]) + 1
    pitch_nm = 1.0 / freqs[peak]
    grating = truth_of(afm, CalibrationGrating)
    assert abs(pitch_nm - grating.pitch_nm) <= 0.1 * grating.pitch_nm
    depth_nm = np.percentile(profile, 95) - np.percentile(profile, 5)
    assert abs(depth_nm - grating.depth_nm) < 0.25 * grating.depth_nm


def test_harder_tapping_makes_soft_polymer_domains_look_lower():
    def domain_step_nm(setpoint_nm: float) -> float:
        afm = AFM("afm_polymer_blend", seed=2)
        afm.set_feedback(setpoint=setpoint_nm)
        afm.approach()
        afm.set_afm_scan(size_nm=2000.0, pixels=128)
        frame = afm.acquire_afm_image(("height",))
        mask = frame.ground_truth["domain_mask"]
        height = frame.channels["height_trace"]
        return float(np.median(height[mask]) - np.median(height[~mask]))

    gentle, hard = domain_step_nm(17.0), domain_step_nm(6.0)
    true_step = truth_of(AFM("afm_polymer_blend", seed=2), PolymerBlend).domain_height_nm
    assert true_step - 1.5 < gentle < true_step
    assert hard < gentle - 1.0
