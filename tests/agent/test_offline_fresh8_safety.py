"""Requests the planner acted on in a misread form: a zoom by a number is no frame, an overview said of a field is
no frame, a collection angle into the spectrometer is no convergence, a tilt down goes down, levelling the holder
is no AFM plane fit, a name said as "call it" is kept, and a limit said after its value bounds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("zoom out by a factor of four", [("get_status", {}), ("set_scan", {"fov_nm": 128.0})]),
        ("1.5 µm field please, it's an overview", [("get_status", {}), ("set_scan", {"fov_nm": 1500.0})]),
        ("20 mrad collection angle into the spectrometer", [("set_detectors", {"eels_collection_mrad": 20.0})]),
        ("beta down by 4°", [("move_stage", {"beta_deg": -4.0, "relative": True})]),
        ("level the holder, alpha and beta back to zero", [("move_stage", {"alpha_deg": 0.0, "beta_deg": 0.0})]),
    ],
)
def test_the_request_runs_exactly_what_it_says(text: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
    assert drive(text).calls == calls


def test_a_file_name_said_as_call_it_is_kept() -> None:
    run = drive("save the most recent acquisition as hdf5, call it run12")
    assert run.args("export_acquisition")["name"] == "run12"


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("we agreed on 3 µs dwell max for this sample, take a HAADF", False),
        ("8 us dwell max, take a HAADF", True),
        ("30 pA tops, then a BF frame", True),
    ],
)
def test_a_limit_said_after_its_value_is_checked_before_the_frame(text: str, runs: bool) -> None:
    run = drive(text)
    assert run.names[0] == "get_status" and ("acquire_image" in run.names) == runs
    assert "set_scan" not in run.names
