"""The offline planner on the AFM request families: engagement from the status, measurements with the right
channels and regions, feedback tuning until trace and retrace agree, tip checks and tip changes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import RESULTS, Tool, drive

AFM_STATUS: dict[str, Any] = {
    "instrument": "AFM",
    "settings": {
        "engaged": False,
        "feedback": {"setpoint_nm": 14.0, "p_gain": 0.05, "i_gain_per_ms": 0.1},
        "scan": {"size_nm": 1000.0, "pixels": 256, "rate_hz": 1.0},
    },
    "latest_acquisition_id": None,
}


def afm(engaged: bool = False, **extra: Tool) -> dict[str, Tool]:
    """Scripted tools of an AFM whose tip is (not) engaged."""
    status = {**AFM_STATUS, "settings": {**AFM_STATUS["settings"], "engaged": engaged}}
    return {"get_status": lambda args: status, **extra}


@pytest.mark.parametrize(
    ("text", "tools"),
    [
        ("Take a height image of the grating and give me the line pitch.", ["acquire_afm_image", "grating_pitch"]),
        (
            "What is the height of the atomic steps on this surface? Image it and measure.",
            ["acquire_afm_image", "step_height"],
        ),
        ("What is the Rq roughness of this film? Image it and measure.", ["acquire_afm_image", "roughness"]),
        (
            "How tall is the tallest nanoparticle? Image and plane-level the height.",
            ["acquire_afm_image", "plane_level"],
        ),
    ],
)
@pytest.mark.parametrize("engaged", [False, True])
def test_an_afm_measurement_approaches_only_a_withdrawn_tip(text: str, tools: list[str], engaged: bool) -> None:
    run = drive(text, afm(engaged))
    assert run.names == ["get_status", *([] if engaged else ["approach"]), *tools]


def test_the_minority_phase_fraction_is_measured_on_the_phase_channel_and_leads_the_answer() -> None:
    fractions = {"acquisition_id": "a0011", "fractions": [0.7177, 0.2823], "class_means": [1.0, 9.0]}
    run = drive(
        "What fraction of the polymer blend is the minority phase? Use the phase channel.",
        afm(domain_fraction=lambda args: fractions),
    )
    assert run.names == ["get_status", "approach", "acquire_afm_image", "domain_fraction"]
    assert run.args("acquire_afm_image") == {"channels": ["height", "phase"]}
    assert run.answer.startswith("Minority phase area fraction 0.2823.")


def test_the_tallest_particle_is_the_range_of_the_levelled_height() -> None:
    levelled = {"acquisition_id": "a0011", "range_nm": 45.07, "residual_rms_nm": 0.2}
    run = drive(
        "Record topography, plane level it, and report the maximum particle height.",
        afm(plane_level=lambda args: levelled),
    )
    assert run.answer.startswith("Height range after levelling (the tallest feature) 45.07 nm.")


@pytest.mark.parametrize(
    "text",
    [
        "Approach, take a height image and measure the RMS roughness of the region x 0-500 nm, y 0-500 nm.",
        "Image the grating and give me the Rq roughness of the top-left 500 x 500 nm region.",
        "What is the rms roughness inside x from 0 to 500 nm and y from 0 to 500 nm of a height image?",
    ],
)
def test_the_roughness_of_a_region_passes_the_region(text: str) -> None:
    run = drive(text, afm())
    assert run.names[-1] == "roughness"
    assert run.args("roughness") == {"acq_id": "a0011", "x_nm": 0.0, "y_nm": 0.0, "width_nm": 500.0, "height_nm": 500.0}
    assert "set_afm_scan" not in run.names


@pytest.mark.parametrize(
    "text",
    [
        "Approach and take a force curve at x = 500 nm, y = 500 nm.",
        "Record a force-distance curve at (500 nm, 500 nm) after engaging.",
        "Engage and measure a force curve at x 500 nm, y 500 nm.",
    ],
)
def test_a_force_curve_at_a_point_engages_and_measures_there_without_moving_anything(text: str) -> None:
    run = drive(text, afm())
    assert run.calls == [("get_status", {}), ("approach", {}), ("acquire_force_curve", {"x_nm": 500.0, "y_nm": 500.0})]


@pytest.mark.parametrize(
    "text",
    [
        "Set the AFM scan to 500 nm with 512 pixels at 0.5 Hz.",
        "Use a 500 nm scan size, 512 px and a 0.5 Hz line rate.",
        "Configure the AFM raster for 500 nm, 512 pixels and 0.5 Hz.",
    ],
)
def test_afm_raster_settings_are_set_without_imaging(text: str) -> None:
    run = drive(text)
    assert run.calls == [("set_afm_scan", {"size_nm": 500.0, "pixels": 512, "rate_hz": 0.5})]


def lagging_afm(rms_for_gains: dict[float, float]) -> dict[str, Tool]:
    """An engaged AFM whose trace/retrace mismatch depends on the I gain last set."""
    gains: list[float] = [0.1]

    def set_feedback(args: dict[str, Any]) -> dict[str, Any]:
        gains.append(float(args["i_gain_per_ms"]))
        return {"settings": dict(args)}

    def image(args: dict[str, Any]) -> dict[str, Any]:
        rms = next(value for limit, value in sorted(rms_for_gains.items()) if gains[-1] <= limit)
        return {**RESULTS["acquire_afm_image"], "trace_retrace_rms_nm": rms}

    return afm(True, set_feedback=set_feedback, acquire_afm_image=image)


@pytest.mark.parametrize(
    "text",
    [
        "Trace and retrace disagree. Tune the feedback gains until they agree, then take a new height image.",
        "The feedback lags; raise the gains so trace and retrace match and record a height image.",
        "Fix the feedback (P and I gains) so the trace and retrace agree, and image again.",
    ],
)
def test_feedback_is_tuned_round_by_round_until_trace_and_retrace_agree(text: str) -> None:
    run = drive(text, lagging_afm({1.0: 1.9, 100.0: 0.04}))
    assert run.names == ["get_status", "set_feedback", "acquire_afm_image", "set_feedback", "acquire_afm_image"]
    assert [args for name, args in run.calls if name == "set_feedback"] == [
        {"p_gain": 0.15, "i_gain_per_ms": 0.5},
        {"p_gain": 0.45, "i_gain_per_ms": 2.5},
    ]
    assert "Trace-retrace mismatch 0.04 nm" in run.answer


def test_feedback_tuning_stops_after_three_rounds_that_each_helped() -> None:
    run = drive("tune the feedback so trace and retrace agree", lagging_afm({0.5: 3.0, 2.5: 2.0, 1000.0: 1.0}))
    gains = [args for name, args in run.calls if name == "set_feedback"]
    assert len(gains) == 3 and gains[-1] == {"p_gain": 1.35, "i_gain_per_ms": 12.5}


@pytest.mark.parametrize("double", [True, False])
def test_the_tip_is_changed_and_the_surface_imaged_again_only_when_the_check_finds_a_double_tip(double: bool) -> None:
    check = {"acquisition_id": "a0011", "double_tip": double, "confidence": 0.9}
    run = drive(
        "Image the nanoparticles and check the tip; if it is a double tip, change it and image again.",
        afm(tip_artifact_check=lambda args: check, change_tip=lambda args: {"radius_nm": 8.7, "double_tip": False}),
    )
    head = ["get_status", "approach", "acquire_afm_image", "tip_artifact_check"]
    tail = ["withdraw", "change_tip", "approach", "acquire_afm_image"] if double else []
    assert run.names == head + tail
    assert run.answer.startswith(f"Double tip: {'yes' if double else 'no'}.")
    assert ("After the tip change: double tip: no, tip radius 8.7 nm." in run.answer) is double


def test_gains_the_user_names_are_set_as_given_instead_of_tuned() -> None:
    run = drive("Set the P gain to 0.5 and the I gain to 3 and take a height image", lagging_afm({1000.0: 0.05}))
    assert run.names == ["get_status", "set_feedback", "acquire_afm_image"]
    assert run.args("set_feedback") == {"p_gain": 0.5, "i_gain_per_ms": 3.0}


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("Withdraw the tip and change it", ["withdraw", "change_tip"]),
        ("Check whether the tip is double", ["get_status", "approach", "acquire_afm_image", "tip_artifact_check"]),
        ("How rough is this surface?", ["get_status", "approach", "acquire_afm_image", "roughness"]),
        ("Approach the tip, then record height and phase images", ["get_status", "approach", "acquire_afm_image"]),
    ],
)
def test_afm_requests_in_other_words(text: str, calls: list[str]) -> None:
    assert drive(text, afm()).names == calls


def test_an_afm_scan_size_before_the_word_scan_is_the_scan_size() -> None:
    assert drive("Make a 2 um AFM scan at 256 pixels").calls == [("set_afm_scan", {"size_nm": 2000.0, "pixels": 256})]


def test_feedback_tuning_stops_when_raising_the_gains_makes_the_mismatch_worse() -> None:
    run = drive("tune the feedback so trace and retrace agree", lagging_afm({1.0: 2.0, 3.0: 2.5, 1000.0: 0.01}))
    assert [name for name, _ in run.calls].count("set_feedback") == 2


def test_raised_gains_never_pass_the_cap() -> None:
    status = {**AFM_STATUS, "settings": {**AFM_STATUS["settings"], "engaged": True}}
    status["settings"]["feedback"] = {"p_gain": 1.0, "i_gain_per_ms": 10.0}
    tools = {**lagging_afm({1000.0: 0.01}), "get_status": lambda args: status}
    run = drive("raise the gains so trace and retrace agree", tools)
    assert run.args("set_feedback") == {"p_gain": 2.0, "i_gain_per_ms": 20.0}
