"""Readings of requests the planner used to miss: a twofold stig "put in" (a setting, not a specimen), a bare zero
defocus asked about, a spectrum's second place said after "then", the polymer film by another name, a lateral-force
scan (declined), a beam blanked "for a minute" while the speaker does something else, and a defocus pair whose second
frame is at zero or whose focus is compared; AFM analyses asked as questions, hardware the twin lacks (a cold finger,
a conductive tip), the Au grid, a job number first, "the latest" alone, the scan kept as it is, particles "dropped"
below a size, a line along one axis, a setting said as "it", "skip" covering its own clause only, and a survey said
before a closer field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("put in twofold stig, 4 nm, angle 30°", [("set_optics", {"astig_nm": 4.0, "astig_angle_deg": 30.0})]),
        (
            "EELS at 3,1 nm then at 7,5 nm",
            [
                ("acquire_spectrum", {"kind": "EELS", "x_nm": 3.0, "y_nm": 1.0}),
                ("acquire_spectrum", {"kind": "EELS", "x_nm": 7.0, "y_nm": 5.0}),
            ],
        ),
        (
            "and now the polymer film, seed 8",
            [("get_status", {}), ("list_specimens", {}), ("load_specimen", {"name": "afm_polymer_blend", "seed": 8})],
        ),
        ("beam off for a few minutes, I'm refilling the dewar", [("set_beam", {"blanked": True})]),
        ("blank the beam for 10 minutes", [("set_beam", {"blanked": True})]),
    ],
)
def test_older_misses_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_zero_defocus_asked_about_is_answered_from_the_status() -> None:
    run = drive("are we at zero defocus?")
    assert run.names == ["get_status"] and "0 nm" in run.answer


def test_an_image_before_a_place_said_after_then_is_no_spectrum() -> None:
    run = drive("take an image then at 3,4 nm an EDS spectrum")
    assert run.calls == [("acquire_image", {}), ("acquire_spectrum", {"kind": "EDS", "x_nm": 3.0, "y_nm": 4.0})]


@pytest.mark.parametrize(
    "text", ["switch to contact mode and do lateral force microscopy", "record an LFM map of the blend"]
)
def test_lateral_force_microscopy_is_declined(text: str) -> None:
    run = drive(text, afm())
    assert run.calls == [] and "lateral-force" in run.answer


@pytest.mark.parametrize(
    ("text", "defoci_nm"),
    [
        ("shoot at -25 nm defocus and at zero, and tell me which is sharper", [-25.0, 0.0]),
        ("take a frame at -40 nm defocus and one at +40 nm and compare the focus", [-40.0, 40.0]),
    ],
)
def test_a_defocus_pair_takes_and_scores_both_frames(text: str, defoci_nm: list[float]) -> None:
    run = drive(text)
    assert run.names == ["set_optics", "acquire_image"] * 2 + ["focus_quality"] * 2
    assert [args["defocus_nm"] for name, args in run.calls if name == "set_optics"] == defoci_nm
    assert "sharp" in run.answer


@pytest.mark.parametrize(
    ("text", "analysis"),
    [
        ("how high are the terraces? new 1.2 µm topograph please", "step_height"),
        ("does the tip leave artefacts? take a 600 nm image and check", "tip_artifact_check"),
        ("image 900 nm and tell me if the tip is doubling the particles", "tip_artifact_check"),
    ],
)
def test_an_afm_analysis_asked_as_a_question_runs_on_the_new_image(text: str, analysis: str) -> None:
    run = drive(text, afm())
    assert run.names == ["set_afm_scan", "get_status", "approach", "acquire_afm_image", analysis]


def test_how_much_of_each_phase_is_the_domain_fraction() -> None:
    run = drive("fresh 2.2 µm height-plus-phase on the blend, then how much of each phase", afm())
    assert run.names[-2:] == ["acquire_afm_image", "domain_fraction"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("insert the cold finger", "anticontaminator"),
        ("could we show a current map with a conductive tip?", "conductive tip"),
    ],
)
def test_hardware_the_twin_lacks_is_declined(text: str, reason: str) -> None:
    run = drive(text, afm())
    assert run.calls == [] and reason in run.answer


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "mount the Au grid with seed 31",
            [("list_specimens", {}), ("load_specimen", {"name": "gold_nanoparticles", "seed": 31})],
        ),
        (
            "FA-1187 first: mount the Au NP grid, seed 12",
            [("list_specimens", {}), ("load_specimen", {"name": "gold_nanoparticles", "seed": 12})],
        ),
        (
            "export the latest as png, name run_07",
            [("list_acquisitions", {}), ("export_acquisition", {"name": "run_07", "format": "png", "acq_id": "a0005"})],
        ),
    ],
)
def test_shorthand_for_specimens_jobs_and_the_latest_acquisition(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_the_scan_kept_as_it_is_forbids_scan_changes_and_still_takes_the_frame() -> None:
    run = drive("defect search on a new frame with the scan as it is now, no scan changes")
    assert run.names == ["acquire_image", "detect_defects"]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "particle stats on a fresh 2 µm bright-field, dropping anything below 4 nm",
            [
                ("set_scan", {"fov_nm": 2000.0}),
                ("acquire_image", {"detector": "BF"}),
                ("segment_particles", {"min_diameter_nm": 4.0, "acq_id": "a0007"}),
            ],
        ),
        (
            "on the latest image, intensity along y = 5 nm from x 1 to x 12 nm",
            [
                ("list_acquisitions", {}),
                ("line_profile", {"x0_nm": 1.0, "y0_nm": 5.0, "x1_nm": 12.0, "y1_nm": 5.0, "acq_id": "a0005"}),
            ],
        ),
        ("The dwell is too short for the EDX. Set it to 8 us.", [("set_scan", {"dwell_us": 8.0})]),
    ],
)
def test_size_bounds_lines_along_an_axis_and_a_setting_said_as_it(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_the_setpoint_named_before_is_the_it_set_after() -> None:
    run = drive("The help sheet says a lower setpoint taps harder. Could you set it to 9.5 nm?", afm())
    assert run.calls == [("set_feedback", {"setpoint_nm": 9.5})]


def test_skip_covers_only_its_own_clause() -> None:
    run = drive("skip the re-engage and plane-fit the topograph we already have", afm())
    assert run.names == ["list_acquisitions", "plane_level"]


@pytest.mark.parametrize(
    "text",
    [
        "First a 2.9 µm survey image, after that 84 nm, and give me particle sizes from the 84 nm one",
        "start wide at 2.9 µm, then close in to 84 nm and measure the particles in that close-up",
    ],
)
def test_a_survey_then_a_closer_field_sizes_the_particles_of_the_closer_frame(text: str) -> None:
    run = drive(text)
    assert run.names == ["set_scan", "acquire_image", "set_scan", "acquire_image", "segment_particles"]
    assert [args["fov_nm"] for name, args in run.calls if name == "set_scan"] == [2900.0, 84.0]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("five times as wide a field, please", [("get_status", {}), ("set_scan", {"fov_nm": 160.0})]),
        (
            "switch the AFM over to the grating, seed 14",
            [("list_specimens", {}), ("load_specimen", {"name": "afm_grating", "seed": 14})],
        ),
        (
            "put the PZT film on, seed 8",
            [("list_specimens", {}), ("load_specimen", {"name": "afm_ferroelectric", "seed": 8})],
        ),
        (
            "exchange the current sample for the STO, seed 5",
            [("list_specimens", {}), ("load_specimen", {"name": "srtio3", "seed": 5})],
        ),
        (
            "reload the graphene with seed 2",
            [("list_specimens", {}), ("load_specimen", {"name": "graphene", "seed": 2})],
        ),
        (
            "right, the tilt-boundary bicrystal now",
            [("get_status", {}), ("list_specimens", {}), ("load_specimen", {"name": "grain_boundary"})],
        ),
    ],
)
def test_loads_and_factors_said_in_passing(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_one_frame_at_a_defocus_and_one_at_zero_are_compared() -> None:
    run = drive("compare sharpness: one frame at -25 nm defocus and one at zero")
    assert [args.get("defocus_nm") for name, args in run.calls if name == "set_optics"] == [-25.0, 0.0]
    assert run.names[-2:] == ["focus_quality", "focus_quality"]
