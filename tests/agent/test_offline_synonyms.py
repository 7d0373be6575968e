"""The offline planner on everyday verbs for a tool's action (``synonyms``) and on settings changed by a factor of
their present value (``relative_settings``), each rule tried on wordings other than the one that first showed it."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS
from tests.agent.test_offline_negation import NEGATIONS

AFM = {"get_status": lambda args: AFM_STATUS}


@pytest.mark.parametrize("text", ["kill the beam", "cut the beam please", "block the beam", "stop beam"])
def test_a_beam_killed_cut_or_blocked_is_blanked(text: str) -> None:
    assert drive(text).calls == [("set_beam", {"blanked": True})]


@pytest.mark.parametrize("text", ["don't kill the beam, take an image", "take an image but never cut the beam"])
def test_a_negated_synonym_forbids_the_verb_it_stands_for(text: str) -> None:
    assert drive(text).names == ["acquire_image"]


@pytest.mark.parametrize(
    ("text", "mrad"), [("open the probe up to 35 mrad", 35.0), ("probe angle 22 mrad", 22.0), ("go to 18 mrads", 18.0)]
)
def test_an_angle_in_mrad_is_the_convergence_semi_angle(text: str, mrad: float) -> None:
    assert drive(text).calls == [("set_optics", {"convergence_mrad": mrad})]


def test_a_word_ending_in_be_does_not_make_up_to_a_limit() -> None:
    run = drive("open the probe up to 35 mrad, then take an image")
    assert run.calls == [("set_optics", {"convergence_mrad": 35.0}), ("acquire_image", {})]


def test_up_to_after_a_keep_verb_is_still_a_limit() -> None:
    assert "set_beam" not in drive("the current must be up to 40 pA, take an image").names


@pytest.mark.parametrize(
    ("text", "tilt"),
    [
        ("tip the holder 5° in beta", {"beta_deg": 5.0}),
        ("rock the holder to 10 degrees", {"alpha_deg": 10.0}),
        ("tilt the sample to -3°", {"alpha_deg": -3.0}),
    ],
)
def test_tipping_or_rocking_the_holder_tilts_the_stage(text: str, tilt: dict[str, float]) -> None:
    assert drive(text).calls == [("move_stage", tilt)]


@pytest.mark.parametrize(
    "text",
    [
        "park the stage at the origin",
        "put the stage back to zero",
        "send the stage home",
        "reset the stage position",
        "return the holder to the origin",
    ],
)
def test_a_stage_parked_sent_or_reset_home_goes_to_the_origin(text: str) -> None:
    assert drive(text).calls == [("move_stage", {"x_um": 0.0, "y_um": 0.0})]


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("bump the sample 200 nm to the left", {"x_um": -0.2}),
        ("jog it 50 nm to the right", {"x_um": 0.05}),
        ("nudge the specimen 1 um up", {"y_um": 1.0}),
        ("move the stage by 0.5 um in -x", {"x_um": -0.5}),
        ("shift the sample 300 nm down", {"y_um": -0.3}),
    ],
)
def test_a_bump_jog_or_nudge_is_a_relative_stage_move_left_and_down_negative(text: str, move: dict[str, float]) -> None:
    assert drive(text).calls == [("move_stage", {**move, "relative": True})]


@pytest.mark.parametrize(
    "text", ["get the tip off the surface", "pull the cantilever away from the sample", "lift the tip off the surface"]
)
def test_taking_the_tip_off_the_surface_withdraws_it(text: str) -> None:
    assert drive(text, AFM).names == ["withdraw"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("swap the MoS2 out for graphene", "graphene"),
        ("replace the STO with the gold sample", "gold_nanoparticles"),
        ("exchange the graphene for MoS2", "mos2"),
        ("swap out the polymer blend for the PZT", "afm_ferroelectric"),
    ],
)
def test_a_swap_naming_the_specimen_taken_out_loads_the_one_put_in(text: str, name: str) -> None:
    assert drive(text).calls == [("list_specimens", {}), ("load_specimen", {"name": name})]


def test_a_tip_swapped_for_a_new_one_is_a_tip_change_not_a_load() -> None:
    assert drive("replace the tip with a new one", AFM).names == ["change_tip"]


@pytest.mark.parametrize(
    ("text", "name"), [("I need the polymer blend now", "afm_polymer_blend"), ("we want the STO", "srtio3")]
)
def test_a_specimen_wanted_in_so_many_words_is_loaded_when_it_is_not_in(text: str, name: str) -> None:
    run = drive(text)
    assert run.names == ["get_status", "list_specimens", "load_specimen"] and run.args("load_specimen") == {
        "name": name
    }


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("double the field of view", ("set_scan", {"fov_nm": 64.0})),
        ("halve the dwell", ("set_scan", {"dwell_us": 2.0})),
        ("cut the dwell time in half", ("set_scan", {"dwell_us": 2.0})),
        ("triple the pixels", ("set_scan", {"pixels": 768})),
        ("make the field of view 3x bigger", ("set_scan", {"fov_nm": 96.0})),
        ("reduce the current by a factor of 2", ("set_beam", {"current_pa": 15.0})),
        ("the current twice as high please", ("set_beam", {"current_pa": 60.0})),
    ],
)
def test_a_setting_scaled_by_a_factor_is_the_present_value_times_it(
    text: str, call: tuple[str, dict[str, float]]
) -> None:
    assert drive(text).calls == [("get_status", {}), call]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("double the scan size", ("set_afm_scan", {"size_nm": 2000.0})),
        ("halve the line rate", ("set_afm_scan", {"rate_hz": 0.5})),
    ],
)
def test_an_afm_scan_scaled_by_a_factor_starts_from_the_afm_status(
    text: str, call: tuple[str, dict[str, float]]
) -> None:
    assert drive(text, AFM).calls == [("get_status", {}), call]


@pytest.mark.parametrize(
    ("text", "fov_nm"), [("zoom in 2x", 16.0), ("zoom out by a factor of 4", 128.0), ("4x zoom", 8.0)]
)
def test_a_zoom_by_a_number_divides_or_multiplies_the_present_field_of_view_and_sets_it(
    text: str, fov_nm: float
) -> None:
    assert drive(text).calls == [("get_status", {}), ("set_scan", {"fov_nm": fov_nm})]


@pytest.mark.parametrize("text", ["zoom out", "mag up", "zoom in a little"])
def test_a_zoom_without_a_number_is_a_look_at_the_new_field(text: str) -> None:
    assert drive(text).names == ["get_status", "set_scan", "acquire_image"]


@pytest.mark.parametrize("text", ["is the tip double?", "check for a double tip on the last frame"])
def test_a_double_tip_is_no_factor_on_a_setting(text: str) -> None:
    assert not {"set_scan", "set_afm_scan"} & set(drive(text, AFM).names)


def test_a_scaled_setting_the_status_does_not_report_is_said_and_not_set() -> None:
    run = drive("double the dwell", {"get_status": lambda args: {"settings": {"scan": {}}}})
    assert run.names == ["get_status"] and "dwell is unknown" in run.answer


SYNONYM_ACTIONS = [
    ("kill the beam", "set_beam"),
    ("open the probe up to 35 mrad", "set_optics"),
    ("bump the sample 200 nm to the left", "move_stage"),
    ("tip the holder 5 degrees in beta", "move_stage"),
    ("park the stage at the origin", "move_stage"),
    ("swap the MoS2 out for graphene", "load_specimen"),
    ("double the field of view", "set_scan"),
    ("zoom in 2x", "set_scan"),
]


@pytest.mark.parametrize("negation", NEGATIONS)
@pytest.mark.parametrize(("phrase", "tool"), SYNONYM_ACTIONS)
def test_every_synonym_in_every_negation_form_leaves_its_tool_uncalled(negation: str, phrase: str, tool: str) -> None:
    for text in (negation.format(a=phrase), f"count the atoms, but {negation.format(a=phrase)}"):
        assert tool not in drive(text).names, text


@pytest.mark.parametrize(
    "text", ["bring the tip down", "lower the tip onto the surface", "touch down", "get the cantilever into contact"]
)
def test_bringing_the_tip_down_approaches_it(text: str) -> None:
    assert drive(text, AFM).names == ["get_status", "approach"]


@pytest.mark.parametrize(
    ("text", "names"), [("lift off", ["withdraw"]), ("back off, then change the tip", ["withdraw", "change_tip"])]
)
def test_lifting_or_backing_off_withdraws_the_tip(text: str, names: list[str]) -> None:
    assert drive(text, AFM).names == names


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("measure the spacing", "measure_lattice"),
        ("clean up the noise", "denoise_image"),
        ("smooth the image", "denoise_image"),
    ],
)
def test_everyday_names_of_an_analysis_run_it(text: str, tool: str) -> None:
    assert drive(text).names == ["acquire_image", tool]


def test_a_scan_rotation_without_a_unit_is_in_degrees() -> None:
    assert drive("scan rotation 30").calls[-1] == ("set_scan", {"rotation_deg": 30.0})


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("switch over to STO", "srtio3"),
        ("change samples to gold", "gold_nanoparticles"),
        ("pop the grating in", "afm_grating"),
    ],
)
def test_more_ways_of_changing_the_specimen_load_it(text: str, name: str) -> None:
    assert drive(text).calls == [("list_specimens", {}), ("load_specimen", {"name": name})]


def test_a_specimen_one_moves_on_to_that_is_in_already_is_not_reloaded() -> None:
    assert "load_specimen" not in drive("let's do MoS2 next").names


@pytest.mark.parametrize("text", ["chemical analysis at the centre", "elemental analysis in the middle"])
def test_a_chemical_analysis_is_a_spectrum_and_its_elements(text: str) -> None:
    assert drive(text).names == ["get_status", "acquire_spectrum", "identify_elements"]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("cut the beam current to 10 pA", ("set_beam", {"current_pa": 10.0})),
        ("stop the beam damage by lowering the current to 5 pA", ("set_beam", {"current_pa": 5.0})),
    ],
)
def test_a_beam_setting_cut_or_stopped_is_that_setting_not_a_blank(
    text: str, call: tuple[str, dict[str, float]]
) -> None:
    assert drive(text).calls == [call]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("focus 10 nm under", ("set_optics", {"defocus_nm": -10.0})),
        ("put the focus at -8 nm", ("set_optics", {"defocus_nm": -8.0})),
        ("change the focus to 4 nm", ("set_optics", {"defocus_nm": 4.0})),
    ],
)
def test_a_focus_put_at_a_value_is_a_defocus_setting_not_an_autofocus(
    text: str, call: tuple[str, dict[str, float]]
) -> None:
    assert drive(text).calls == [call]


@pytest.mark.parametrize("text", ["stigmate", "stigmate the image"])
def test_stigmating_checks_and_fixes_the_astigmatism(text: str) -> None:
    assert drive(text).names == ["get_status", "acquire_image", "focus_quality"]
