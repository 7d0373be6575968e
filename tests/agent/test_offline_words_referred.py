"""Wordings of quoted protocols and narrated demos: a value said in one sentence and asked for by reference in the
next, context that names another group's values or the part of a talk, and shapes of places, boxes, sequences and
limits said in full sentences."""

from __future__ import annotations

import pytest

from copilot.agent.offline.referred import referred
from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Their beam energy was 40 kV higher than ours; raise ours by that amount",
            [("get_status", {}), ("set_beam", {"energy_kv": 120.0})],  # status: 80 kV
        ),
        (
            "The dark-field images used semi-angles of 64-188 mrad. Set our HAADF to that range.",
            [("set_detectors", {"haadf_inner_mrad": 64.0, "haadf_outer_mrad": 188.0})],
        ),
        (
            "They kept the probe current below 45 pA. If ours is also under that, take a HAADF at 17.5 nm.",
            [("get_status", {}), ("set_scan", {"fov_nm": 17.5}), ("acquire_image", {"detector": "HAADF"})],
        ),
        ("Their convergence semi-angle was 19 mrad. What is ours?", [("get_status", {})]),
    ],
)
def test_a_value_asked_for_by_reference_takes_the_one_the_sentence_before_says(
    text: str, calls: list[tuple[str, dict[str, object]]]
) -> None:
    assert drive(text).calls == calls


def test_a_limit_referred_to_that_is_broken_runs_nothing() -> None:
    run = drive("The protocol kept the probe current under 20 pA. If ours is below that, take a HAADF at 17.5 nm.")
    assert run.names == ["get_status"]  # status: 30 pA, above the limit


@pytest.mark.parametrize(
    "text",
    [
        "The paper used 12 nm and 30 nm fields. Set our scan to that.",  # two values: which one?
        "Set our scan to that.",  # no sentence before
    ],
)
def test_a_reference_with_no_one_value_before_it_is_left_as_said(text: str) -> None:
    low = text.lower()
    assert referred(low) == low


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Did the frame from this morning show any vacancies? The paper reports one per 12 nm².",
            [("list_acquisitions", {}), ("detect_defects", {"acq_id": "a0005"})],
        ),
        (
            "Please mount the STO with seed 44, the closest match to the 3 nm film in their work",
            [("list_specimens", {}), ("load_specimen", {"name": "srtio3", "seed": 44})],
        ),
        ("Present field of view, for comparison with their Table 2", [("get_status", {})]),
        ("Blank the beam while I explain the detector to the group", [("set_beam", {"blanked": True})]),
    ],
)
def test_context_about_a_paper_or_a_talk_asks_for_nothing_more(
    text: str, calls: list[tuple[str, dict[str, object]]]
) -> None:
    assert drive(text).calls == calls


def test_an_instrument_named_in_a_remark_is_not_the_one_meant() -> None:
    run = drive("Withdraw the tip while I talk about the STEM images", {"get_status": lambda args: AFM_STATUS})
    assert run.calls == [("withdraw", {})]


def test_a_technique_named_as_a_part_of_the_protocol_is_not_asked_for() -> None:
    run = drive("Next, for the PFM part of the protocol, the PZT film, seed 61")
    assert run.names == ["get_status", "list_specimens", "load_specimen"]
    assert run.args("load_specimen") == {"name": "afm_ferroelectric", "seed": 61}


def test_a_length_in_a_remark_in_brackets_is_no_field_of_view() -> None:
    run = drive("Two HAADF frames back to back at 27 nm, then estimate the drift (they quote 0.3 nm/min)")
    assert run.names == ["set_scan", "acquire_image", "acquire_image", "estimate_drift"]
    assert run.args("set_scan") == {"fov_nm": 27.0}


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("HAADF collection range to 58-172 mrad", {"haadf_inner_mrad": 58.0, "haadf_outer_mrad": 172.0}),
        ("set the HAADF to 61 to 190 mrad", {"haadf_inner_mrad": 61.0, "haadf_outer_mrad": 190.0}),
    ],
)
def test_an_annulus_set_to_a_range(text: str, call: dict[str, float]) -> None:
    assert drive(text).calls == [("set_detectors", call)]


