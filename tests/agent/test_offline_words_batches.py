"""Wordings several held-out batches share: a pair of frames either side of focus scored each, stage moves and
tilts said without the usual verbs or units, a survey said with "first" or "wide", and status questions that only
list settings."""

from __future__ import annotations

import pytest

from copilot.agent import CopilotAgent
from copilot.agent.events import Final, ToolCall, ToolResult
from copilot.session import Session
from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS

PAIR = ["set_optics", "acquire_image", "set_optics", "acquire_image", "focus_quality", "focus_quality"]


@pytest.mark.parametrize(
    ("text", "defoci_nm"),
    [
        ("one frame 20 nm under focus and one 20 nm over, score both", [-20.0, 20.0]),
        ("a frame 15 nm underfocus and another 15 nm over, which one's crisper", [-15.0, 15.0]),
        ("one shot at -22 nm defocus, one at +22, which is sharper?", [-22.0, 22.0]),
        ("frame at -8 nm defocus, frame at +8 nm, then score both for sharpness", [-8.0, 8.0]),
    ],
)
def test_a_frame_either_side_of_focus_is_taken_and_each_is_scored(text: str, defoci_nm: list[float]) -> None:
    run = drive(text)
    assert run.names == PAIR
    assert [args["defocus_nm"] for name, args in run.calls if name == "set_optics"] == defoci_nm
    assert "set_scan" not in run.names  # "+8 nm" is a defocus, not a field of view


def test_one_frame_under_focus_alone_is_no_pair() -> None:
    assert drive("take one frame 20 nm under focus").names == ["set_optics", "acquire_image"]


async def test_the_pair_is_scored_on_two_real_frames_and_the_sharper_one_named(session: Session) -> None:
    agent = await CopilotAgent.create(session)
    events = [event async for event in agent.run("one frame 60 nm under focus and one 20 nm over, score both")]
    await agent.aclose()
    assert [e.name for e in events if isinstance(e, ToolCall)] == PAIR
    frames = [e.data["id"] for e in events if isinstance(e, ToolResult) and e.name == "acquire_image"]
    scored = [e.args["acq_id"] for e in events if isinstance(e, ToolCall) and e.name == "focus_quality"]
    assert scored == frames and len(set(frames)) == 2
    sharpness = [e.data["sharpness"] for e in events if isinstance(e, ToolResult) and e.name == "focus_quality"]
    final = events[-1]
    sharper = "second" if sharpness[1] > sharpness[0] else "first"
    assert isinstance(final, Final) and f"The {sharper} image is sharper" in final.text, final.text


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("raise z by 0.4 µm", {"z_um": 0.4, "relative": True}),
        ("park the stage at 2.5 µm in x and minus 3 µm in y", {"x_um": 2.5, "y_um": -3.0}),
        ("stage: 1.5 µm in x, -2.5 µm in y", {"x_um": 1.5, "y_um": -2.5}),
        ("scoot left by three hundred nanometres", {"x_um": -0.3, "relative": True}),
        ("move up a quarter micron and right 40 nm", {"y_um": 0.25, "x_um": 0.04, "relative": True}),
        ("relative move: right 200 nm, up 150 nm", {"x_um": 0.2, "y_um": 0.15, "relative": True}),
        ("tilt the holder to minus twelve in alpha", {"alpha_deg": -12.0}),
        ("alpha to fourteen", {"alpha_deg": 14.0}),
        ("give beta one and a half more degrees", {"beta_deg": 1.5, "relative": True}),
        ("beta four more degrees", {"beta_deg": 4.0, "relative": True}),
        ("move the stage by 40 nm in x", {"x_um": 0.04, "relative": True}),
    ],
)
def test_stage_moves_said_in_other_words(text: str, move: dict[str, object]) -> None:
    run = drive(text)
    assert run.calls == [("move_stage", move)]


def test_a_place_in_micrometres_after_to_is_a_stage_move_before_the_rest() -> None:
    run = drive("over to (-1.2, 2.5) µm, autofocus, a HAADF and the column positions")
    assert run.calls[0] == ("move_stage", {"x_um": -1.2, "y_um": 2.5})
    assert run.names == ["move_stage", "autofocus", "acquire_image", "find_atoms"]


