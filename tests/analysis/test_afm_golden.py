"""Golden numbers: AFM analysis on frames of the AFM twin against the twin's ground truth."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pytest

from copilot.analysis.domains import domain_fraction
from copilot.analysis.grating import grating_pitch
from copilot.analysis.level import plane_level
from copilot.analysis.roughness import roughness
from copilot.analysis.steps import step_height
from copilot.analysis.tipcheck import tip_artifact_check
from copilot.twin.afm import AFM, AFMFrame


def _truth(afm: AFM) -> Any:
    """The surface object with its ground-truth attributes (pitch, depth, step height)."""
    return afm.surface


def _frame(
    surface: str, seed: int, channels: Iterable[str] = ("height",), double_tip: bool = False
) -> tuple[AFM, AFMFrame]:
    afm = AFM(surface, seed=seed)
    afm.approach()
    if double_tip:
        afm.inject_fault("tip_change")  # the double tip forms part-way through this frame ...
        afm.acquire_afm_image(channels)
    return afm, afm.acquire_afm_image(channels)  # ... and images the whole of this one


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_step_height_of_the_silicon_steps_is_within_five_percent(seed: int) -> None:
    afm, frame = _frame("afm_steps", seed)
    result = step_height(frame.channels["height_trace"], frame.pixel_size_nm)
    assert result.step_nm == pytest.approx(_truth(afm).step_height_nm, rel=0.05)
    _, pixels = np.unique(frame.ground_truth["terrace_level"], return_counts=True)
    assert len(result.levels_nm) == int(np.sum(pixels > 0.05 * pixels.sum()))  # every sizeable terrace


def test_levelled_steps_match_the_true_terraces_to_the_noise() -> None:
    afm, frame = _frame("afm_steps", 0)
    levelled = plane_level(frame.channels["height_trace"])
    truth = _truth(afm).step_height_nm * frame.ground_truth["terrace_level"]
    deviation = (levelled.height_nm - truth)[levelled.flat_mask]
    assert deviation.std() < 0.08  # noise ~0.05 nm (sensor + loop detection noise); a 1 mrad tilt gives ~0.3 nm
    assert roughness(deviation.reshape(1, -1).repeat(16, 0)).Rq_nm < 0.08


@pytest.mark.parametrize("seed", [0, 1])
def test_grating_pitch_and_depth_match_the_calibration_standard(seed: int) -> None:
    afm, frame = _frame("afm_grating", seed)
    result = grating_pitch(frame.channels["height_trace"], frame.pixel_size_nm)
    assert result.pitch_nm == pytest.approx(_truth(afm).pitch_nm, rel=0.01)
    assert result.depth_nm == pytest.approx(_truth(afm).depth_nm, rel=0.03)


def test_polymer_domain_fraction_from_the_phase_matches_the_true_domains() -> None:
    _, frame = _frame("afm_polymer_blend", 0, ("height", "phase"))
    result = domain_fraction(frame.channels["phase_trace"])
    assert result.fractions[1] == pytest.approx(frame.ground_truth["domain_mask"].mean(), abs=0.02)


def test_ferroelectric_up_fraction_from_the_piezoresponse_phase_matches_the_truth() -> None:
    _, frame = _frame("afm_ferroelectric", 1, ("piezo_phase",))
    result = domain_fraction(frame.channels["piezo_phase_trace"])
    assert result.fractions[0] == pytest.approx(frame.ground_truth["domain_mask"].mean(), abs=0.02)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_double_tip_on_nanoparticles_is_found_with_its_offset(seed: int) -> None:
    afm, frame = _frame("afm_nanoparticles", seed, double_tip=True)
    tip = afm.state.tip
    result = tip_artifact_check(frame.channels["height_trace"], frame.pixel_size_nm)
    assert result.double_tip
    # The ghost copy lies opposite to the second apex's offset; within two pixels.
    assert result.ghost_dx_nm == pytest.approx(-tip.ghost_dx_nm, abs=2 * frame.pixel_size_nm)
    assert result.ghost_dy_nm == pytest.approx(-tip.ghost_dy_nm, abs=2 * frame.pixel_size_nm)


@pytest.mark.parametrize("surface", ["afm_nanoparticles", "afm_polymer_blend", "afm_ferroelectric"])
def test_a_fresh_tip_is_not_reported_as_double(surface: str) -> None:
    _, frame = _frame(surface, 0)
    assert not tip_artifact_check(frame.channels["height_trace"], frame.pixel_size_nm).double_tip
