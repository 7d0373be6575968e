"""The analysis tools over MCP in memory, on real twin acquisitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from copilot.session import Session
from copilot.tools.server import create_server


def _images(result: Any) -> int:
    return sum(1 for c in result.content if c.type == "image")


@pytest.mark.slow
async def test_find_atoms_and_fft_run_on_the_latest_acquisition_and_return_annotated_images(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="graphene")
    async with Client(create_server(session)) as client:
        await client.call_tool("acquire_image", {})
        atoms = await client.call_tool("find_atoms", {})
        assert atoms.structured_content is not None
        assert atoms.structured_content["atom_count"] > 0
        assert _images(atoms) == 1
        fft = await client.call_tool("compute_fft", {})
        assert fft.structured_content is not None
        assert _images(fft) == 1
    session.close()


async def test_analysis_of_a_missing_acquisition_is_a_tool_error(tmp_path: Path) -> None:
    session = Session(tmp_path)
    async with Client(create_server(session)) as client:
        with pytest.raises(Exception, match="no acquisition yet"):
            await client.call_tool("find_atoms", {})
    session.close()


async def test_denoising_stores_a_derived_acquisition_without_dose(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="graphene")
    async with Client(create_server(session)) as client:
        await client.call_tool("acquire_image", {})
        dose_before = session.dose_used_e_per_A2
        result = await client.call_tool("denoise_image", {"method": "gaussian", "strength_nm": 0.03})
        assert result.structured_content is not None
        new_id = result.structured_content["acquisition_id"]
        assert result.structured_content["derived_from"] == "a0001"
        assert new_id == session.latest_acquisition_id != "a0001"
        assert session.get_acquisition(new_id).metadata["dose_e_per_A2"] == 0.0
        assert session.dose_used_e_per_A2 == dose_before
        profile = await client.call_tool(
            "line_profile", {"x0_nm": 0.5, "y0_nm": 0.5, "x1_nm": 2.0, "y1_nm": 2.0, "acq_id": new_id}
        )
        assert profile.structured_content is not None and _images(profile) == 1
    session.close()


async def test_afm_tools_measure_the_latest_afm_image(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="afm_steps", seed=0)
    async with Client(create_server(session)) as client:
        await client.call_tool("approach", {})
        await client.call_tool("acquire_afm_image", {"channels": ["height", "phase"]})
        step = await client.call_tool("step_height", {})
        assert step.structured_content is not None
        assert step.structured_content["step_nm"] == pytest.approx(0.314, rel=0.05)
        level = await client.call_tool("plane_level", {"order": 1})
        assert level.structured_content is not None and _images(level) == 1
        rough = await client.call_tool("roughness", {"width_nm": 100.0, "height_nm": 100.0})
        assert rough.structured_content is not None
        assert rough.structured_content["pixels"] == pytest.approx((100 / (1000 / 256)) ** 2, rel=0.1)
        tip = await client.call_tool("tip_artifact_check", {})
        assert tip.structured_content is not None and tip.structured_content["double_tip"] is False
        with pytest.raises(Exception, match="no piezo_phase_trace channel"):
            await client.call_tool("domain_fraction", {"channel": "piezo_phase"})
        with pytest.raises(Exception, match="edges"):
            await client.call_tool("grating_pitch", {})
    session.close()


async def test_afm_tools_refuse_a_stem_image(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="graphene")
    async with Client(create_server(session)) as client:
        await client.call_tool("acquire_image", {})
        with pytest.raises(Exception, match="no AFM image yet"):
            await client.call_tool("step_height", {})
        with pytest.raises(Exception, match="not an AFM image"):
            await client.call_tool("roughness", {"acq_id": "a0001"})
    session.close()


async def test_segment_particles_lists_the_particles_centroids_and_diameters_largest_first(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="gold_nanoparticles")
    async with Client(create_server(session)) as client:
        await client.call_tool("set_scan", {"fov_nm": 100.0, "pixels": 256})
        await client.call_tool("acquire_image", {})
        result = (await client.call_tool("segment_particles", {})).structured_content
    assert result is not None and result["particle_count"] > 0
    listed = result["particles_nm"]
    assert len(listed) == min(result["particle_count"], 50)
    diameters = [d for _, _, d in listed]
    assert diameters == sorted(diameters, reverse=True)
    assert all(0 <= x <= 100.0 and 0 <= y <= 100.0 for x, y, _ in listed)
    if result["particle_count"] <= 50:
        assert sum(diameters) / len(diameters) == pytest.approx(result["mean_diameter_nm"], abs=1e-2)
