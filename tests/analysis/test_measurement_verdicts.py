"""Uncertainties and reliable verdicts of the image and AFM measurements, against the twins' ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastmcp import Client

from copilot.analysis.afm_verdicts import grating_verdict, step_verdict
from copilot.analysis.fft import compute_fft
from copilot.analysis.focus import focus_quality
from copilot.analysis.grating import grating_pitch
from copilot.analysis.profile import line_profile
from copilot.analysis.steps import step_height
from copilot.session import Session
from copilot.tools.server import create_server
from copilot.twin import Microscope
from copilot.twin.afm import AFM

SRTIO3_A_NM = 0.3905


def _srtio3(dwell_us: float = 4.0) -> tuple[np.ndarray, float]:
    scope = Microscope("srtio3", seed=0, drift_nm_per_s=0.0)
    scope.set_scan(fov_nm=8.0, pixels=256, dwell_us=dwell_us)
    frame = scope.acquire_image()
    return np.asarray(frame.data, dtype=np.float64), frame.pixel_size_nm


def test_fft_spacings_of_srtio3_lie_within_three_of_their_sigmas_of_the_truth() -> None:
    image, px = _srtio3()
    f = compute_fft(image, px)
    assert f.reliable
    d110 = SRTIO3_A_NM / np.sqrt(2.0)  # the strongest: Sr and TiO columns together form the a / sqrt(2) net
    first = [p for p in f.peaks if abs(p.d_spacing_nm - d110) < 0.02]
    assert len(first) == 2, [p.d_spacing_nm for p in f.peaks]
    for p in first:
        assert 0 < p.d_uncertainty_nm < 0.01
        assert abs(p.d_spacing_nm - d110) <= 3 * p.d_uncertainty_nm


def test_noise_has_no_reliable_fft_profile_or_focus() -> None:
    noise = np.random.default_rng(0).normal(10.0, 1.0, (128, 128))
    f = compute_fft(noise, 0.02)
    assert not f.reliable and ("no Fourier peak" in f.reliability_note or "only one" in f.reliability_note)
    p = line_profile(noise, 0.02, 0.1, 0.1, 2.4, 2.4, 0.2)
    assert not p.reliable and p.value_uncertainty == pytest.approx(1.0 / np.sqrt(10), rel=0.2)
    q = focus_quality(noise, 0.02)
    assert not q.reliable and q.noise_fraction > 0.9


def test_a_lattice_finer_than_two_pixels_is_flagged_as_possibly_aliased() -> None:
    x = np.arange(128) * 0.1
    image = np.tile(np.cos(2 * np.pi * x / 0.21), (128, 1))  # 2.1 px period: next to Nyquist
    f = compute_fft(image, 0.1)
    assert not f.reliable and "aliasing" in f.reliability_note


def test_a_profile_across_srtio3_columns_and_its_focus_are_reliable() -> None:
    image, px = _srtio3()
    p = line_profile(image, px, 0.5, 4.0, 7.5, 4.0, 0.05)
    assert p.reliable and p.value_uncertainty > 0
    q = focus_quality(image, px)
    assert q.reliable and 0 < q.sharpness_uncertainty < 0.05 * q.sharpness


def _afm_height(surface: str, seed: int) -> tuple[Any, np.ndarray, float]:
    afm = AFM(surface, seed=seed)
    afm.approach()
    frame = afm.acquire_afm_image(("height",))
    return afm.surface, frame.channels["height_trace"], frame.pixel_size_nm


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_step_height_lies_within_three_of_its_sigmas_of_the_truth(seed: int) -> None:
    truth, z, px = _afm_height("afm_steps", seed)
    s = step_height(z, px)
    v = step_verdict(s)
    assert v.reliable and abs(s.step_nm - truth.step_height_nm) <= 3 * v.uncertainty


def test_the_grating_pitch_lies_within_three_of_its_sigmas_of_the_truth() -> None:
    truth, z, px = _afm_height("afm_grating", 0)
    g = grating_pitch(z, px)
    v = grating_verdict(g)
    assert v.reliable and abs(g.pitch_nm - truth.pitch_nm) <= 3 * v.uncertainty


async def test_the_tools_report_reliable_and_uncertainties(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="srtio3", seed=0)
    async with Client(create_server(session)) as client:
        await client.call_tool("set_scan", {"fov_nm": 8.0, "pixels": 256})
        await client.call_tool("acquire_image", {})
        fft = (await client.call_tool("compute_fft", {})).structured_content
        assert fft is not None and fft["reliable"] and len(fft["d_uncertainties_nm"]) == len(fft["d_spacings_nm"])
        focus = (await client.call_tool("focus_quality", {})).structured_content
        assert focus is not None and focus["reliable"] and focus["sharpness_uncertainty"] > 0
        prof = await client.call_tool("line_profile", {"x0_nm": 1, "y0_nm": 4, "x1_nm": 7, "y1_nm": 4})
        assert prof.structured_content is not None and prof.structured_content["value_uncertainty"] > 0
        await client.call_tool("acquire_spectrum", {"kind": "EELS", "x_nm": 4.0, "y_nm": 4.0, "dwell_ms": 100})
        onset = (await client.call_tool("measure_edge_onset", {"element": "O"})).structured_content
        assert onset is not None and onset["reliable"] and abs(onset["shift_eV"]) < 3 * onset["onset_uncertainty_eV"]
        limit = (await client.call_tool("detection_limit", {"element": "Si", "goal_ratio": 0.01})).structured_content
        assert limit is not None and not limit["detected"] and limit["electrons_needed"] > limit["electrons"]
        assert limit["dwell_needed_ms"] > 100
        with pytest.raises(Exception, match="no EELS edge"):
            await client.call_tool("measure_edge_onset", {"element": "Xe"})
    session.close()
