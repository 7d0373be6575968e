"""Wordings several held-out batches share, in shorthand and in plain words: numbered steps, a newcomer's settings,
a facility's key=value shorthand with units glued on, older wordings of analyses and AFM work, and a protocol quoted
with figure references, citations and scientific notation."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "From my supervisor: 1) load the graphene, seed 12 2) set the high tension to 60 kV 3) take a HAADF "
            "picture 3.1 nm across 4) count the vacancies",
            ["list_specimens", "load_specimen", "set_beam", "set_scan", "acquire_image", "detect_defects"],
        ),
        (
            "step 1: blank the beam step 2: set the current to 16 pA step 3: unblank step 4: BF at 70 nm",
            ["set_beam", "set_beam", "set_beam", "set_scan", "acquire_image"],
        ),
        ("1) EELS at (3, 4) nm 2) EDX at (5, 6) nm", ["acquire_spectrum", "acquire_spectrum"]),
    ],
)
def test_numbered_steps_run_in_order(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_numbers_in_parentheses_are_no_steps() -> None:
    run = drive("on the newest image a line profile from (3, 11) nm to (17, 4) nm")
    assert run.args("line_profile") | {"acq_id": None} == {
        "x0_nm": 3.0,
        "y0_nm": 11.0,
        "x1_nm": 17.0,
        "y1_nm": 4.0,
        "acq_id": None,
    }


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("I'd like the electrons accelerated at 240 kilovolts, please.", [("set_beam", {"energy_kv": 240.0})]),
        (
            "Could the beam current be reduced by a third, please?",
            [("get_status", {}), ("set_beam", {"current_pa": 20.0})],
        ),
        (
            "Please raise the accelerating voltage by 40 kV from where it is now.",
            [("get_status", {}), ("set_beam", {"energy_kv": 120.0})],
        ),
        ("Set the stage height, z on the sheet, to 700 nanometres please.", [("move_stage", {"z_um": 0.7})]),
        (
            "Could the picture show an area three times as wide as it does now?",
            [("get_status", {}), ("set_scan", {"fov_nm": 96.0})],
        ),
    ],
)
def test_settings_in_a_newcomers_words(text: str, calls: list[tuple[str, dict[str, float]]]) -> None:
    assert drive(text).calls == calls


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("How wide is the area you're scanning right now? Just tell me, please don't change it.", ["get_status"]),
        ("One picture with the settings as they are, if that stays below 600 e-/A^2.", ["get_status", "acquire_image"]),
        (
            "Find a spot where an atom is missing and then hold the beam on it for a 90 ms EELS spectrum.",
            ["acquire_image", "detect_defects", "acquire_spectrum"],
        ),
    ],
)
def test_requests_in_a_newcomers_words(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_a_square_that_starts_at_a_corner() -> None:
    run = drive(
        "On the last topograph, how rough is the 300 nm square that starts at (410, 230) nm?",
        {"get_status": lambda args: AFM_STATUS},
    )
    assert run.args("roughness") | {"acq_id": None} == {
        "x_nm": 410.0,
        "y_nm": 230.0,
        "width_nm": 300.0,
        "height_nm": 300.0,
        "acq_id": None,
    }


def test_the_tip_said_as_it() -> None:
    run = drive(
        "The tip seems worn. Could you lift it, put on a new tip, lower it again and take a picture?",
        {"get_status": lambda args: AFM_STATUS},
    )
    assert run.names == ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image"]
    assert drive("the current is too high, lower it").calls == []  # no tip named: "it" is no tip


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("stage 700nm left", [("move_stage", {"x_um": -0.7, "relative": True})]),
        ("fov=44nm px=1280 dwell=1.8us", [("set_scan", {"fov_nm": 44.0, "pixels": 1280, "dwell_us": 1.8})]),
        (
            "Make the field of view 30 nm bigger than the present one",
            [("get_status", {}), ("set_scan", {"fov_nm": 62.0})],
        ),
        ("blank it, running over to the FIB for 15min", [("set_beam", {"blanked": True})]),
        ("Set HAADF inner angle to 92 mrad (outer stays as is)", [("set_detectors", {"haadf_inner_mrad": 92.0})]),
        ("EELS @ x=195Å y=145Å", [("acquire_spectrum", {"kind": "EELS", "x_nm": 19.5, "y_nm": 14.5})]),
    ],
)
def test_facility_shorthand_with_units_glued_on(text: str, calls: list[tuple[str, dict[str, float]]]) -> None:
    assert drive(text).calls == calls


def test_a_file_name_with_a_length_in_it_keeps_it() -> None:
    assert drive("HAADF at 9 nm, then save it as png named mos2_9nm").args("export_acquisition")["name"] == "mos2_9nm"


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (
            "EELS SI x=3.5-21.5 y=2.5-20.5nm px=48 dwell=9ms",
            {
                "kind": "EELS",
                "x_nm": 3.5,
                "y_nm": 2.5,
                "width_nm": 18.0,
                "height_nm": 18.0,
                "pixels": 48,
                "dwell_ms": 9.0,
            },
        ),
    ],
)
def test_a_spectrum_image_box_said_as_key_value_ranges(text: str, args: dict[str, float]) -> None:
    assert drive(text).calls == [("acquire_spectrum_image", args)]


def test_two_spectra_at_places_in_parentheses_with_glued_units() -> None:
    run = drive("EDX (23.5,20.5)nm 2.5s then EELS (16.5,29)nm 45ms")
    assert run.calls == [
        ("acquire_spectrum", {"kind": "EDS", "x_nm": 23.5, "y_nm": 20.5, "dwell_ms": 2500.0}),
        ("acquire_spectrum", {"kind": "EELS", "x_nm": 16.5, "y_nm": 29.0, "dwell_ms": 45.0}),
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("line prof on newest frame, 7,23 to 25,12 nm", ["list_acquisitions", "line_profile"]),
        ("last frame: particles only 4.5-31nm", ["list_acquisitions", "segment_particles"]),
        ("FFT on the frame i shot before teh 3pm wafer job", ["list_acquisitions", "compute_fft"]),
        ("px size in nm at present?", ["get_status"]),
        ("pls load teh GB specimen, seed=71", ["list_specimens", "load_specimen"]),
        (
            "After this one the gold nanoparticles, seed one hundred seven",
            ["get_status", "list_specimens", "load_specimen"],
        ),
    ],
)
def test_more_facility_shorthand(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_a_signed_percentage_of_the_line_rate() -> None:
    run = drive("afm line rate +35%", {"get_status": lambda args: AFM_STATUS})
    assert run.calls == [("get_status", {}), ("set_afm_scan", {"rate_hz": 1.35})]


def test_boron_and_other_light_elements_said_in_words() -> None:
    run = drive("EELS spectrum at (28, 19.5) nm, then measure where the boron K edge starts")
    assert run.args("measure_edge_onset") | {"acq_id": None} == {"element": "B", "edge": "K", "acq_id": None}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("unit-cell parameters from the previous frame", ["list_acquisitions", "measure_lattice"]),
        (
            "profile the intensity from (2.5, 7) nm to (13, 7) nm on the newest frame",
            ["list_acquisitions", "line_profile"],
        ),
        ("gaussian-blur the last frame", ["list_acquisitions", "denoise_image"]),
        ("map of the accumulated exposure, please", ["get_dose_map"]),
        ("EDX spot at (8, 13) nm; the stage must not move", ["acquire_spectrum"]),
        ("how big is the field at the moment?", ["get_status"]),
        ("Email the facility manager that the grids ran out.", []),
    ],
)
def test_older_wordings_of_analyses_and_questions(text: str, names: list[str]) -> None:
    assert drive(text).names == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("subtract a plane from the topograph we just took", ["list_acquisitions", "plane_level"]),
        ("plane-subtract the topograph from before lunch", ["list_acquisitions", "plane_level"]),
        ("how's the tip doing?", ["get_tip_state"]),
        ("don't change the tip, just rescan", ["get_status", "approach", "acquire_afm_image"]),
        ("AFM frame to 2.5 µm but keep the tip up", ["set_afm_scan"]),
        ("twelve nm on the setpoint", ["set_feedback"]),
        (
            "push on the surface at (300, 550) nm and log force vs distance",
            ["get_status", "approach", "acquire_force_curve"],
        ),
    ],
)
def test_older_afm_wordings(text: str, names: list[str]) -> None:
    assert drive(text, {"get_status": lambda args: AFM_STATUS}).names == names


@pytest.mark.parametrize(
    "text",
    [
        "force-distance curve at the point 500 nm across and 250 nm down",
        "force-distance curve 500 nm from the left edge and 250 nm down",
        "indent 500 nm from the left and 250 nm from the top and log the F-d curve",
    ],
)
def test_a_point_said_by_its_distances_from_the_edges(text: str) -> None:
    run = drive(text, {"get_status": lambda args: AFM_STATUS})
    assert run.names == ["get_status", "approach", "acquire_force_curve"]
    assert run.args("acquire_force_curve") == {"x_nm": 500.0, "y_nm": 250.0}


def test_a_limit_the_frame_must_hold_to() -> None:
    text = "we're only allowed 3 µs per pixel on this flake, so take a HAADF if that holds"
    assert drive(text).names == ["get_status"]  # status: 4 µs, over the limit
    assert drive("C3 of three-quarters of a millimetre").calls == [("set_optics", {"cs_um": 750.0})]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Their Fig. 3c was a 12.5 nm field at 896 × 896 pixels; set our scan to that",
            [("get_status", {}), ("set_scan", {"fov_nm": 12.5, "pixels": 896})],  # a field alone: which instrument
        ),
        (
            'Methods say "a probe current of 3.8 × 10^-11 A" - set that on our probe',
            [("set_beam", {"current_pa": 38.0})],
        ),
        (
            "EELS collection semi-angle was 34 mrad [7]. Please repeat that.",
            [("set_detectors", {"eels_collection_mrad": 34.0})],
        ),
        (
            "Stage 1.2 µm right, like the step between their panels 2a and 2b",
            [("move_stage", {"x_um": 1.2, "relative": True})],
        ),
        (
            "Cut the dwell time by 25% from where it is now (they went shorter to limit damage)",
            [("get_status", {}), ("set_scan", {"dwell_us": 3.0})],
        ),
        (
            "Zoom out 12x, I need to find a region like the one in Fig. 4",
            [("get_status", {}), ("set_scan", {"fov_nm": 384.0})],
        ),
    ],
)
def test_a_protocol_quoted_with_figures_citations_and_notation(
    text: str, calls: list[tuple[str, dict[str, float]]]
) -> None:
    assert drive(text).calls == calls


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("One frame with the present settings if its dose is below 1.2x10^3 e-/Å^2", ["get_status", "acquire_image"]),
        ("One frame with the present settings if its dose is below 2.5e2 e-/Å^2", ["get_status"]),  # 480 e/Å² a frame
    ],
)
def test_a_dose_limit_in_scientific_notation(text: str, runs: list[str]) -> None:
    assert drive(text).names == runs