@pytest.mark.parametrize(
    "text", ["note from Sam - stage 420 nm left plus 0.9 um up", "handover: stage 420 nm left and 0.9 um up"]
)
def test_a_stage_shift_said_in_a_note(text: str) -> None:
    assert drive(text).calls == [("move_stage", {"x_um": -0.42, "y_um": 0.9, "relative": True})]


def test_a_time_of_day_in_pm_before_a_slot_is_no_length() -> None:
    run = drive("put in the graphene, seed 71, for the 4pm session")
    assert run.calls == [("list_specimens", {}), ("load_specimen", {"name": "graphene", "seed": 71})]


def test_a_specimen_put_on_the_instrument_is_loaded() -> None:
    run = drive("Would you put the calibration grating on the AFM? Seed 38.")
    assert run.calls == [("list_specimens", {}), ("load_specimen", {"name": "afm_grating", "seed": 38})]


def test_a_line_said_by_where_it_starts_and_ends() -> None:
    run = drive("Intensity profile on the newest image starting at (3, 14) nm and ending at (22, 6) nm")
    assert run.names == ["list_acquisitions", "line_profile"]
    assert run.args("line_profile") == {"x0_nm": 3.0, "y0_nm": 14.0, "x1_nm": 22.0, "y1_nm": 6.0, "acq_id": "a0005"}


def test_a_square_box_said_by_its_corner() -> None:
    run = drive(
        "On the last topograph, Rq in a 240 nm square box whose corner is at (130, 410) nm?",
        {"get_status": lambda args: AFM_STATUS},
    )
    box = {"x_nm": 130.0, "y_nm": 410.0, "width_nm": 240.0, "height_nm": 240.0}
    assert run.args("roughness") == {**box, "acq_id": "a0005"}


def test_a_map_box_said_by_two_corners() -> None:
    run = drive("EELS map, corners (4, 6.5) nm and (19.5, 27) nm, 48 pixels along x")
    assert run.names == ["acquire_spectrum_image"]
    args = run.args("acquire_spectrum_image")
    assert (args["x_nm"], args["y_nm"], args["width_nm"], args["height_nm"], args["pixels"]) == (4, 6.5, 15.5, 20.5, 48)


@pytest.mark.parametrize(
    "text",
    [
        "1.4 s EDX at (6.5, 21) nm, and after it a 35 ms EELS at (17, 3.5) nm",
        "1.4 s EDX at (6.5, 21) nm followed by a 35 ms EELS at (17, 3.5) nm",
    ],
)
def test_two_spectra_said_with_their_times_first_run_in_order(text: str) -> None:
    assert drive(text).calls == [
        ("acquire_spectrum", {"kind": "EDS", "x_nm": 6.5, "y_nm": 21.0, "dwell_ms": 1400.0}),
        ("acquire_spectrum", {"kind": "EELS", "x_nm": 17.0, "y_nm": 3.5, "dwell_ms": 35.0}),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Overview first at 2.6 µm, then a closer 95 nm image; particle sizes from the closer one",
        "Survey image at 2.6 µm first, then one at 95 nm, and size the particles on the second image",
    ],
)
def test_a_survey_then_a_closer_frame_said_in_words(text: str) -> None:
    run = drive(text)
    assert run.names == ["set_scan", "acquire_image", "set_scan", "acquire_image", "segment_particles"]
    assert [call[1] for call in run.calls if call[0] == "set_scan"] == [{"fov_nm": 2600.0}, {"fov_nm": 95.0}]


@pytest.mark.parametrize(
    "text", ["BF at 23 nm, but the HT and the probe current must not change", "BF at 23 nm; the HT mustn't change"]
)
def test_settings_that_must_not_change_forbid_only_themselves(text: str) -> None:
    assert drive(text).calls == [("set_scan", {"fov_nm": 23.0}), ("acquire_image", {"detector": "BF"})]


def test_the_edge_said_with_its_name_wins_over_the_element_said_first() -> None:
    run = drive("The referee asked about the oxygen edge: EELS at (9, 14) nm and the onset of the O K edge")
    assert run.args("measure_edge_onset") == {"element": "O", "edge": "K", "acq_id": "a0008"}
