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
