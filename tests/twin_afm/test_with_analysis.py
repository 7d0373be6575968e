"""The analysis routines recover the twin's ground truth from its AFM images (twin and analysis together)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from copilot.analysis.domains import domain_fraction
from copilot.analysis.grating import grating_pitch
from copilot.analysis.steps import step_height
from copilot.analysis.tipcheck import tip_artifact_check
from copilot.twin.afm import AFM, AFMFrame
from copilot.twin.afm.surfaces_domains import PolymerBlend
from copilot.twin.afm.surfaces_topo import AtomicSteps, CalibrationGrating


def scan(surface: str, seed: int, channels: tuple[str, ...] = ("height",), **settings: Any) -> tuple[AFM, AFMFrame]:
    afm = AFM(surface, seed=seed)
    afm.approach()
    afm.set_afm_scan(**settings)
    return afm, afm.acquire_afm_image(channels)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_step_height_measured_after_plane_levelling_is_within_5_percent_of_the_truth(seed):
    afm, frame = scan("afm_steps", seed, size_nm=1000.0, pixels=256)
    measured = step_height(frame.channels["height_trace"], frame.pixel_size_nm).step_nm
    assert isinstance(afm.surface, AtomicSteps)
    assert measured == pytest.approx(afm.surface.step_height_nm, rel=0.05)


@pytest.mark.parametrize("seed", [0, 3])
def test_grating_pitch_and_depth_match_the_calibration_standard(seed):
    afm, frame = scan("afm_grating", seed, size_nm=2000.0, pixels=512)
    result = grating_pitch(frame.channels["height_trace"], frame.pixel_size_nm)
    assert isinstance(afm.surface, CalibrationGrating)
    assert result.pitch_nm == pytest.approx(afm.surface.pitch_nm, rel=0.02)
    assert result.depth_nm == pytest.approx(afm.surface.depth_nm, rel=0.1)


def test_phase_domains_give_the_known_polymer_fraction():
    afm, frame = scan("afm_polymer_blend", 1, ("phase",), size_nm=4000.0, pixels=256)
    soft_fraction = domain_fraction(frame.channels["phase_trace"]).fractions[1]  # the higher phase lag
    assert isinstance(afm.surface, PolymerBlend)
    assert soft_fraction == pytest.approx(afm.surface.domain_fraction, abs=0.03)


def test_tip_artifact_check_finds_the_injected_double_tip_at_its_offset_and_passes_a_clean_tip():
    afm, clean = scan("afm_nanoparticles", 0, size_nm=1000.0, pixels=256)
    assert not tip_artifact_check(clean.channels["height_trace"], clean.pixel_size_nm).double_tip
    afm.inject_fault("tip_change")
    afm.acquire_afm_image()
    ghosted = afm.acquire_afm_image()
    check = tip_artifact_check(ghosted.channels["height_trace"], ghosted.pixel_size_nm)
    tip = afm.state.tip
    assert check.double_tip
    # The ghost copy sits opposite the second apex's offset.
    assert (
        math.hypot(check.ghost_dx_nm + tip.ghost_dx_nm, check.ghost_dy_nm + tip.ghost_dy_nm) < 3 * clean.pixel_size_nm
    )