@pytest.mark.parametrize(
    ("text", "fovs_nm", "analysis"),
    [
        (
            "survey 1.8 µm wide first, then go to 70 nm and size the particles there",
            [1800.0, 70.0],
            "segment_particles",
        ),
        ("0.9 µm overview first, then 45 nm, and the particle count on the second", [900.0, 45.0], "segment_particles"),
        ("2 µm survey, then down to 35 nm, and a defect search on that frame", [2000.0, 35.0], "detect_defects"),
    ],
)
def test_a_survey_then_a_closer_frame_said_with_first_or_down_to(
    text: str, fovs_nm: list[float], analysis: str
) -> None:
    run = drive(text)
    assert run.names == ["set_scan", "acquire_image", "set_scan", "acquire_image", analysis]
    assert [args["fov_nm"] for name, args in run.calls if name == "set_scan"] == fovs_nm


@pytest.mark.parametrize(
    ("text", "afm", "said"),
    [
        ("probe current and dwell time, please", False, ["30 pA", "4 µs"]),
        ("field width and dwell, quickly", False, ["32 nm", "4 µs"]),
        ("convergence angle and field of view, for my notes", False, ["30 mrad", "32 nm"]),
        ("seconds per frame with what's set now?", False, ["0.28 s"]),
        ("frame acquisition time at the present settings?", False, ["0.28 s"]),
        ("what's one px worth in nm right now?", False, ["0.125 nm"]),
        ("Hi, a quick one: what accelerating voltage is the STEM at? Thanks", False, ["80 kV"]),
        ("FOV? just read it", False, ["32 nm"]),
        ("AFM setpoint and lines per second?", True, ["14 nm", "1 Hz"]),
        ("what line rate and pixel count is the AFM set to?", True, ["1 Hz", "256"]),
        ("is the step sample still on the AFM?", True, ["afm_steps"]),
    ],
)
def test_status_questions_that_list_settings_are_answered_from_the_status(
    text: str, afm: bool, said: list[str]
) -> None:
    run = drive(text, {"get_status": lambda args: AFM_STATUS} if afm else {})
    assert run.names == ["get_status"]
    assert all(value in run.answer for value in said), run.answer


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("what have we got in the sample cupboard?", "list_specimens"),
        ("specimen list please", "list_specimens"),
        ("has the tip worn much?", "get_tip_state"),
        ("how much wear has the tip seen?", "get_tip_state"),
    ],
)
def test_the_specimen_list_and_the_tip_wear_in_other_words(text: str, tool: str) -> None:
    assert drive(text, {"get_status": lambda args: AFM_STATUS}).names == [tool]


def test_counting_is_still_an_action_outside_a_pixel_count() -> None:
    assert drive("count the atoms on a new HAADF frame").names[-1] == "find_atoms"


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("EELS SI x 1-11, y 5-8 nm, 40 px", (1.0, 5.0, 10.0, 3.0)),
        ("EDX SI over (4, 6)-(10, 13) nm, 28 px", (4.0, 6.0, 6.0, 7.0)),
        ("EDX mapping of the box x 2-8 nm by y 0-6 nm, 22 px wide", (2.0, 0.0, 6.0, 6.0)),
        ("EELS SI of the 6 nm square in the top-left corner, 18 pixels across", (0.0, 0.0, 6.0, 6.0)),
    ],
)
def test_spectrum_images_drawn_in_other_words(text: str, region: tuple[float, ...]) -> None:
    run = drive(text)
    assert run.names == ["acquire_spectrum_image"]
    args = run.args("acquire_spectrum_image")
    assert (args["x_nm"], args["y_nm"], args["width_nm"], args["height_nm"]) == region


@pytest.mark.parametrize(
    "text",
    [
        "EDS spectrum image of x 1-7 nm, y 1-7 nm, 24 px, and then tell me the elements",
        "map x 0 to 6 nm by y 3 to 9 nm with EDS at 18 px, then tell the class what's in it",
        "EELS SI over x 2-10 nm, y 2-6 nm with 30 px, then what elements turn up",
    ],
)
def test_a_drawn_map_then_its_elements_reads_no_status(text: str) -> None:
    assert drive(text).names == ["acquire_spectrum_image", "identify_elements"]


