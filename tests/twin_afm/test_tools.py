"""The AFM tools through an in-memory MCP client over a real session."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from fastmcp.exceptions import ToolError
from PIL import Image

AFM_TOOLS = {
    "approach",
    "withdraw",
    "set_feedback",
    "set_afm_scan",
    "acquire_afm_image",
    "acquire_force_curve",
    "change_tip",
    "get_tip_state",
}


def pngs(result: Any) -> list[Image.Image]:
    return [
        Image.open(io.BytesIO(base64.b64decode(c.data))) for c in result.content if getattr(c, "type", "") == "image"
    ]


async def test_every_afm_tool_is_listed_with_annotations_and_units_in_its_parameters(client):
    tools = {t.name: t for t in await client.list_tools()}
    assert set(tools) >= AFM_TOOLS
    assert tools["change_tip"].annotations.destructive_hint is True
    assert tools["get_tip_state"].annotations.read_only_hint is True
    params = tools["set_feedback"].input_schema["properties"]
    assert {"setpoint_nm", "p_gain", "i_gain_per_ms"} == set(params)
    size = tools["set_afm_scan"].input_schema["properties"]["size_nm"]
    assert "5000" in str(size)


async def test_an_image_needs_an_approach_and_comes_back_with_a_colour_map_and_a_profile(client, session):
    with pytest.raises(ToolError, match="approach"):
        await client.call_tool("acquire_afm_image", {})
    await client.call_tool("approach", {})
    await client.call_tool("set_afm_scan", {"size_nm": 500, "pixels": 128})
    result = await client.call_tool("acquire_afm_image", {"channels": ["height", "phase"]})
    data = result.structured_content
    assert data["pixels"] == 128 and data["pixel_size_nm"] == pytest.approx(500 / 128)
    assert set(data["channels"]) == {"height_trace", "height_retrace", "phase_trace", "phase_retrace"}
    assert data["trace_retrace_rms_nm"] < 2.0
    images = pngs(result)
    assert len(images) == 2 and images[0].mode == "RGB"
    stored = session.get_acquisition(data["id"])
    assert stored.arrays["height_trace"].shape == (128, 128)
    assert "ground_truth" not in str(stored.metadata)


async def test_unsafe_gains_crash_the_tip_and_the_tool_error_says_what_to_do(client):
    await client.call_tool("approach", {})
    with pytest.raises(ToolError, match="change_tip"):
        await client.call_tool("set_feedback", {"p_gain": 0.5, "i_gain_per_ms": 150})
    tip = (await client.call_tool("get_tip_state", {})).structured_content
    assert tip["damaged"] and len(tip["crash_log"]) == 1
    with pytest.raises(ToolError):
        await client.call_tool("set_afm_scan", {"size_nm": 1e7})  # refused by the schema bounds
    fresh = (await client.call_tool("change_tip", {})).structured_content
    assert not fresh["damaged"] and fresh["radius_nm"] < 10


async def test_force_curve_returns_adhesion_and_a_plot(client):
    await client.call_tool("approach", {})
    result = await client.call_tool("acquire_force_curve", {"x_nm": 100.0, "y_nm": 200.0})
    data = result.structured_content
    assert data["adhesion_nN"] > 0 and 0 < data["snap_in_nm"] < 2
    assert len(pngs(result)) == 1


async def test_afm_tools_refuse_while_a_stem_specimen_is_loaded(client):
    await client.call_tool("load_specimen", {"name": "graphene"})
    with pytest.raises(ToolError, match="AFM"):
        await client.call_tool("approach", {})
