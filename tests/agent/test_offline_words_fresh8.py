"""A realistic day's words the planner missed: the AFM step sample, one and a half times, an amount added to a
setting, the number of pixels, down to half, the kV by a bare number, C3 in microns, x and y sharing one unit,
nudging "us", frames at a field, intensity along a line, an edge said with the element's name, a spectrum image
between two corners, "for a second", limits said with "is" or "can't go above", terraces' height, a tip swapped
for certain (not only if double), and a point that no tool of the plan goes to."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("make the FOV one and a half times as wide", [("get_status", {}), ("set_scan", {"fov_nm": 48.0})]),
        ("add one and a half microseconds to the dwell", [("get_status", {}), ("set_scan", {"dwell_us": 5.5})]),
        ("quadruple the number of pixels", [("get_status", {}), ("set_scan", {"pixels": 1024})]),
        (
            "take the probe current down to half what it is now",
            [("get_status", {}), ("set_beam", {"current_pa": 15.0})],
        ),
        ("drop the kV by 20", [("get_status", {}), ("set_beam", {"energy_kv": 60.0})]),
        ("C3 of minus 15 microns", [("set_optics", {"cs_um": -15.0})]),
        ("stage over to x 3, y minus 2 microns", [("move_stage", {"x_um": 3.0, "y_um": -2.0})]),
        ("nudge us 300 nm downwards", [("move_stage", {"y_um": -0.3, "relative": True})]),
    ],
)
def test_the_setting_said_is_changed_as_said(text: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
    assert drive(text).calls == calls


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("the AFM step sample now, seed 8", ["get_status", "list_specimens", "load_specimen"]),
        (
            "two HAADFs at 10 nm, then how much did it drift between them?",
            ["set_scan", "acquire_image", "acquire_image", "estimate_drift"],
        ),
        (
            "intensity along the diagonal from 0,0 to 10,10 nm in the newest image",
            ["list_acquisitions", "line_profile"],
        ),
        ("EELS at (8 nm, 8 nm), then the sulfur L2,3 onset", ["acquire_spectrum", "measure_edge_onset"]),
        ("EELS spectrum image from (0, 0) to (10, 5) nm, 40 px, 20 ms per pixel", ["acquire_spectrum_image"]),
        ("as long as the current is under 50 pA, take a 24 nm HAADF", ["get_status", "set_scan", "acquire_image"]),
        ("we can't go above 120 kV on this one; set 200 kV", ["get_status"]),
    ],
)
def test_the_request_runs_the_tools_it_asks_for(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_a_second_said_as_a_spectrum_dwell_and_a_maps_elements_read_on_the_map() -> None:
    spot = drive("EDX in the centre of the field for a second, what's there?").args("acquire_spectrum")
    assert spot["dwell_ms"] == 1000.0
    mapped = drive("EDS spectrum image of x 0-8 nm, y 0-8 nm, then identify what's in it")
    assert mapped.names[-2:] == ["acquire_spectrum_image", "identify_elements"]
    assert "acquire_spectrum" not in mapped.names


def test_afm_terraces_are_a_step_height_and_a_tip_swapped_for_certain_is_changed() -> None:
    terraces = drive("how tall are the terraces? do a 2 µm topograph", afm())
    assert terraces.names[-1] == "step_height" and "plane_level" not in terraces.names
    swap = drive("withdraw, swap the tip, re-engage, then image and check for artefacts", afm())
    assert swap.names == ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image", "tip_artifact_check"]
    conditional = drive("check the tip and change it if it is double", afm())
    assert "change_tip" not in conditional.names


def test_a_point_no_tool_of_the_plan_goes_to_runs_nothing() -> None:
    run = drive("an image at 3,4 nm")
    assert run.calls == []