@pytest.mark.parametrize(
    "text",
    [
        "EDX dead centre of the FOV for 1.2 s, elements?",
        "park the probe dead centre, EELS for a tenth of a second, and name the elements",
    ],
)
def test_a_spectrum_at_the_centre_then_its_elements(text: str) -> None:
    assert drive(text).names == ["get_status", "acquire_spectrum", "identify_elements"]


def test_two_spectra_said_with_after_that_are_taken_in_order() -> None:
    run = drive("EELS on (3, 4) nm first, and after that an EDS on (9, 4) nm")
    assert run.calls == [
        ("acquire_spectrum", {"kind": "EELS", "x_nm": 3.0, "y_nm": 4.0}),
        ("acquire_spectrum", {"kind": "EDS", "x_nm": 9.0, "y_nm": 4.0}),
    ]
    run = drive("first an EDX spot at 6 nm, 11 nm, afterwards EELS at 6 nm, 3 nm for 120 ms")
    assert [args for _, args in run.calls] == [
        {"kind": "EDS", "x_nm": 6.0, "y_nm": 11.0},
        {"kind": "EELS", "x_nm": 6.0, "y_nm": 3.0, "dwell_ms": 120.0},
    ]


def test_a_square_placed_at_its_corner_is_the_region_of_a_past_topograph_not_a_scan_size() -> None:
    run = drive(
        "Rq over the 300 nm square at (100, 80) nm of the previous topograph", {"get_status": lambda a: AFM_STATUS}
    )
    assert run.names == ["list_acquisitions", "roughness"]
    args = run.args("roughness")
    assert (args["x_nm"], args["y_nm"], args["width_nm"], args["height_nm"]) == (100.0, 80.0, 300.0, 300.0)


def test_name_the_elements_is_no_file_name() -> None:
    run = drive("take a HAADF, export it as png, name it run_7")
    assert run.args("export_acquisition")["name"] == "run_7"


@pytest.mark.parametrize(
    "text",
    [
        "3 nA for faster EDX?",
        "six nanoamps for a quick EDX, can we?",
        "let's try 2 nA so the EDX counts come in quickly",
        "could each pixel get two milliseconds?",
        "40 µm field for a bird's-eye view",
    ],
)
def test_a_value_no_instrument_can_take_is_declined_without_reading_the_status(text: str) -> None:
    run = drive(text)
    assert run.calls == [] and "outside the range" in run.answer


def test_a_value_only_one_instrument_can_take_still_reads_which_is_loaded() -> None:
    assert drive("scan 3 µm").names == ["get_status", "set_scan"]


def test_a_purpose_said_with_the_current_asks_for_no_spectrum() -> None:
    assert drive("set 500 pA for faster EDX").calls == [("set_beam", {"current_pa": 500.0})]


@pytest.mark.parametrize(
    "text", ["a 12 nm bright-field, and leave the focus untouched", "40 nm bright-field, hands off the focus"]
)
def test_a_bright_field_said_as_the_image_with_the_focus_left_alone(text: str) -> None:
    run = drive(text)
    assert run.names == ["set_scan", "acquire_image"] and run.args("acquire_image") == {"detector": "BF"}


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("provided we're under 50 pA, take a 26 nm BF", ["get_status", "set_scan", "acquire_image"]),
        ("provided we're under 20 pA, take a 26 nm BF", ["get_status"]),
        ("is the probe at or under 45 pA? if so, HAADF at 21 nm", ["get_status", "set_scan", "acquire_image"]),
        ("is the probe at or under 25 pA? if so, HAADF at 21 nm", ["get_status"]),
        ("one frame at the present settings as long as it's 600 e/Å² or less", ["get_status", "acquire_image"]),
        ("one frame at the present settings as long as it's 300 e/Å² or less", ["get_status"]),
    ],
)
def test_a_condition_on_a_setting_is_a_limit_judged_on_the_status(text: str, runs: list[str]) -> None:
    assert drive(text).names == runs  # status: 30 pA, and 480 e/Å² for a frame


