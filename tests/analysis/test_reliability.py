"""Measuring tools say how sure they are: denoised noise holds no columns, low signal is flagged with a reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fastmcp import Client

from copilot.analysis.atoms import find_atoms
from copilot.analysis.filters import denoise_image
from copilot.session import Session
from copilot.tools.server import create_server
from tests.analysis.synth import lattice_sites, render_spots


def test_denoised_pure_noise_has_no_columns_when_judged_against_the_raw_noise() -> None:
    noise = np.random.default_rng(0).poisson(2.0, (256, 256)).astype(np.float64)
    for strength_nm in (0.02, 0.05, 0.1):
        smooth = denoise_image(noise, 0.0156, "gaussian", strength_nm)
        found = find_atoms(smooth, 0.0156, raw=noise)
        assert found.count == 0
        assert not found.reliable and "noise" in found.reliability_note


def test_a_clear_lattice_is_counted_reliably_with_a_small_uncertainty() -> None:
    sites, _ = lattice_sites((0.3, 0.0), (0.0, 0.3), [(0.1, 0.1)], 4.8)
    clean = render_spots((240, 240), 0.02, sites, np.full(len(sites), 20.0), 0.05, background=1.0)
    found = find_atoms(np.random.default_rng(1).poisson(clean * 10).astype(np.float64), 0.02)
    assert found.count == len(sites)
    assert found.reliable and found.reliability_note == ""
    assert found.count_uncertainty <= 0.03 * found.count


def test_a_barely_visible_lattice_is_not_reliable_and_says_why() -> None:
    sites, _ = lattice_sites((0.3, 0.0), (0.0, 0.3), [(0.1, 0.1)], 4.8)
    clean = render_spots((240, 240), 0.02, sites, np.full(len(sites), 20.0), 0.05, background=1.0)
    found = find_atoms(np.random.default_rng(2).poisson(clean * 0.03).astype(np.float64), 0.02)
    assert not found.reliable
    assert found.reliability_note
    assert abs(found.count - len(sites)) <= 2 * found.count_uncertainty  # the uncertainty covers the miscount


async def test_find_atoms_on_a_denoised_noise_acquisition_reports_no_atoms_through_the_tools(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="graphene")
    noise = np.random.default_rng(3).poisson(2.0, (256, 256)).astype(np.float32)
    raw = session.store.add("image", {"pixel_size_nm": 0.0156, "dose_e_per_A2": 0.0}, {"image": noise})
    async with Client(create_server(session)) as client:
        den = await client.call_tool("denoise_image", {"acq_id": raw.id, "strength_nm": 0.05})
        assert den.structured_content is not None
        atoms = await client.call_tool("find_atoms", {"acq_id": den.structured_content["acquisition_id"]})
        assert atoms.structured_content is not None
        assert atoms.structured_content["atom_count"] == 0
        assert atoms.structured_content["reliable"] is False
        assert atoms.structured_content["reliability_note"]
    session.close()


def test_an_edge_near_the_detection_level_makes_element_identification_unreliable() -> None:
    from copilot.tools.analysis_spectra import _elements_verdict

    assert _elements_verdict([("C", "K", 284.0, 40.0), ("O", "K", 532.0, 0.5)]) == (True, "")
    reliable, note = _elements_verdict([("C", "K", 284.0, 40.0), ("Si", "L2,3", 99.0, 4.2)])
    assert not reliable and "Si L2,3 (4.2 sigma)" in note and "longer dwell" in note
