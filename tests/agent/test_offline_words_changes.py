"""Wordings several held-out batches share, on what a request changes and bounds: loads said as "swap X in" or "X
mounted", a part or a percentage of the present value, a limit said as a rating, a tip kept up, places and spectra
in Å or in order, and spoken requests (fillers, gains in one word, channels without commas)."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("can u swap the graphene in? seed 12", "graphene"),
        ("we need the STO sample mounted, seed 9", "srtio3"),
        ("I'd like the grain boundary loaded, seed 4", "grain_boundary"),
    ],
)
def test_a_load_said_as_swapped_in_or_mounted_is_a_load(text: str, name: str) -> None:
    run = drive(text)
    assert run.names == ["list_specimens", "load_specimen"] and run.args("load_specimen")["name"] == name


def test_whether_a_specimen_is_mounted_is_a_status_question() -> None:
    run = drive("is the grain boundary sample mounted?")
    assert run.names == ["get_status"] and "mos2" in run.answer


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("pixels per side up 25 percent pls", ("set_scan", {"pixels": 320})),
        ("probe current, knock a third off it", ("set_beam", {"current_pa": 20.0})),
        ("take a fifth off the dwell", ("set_scan", {"dwell_us": 3.2})),
    ],
)
def test_a_part_or_a_percentage_of_the_present_value(text: str, call: tuple[str, dict[str, float]]) -> None:
    assert drive(text).calls == [("get_status", {}), call]  # status: 256 px, 30 pA, 4 µs


@pytest.mark.parametrize(
    ("text", "rate_hz"),
    [("afm lines 40 percent faster pls", 1.4), ("make the lines go three times faster", 3.0)],
)
def test_afm_lines_said_faster_by_a_share_or_a_factor(text: str, rate_hz: float) -> None:
    run = drive(text, {"get_status": lambda args: AFM_STATUS})
    assert run.calls == [("get_status", {}), ("set_afm_scan", {"rate_hz": rate_hz})]  # status: 1 Hz


def test_a_reason_for_a_zoom_asks_for_nothing_more() -> None:
    assert drive("zoom out 6x, lost the particle").calls == [("get_status", {}), ("set_scan", {"fov_nm": 192.0})]


@pytest.mark.parametrize(
    "text",
    [
        "the holder is only good to 120 kV, can u go 200 kV",
        "our holder is rated up to 160 kV; I would like 240 kV",
        "dwell maximum 2 µs for this user; HAADF please",  # status: 4 µs
        "BF of 8 nm, max four thousand e/Å² for frame",  # 7,680 e/Å² at 8 nm and 256 px
    ],
)
def test_a_rating_or_a_maximum_is_a_limit(text: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"], run.names


def test_a_rating_that_allows_the_setting_sets_it() -> None:
    assert drive("the holder is good to 300 kV, go to 200 kV").calls[-1] == ("set_beam", {"energy_kv": 200.0})


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("AFM size 2.6 µm; the tip stays up until I say so", ["set_afm_scan"]),
        ("roughness of the existing topo, tip stays up", ["list_acquisitions", "roughness"]),
        ("keep the tip up, set the afm scan to 2 µm", ["set_afm_scan"]),
    ],
)
def test_a_tip_kept_up_forbids_the_approach(text: str, names: list[str]) -> None:
    assert drive(text, {"get_status": lambda args: AFM_STATUS}).names == names


def test_a_profile_between_two_points_in_angstrom() -> None:
    run = drive("on the last frame a profile from (30, 50) Å to (110, 150) Å")
    assert run.names == ["list_acquisitions", "line_profile"]
    assert run.args("line_profile") | {"acq_id": None} == {
        "x0_nm": 3.0,
        "y0_nm": 5.0,
        "x1_nm": 11.0,
        "y1_nm": 15.0,
        "acq_id": None,
    }


def test_a_spectrum_in_a_point_said_without_parentheses() -> None:
    run = drive("loss spectrum in point 85 Å, 45 Å")
    assert run.calls == [("acquire_spectrum", {"kind": "EELS", "x_nm": 8.5, "y_nm": 4.5})]


def test_two_spectra_in_order_with_their_dwells() -> None:
    run = drive("EDX 0.8 s at (6.5, 3) nm, then EELS 35 ms at (6.5, 12) nm")
    assert run.calls == [
        ("acquire_spectrum", {"kind": "EDS", "x_nm": 6.5, "y_nm": 3.0, "dwell_ms": 800.0}),
        ("acquire_spectrum", {"kind": "EELS", "x_nm": 6.5, "y_nm": 12.0, "dwell_ms": 35.0}),
    ]
    assert drive("first EDX 0.8 s at (6.5, 3) nm, after that 35 ms of EELS at (6.5, 12) nm").calls == run.calls


def test_an_image_said_last_in_a_sequence_is_taken() -> None:
    run = drive("blank, HT 120, unblank, then BF of 45 nm")
    assert run.names == ["set_beam", "set_beam", "set_beam", "set_scan", "acquire_image"]
    assert run.calls[-1] == ("acquire_image", {"detector": "BF"})


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("BF, NL-means, then the vacancies", ["acquire_image", "denoise_image", "detect_defects"]),
        ("EELS point at (9, 13) nm, then where the oxygen K edge begins", ["acquire_spectrum", "measure_edge_onset"]),
        ("new frame then the atoms, scan settings stay as they are", ["acquire_image", "find_atoms"]),
        ("can u check the dwell real quick", ["get_status"]),
        ("for the 3 a.m. slot: graphene, seed 31", ["get_status", "list_specimens", "load_specimen"]),
        ("C3 please on 1.1 millimetre", ["set_optics"]),
    ],
)
def test_shorthand_steps_of_a_night_shift(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_particles_sized_between_two_lengths_on_the_last_frame() -> None:
    run = drive("on the previous frame only count particles 3.5 to 14 nm across")
    assert run.names == ["list_acquisitions", "segment_particles"]
    assert run.args("segment_particles") | {"acq_id": None} == {
        "min_diameter_nm": 3.5,
        "max_diameter_nm": 14.0,
        "acq_id": None,
    }


def test_a_length_said_first_is_the_field_of_two_frames_for_the_drift() -> None:
    run = drive("38 nm, two BF frames in a row, how bad is the drift?")
    assert run.names == ["set_scan", "acquire_image", "acquire_image", "estimate_drift"]
    assert run.calls[0] == ("set_scan", {"fov_nm": 38.0})


def test_a_tilt_removed_from_past_data_is_a_plane_levelling() -> None:
    run = drive("remove the tilt from the topograph of the previous user", {"get_status": lambda args: AFM_STATUS})
    assert run.names == ["list_acquisitions", "plane_level"]
    assert drive("remove the stage tilts").calls == [("move_stage", {"alpha_deg": 0.0, "beta_deg": 0.0})]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("give the dwell another two and a half microseconds", ("set_scan", {"dwell_us": 6.5})),
        ("ninety six more pixels per side please", ("set_scan", {"pixels": 352})),
        ("could you bring the probe current down by a fifth", ("set_beam", {"current_pa": 24.0})),
    ],
)
def test_more_changes_said_against_the_present_value(text: str, call: tuple[str, dict[str, float]]) -> None:
    assert drive(text).calls == [("get_status", {}), call]  # status: 4 µs, 256 px, 30 pA


def test_an_aberration_direction_after_a_decimal_length() -> None:
    assert drive("astigmatism 1.5 nm at 35 degrees").calls == [
        ("set_optics", {"astig_nm": 1.5, "astig_angle_deg": 35.0})
    ]


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("one frame as it's set up now if that comes in under 600 e/Å²", ["get_status", "acquire_image"]),
        ("one frame as it's set up now if that comes in under 250 e/Å²", ["get_status"]),  # 480 e/Å² a frame
    ],
)
def test_a_dose_said_to_come_in_under_a_limit(text: str, runs: list[str]) -> None:
    assert drive(text).names == runs


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("um what's the convergence angle at the moment", ["30 mrad"]),
        ("on the AFM what's the scan size and the line rate", ["1000 nm", "1 Hz"]),
        ("what have you got on the AFM right now", ["afm_steps"]),
    ],
)
def test_spoken_status_questions(text: str, said: list[str]) -> None:
    run = drive(text, {"get_status": lambda args: AFM_STATUS} if "AFM" in text else None)
    assert run.names == ["get_status"] and all(value in run.answer for value in said), run.answer


def test_afm_channels_said_without_commas_and_the_area_each_phase_covers() -> None:
    run = drive(
        "bring the tip down and then record height amplitude and phase channels",
        {"get_status": lambda args: AFM_STATUS},
    )
    assert run.args("acquire_afm_image")["channels"] == ["height", "amplitude", "phase"]
    run = drive(
        "height and phase on a new 900 nm scan and then how much area each phase covers",
        {"get_status": lambda args: AFM_STATUS},
    )
    assert run.names[-2:] == ["acquire_afm_image", "domain_fraction"]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("I gain six", ("set_feedback", {"i_gain_per_ms": 6.0})),
        ("P gain two", ("set_feedback", {"p_gain": 2.0})),
    ],
)
def test_a_gain_said_as_one_word_is_set_not_tuned(text: str, call: tuple[str, dict[str, float]]) -> None:
    assert drive(text, {"get_status": lambda args: AFM_STATUS}).calls == [call]


def test_whether_the_tip_is_in_good_shape_reads_its_record() -> None:
    assert drive("is the tip still in good shape", {"get_status": lambda args: AFM_STATUS}).names == ["get_tip_state"]


def test_a_second_place_said_without_its_unit_takes_the_first_ones() -> None:
    run = drive("EELS at 18, 24 nm for 65 ms and after that EDX at 23, 26 for 1.5 seconds")
    assert run.calls == [
        ("acquire_spectrum", {"kind": "EELS", "x_nm": 18.0, "y_nm": 24.0, "dwell_ms": 65.0}),
        ("acquire_spectrum", {"kind": "EDS", "x_nm": 23.0, "y_nm": 26.0, "dwell_ms": 1500.0}),
    ]