@pytest.mark.parametrize(
    "text",
    [
        "HT no higher than 200 kV here, so put it on 260",
        "HT no higher than 120 kV, then go to 160",
        "this holder's max is 200 kV; set 230 kV",
    ],
)
def test_a_setting_past_the_limit_said_with_it_runs_nothing(text: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and "limit" in run.answer


def test_a_setting_within_the_max_said_with_it_is_set() -> None:
    assert drive("the max is 200 kV, so set 150 kV").calls[-1] == ("set_beam", {"energy_kv": 150.0})


def test_until_and_till_draw_a_range() -> None:
    assert drive("dark field detector from 60 till 210 mrad").calls == [
        ("set_detectors", {"haadf_inner_mrad": 60.0, "haadf_outer_mrad": 210.0})
    ]
    run = drive("on newest image a line profile, (4, 1) nm until (16, 12) nm")
    assert run.args("line_profile") | {"acq_id": None} == {
        "x0_nm": 4.0,
        "y0_nm": 1.0,
        "x1_nm": 16.0,
        "y1_nm": 12.0,
        "acq_id": None,
    }


def test_a_direction_said_without_its_article() -> None:
    assert drive("move 1.6 µm to left").calls == [("move_stage", {"x_um": -1.6, "relative": True})]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("the previous image, it is focused or not?", ["list_acquisitions", "focus_quality"]),
        ("the tip, it is worn already?", ["get_tip_state"]),
        ("image at df -7 nm and at df +7 nm, which one is sharper?", PAIR),
    ],
)
def test_questions_in_a_visitors_word_order(text: str, names: list[str]) -> None:
    assert drive(text, {"get_status": lambda args: AFM_STATUS}).names == names


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("how many nm is one pixel at the moment?", ["0.125 nm"]),
        ("frame time and pixel number, please", ["0.28 s", "256"]),
        ("Cs and convergence, for the logbook", ["30 mrad"]),
    ],
)
def test_more_status_questions_that_list_settings(text: str, said: list[str]) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and all(value in run.answer for value in said), run.answer


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("make the field 20 nm bigger than it is", {"fov_nm": 52.0}),
        ("field 10 nm smaller than now", {"fov_nm": 22.0}),
        ("add one and a half µs on the dwell", {"dwell_us": 5.5}),
    ],
)
def test_a_change_said_against_the_present_value(text: str, args: dict[str, float]) -> None:
    assert drive(text).calls == [("get_status", {}), ("set_scan", args)]


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("px 640 dwell 1.6 µs fov 38 nm", {"fov_nm": 38.0, "pixels": 640, "dwell_us": 1.6}),
        ("FOV 44 Å, px 1472", {"fov_nm": 4.4, "pixels": 1472}),
    ],
)
def test_logbook_shorthand_for_the_scan(text: str, args: dict[str, float]) -> None:
    assert drive(text).calls == [("set_scan", args)]


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("BF at 200 nm if the frame stays under fifteen e/Å²", ["get_status", "set_scan", "acquire_image"]),
        ("BF at 200 nm if the frame stays under six e/Å²", ["get_status"]),  # 12.3 e/Å² at 200 nm, 256 px
    ],
)
def test_a_dose_limit_said_in_words_is_checked(text: str, runs: list[str]) -> None:
    assert drive(text).names == runs


def test_an_image_said_over_a_length_is_its_field_not_a_particle_bound() -> None:
    run = drive("BF over 0.9 µm, then size the particles")
    assert run.names == ["set_scan", "acquire_image", "segment_particles"]
    assert run.calls[0] == ("set_scan", {"fov_nm": 900.0}) and "min_diameter_nm" not in run.args("segment_particles")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("after lunch: pitch standard on the afm, seed 12", "afm_grating"),
        ("and then the afm nanoparticle sample, seed sixty", "afm_nanoparticles"),
    ],
)
def test_a_specimen_said_after_the_time_of_day(text: str, name: str) -> None:
    run = drive(text, {"get_status": lambda args: AFM_STATUS})
    assert run.names[-1] == "load_specimen" and run.args("load_specimen")["name"] == name


def test_a_ring_and_a_height_in_nm() -> None:
    assert drive("dark field ring 64 to 210 mrad").calls == [
        ("set_detectors", {"haadf_inner_mrad": 64.0, "haadf_outer_mrad": 210.0})
    ]
    assert drive("put z on 400 nm").calls == [("move_stage", {"z_um": 0.4})]


def test_a_frame_someone_just_took_is_past_data() -> None:
    assert drive("is the frame ana just took in focus?").names == ["list_acquisitions", "focus_quality"]


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
