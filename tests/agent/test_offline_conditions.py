"""The offline planner on actions asked under a condition it does not judge (never run, either way, and said), on a
spectrum's time in seconds, and on quantities said in words or written in other ways."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS

CONDITIONAL: list[tuple[str, str]] = [
    ("autofocus", "autofocus"),
    ("refocus", "autofocus"),
    ("take another image", "acquire_image"),
    ("blank the beam", "set_beam"),
    ("move the stage 1 um to the left", "move_stage"),
    ("set the defocus to -5 nm", "set_optics"),
]
CONDITIONS = [
    "{a} only if the focus is bad",
    "if the image is blurry, {a}",
    "{a} unless it is sharp",
    "in case the drift is large, {a}",
    "{a} if it looks noisy",
    "provided that the frame is dark, {a}",
]


@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize(("action", "tool"), CONDITIONAL)
def test_an_action_under_a_condition_the_planner_does_not_judge_is_never_run(
    condition: str, action: str, tool: str
) -> None:
    said = condition.format(a=action)
    run = drive(said)
    assert tool not in run.names and "was not run" in run.answer and "do not judge that condition" in run.answer
    after = drive(f"count the atoms; {said}")  # the count takes its own image: the conditional one adds nothing
    assert after.names == drive("count the atoms").names, after.calls


def test_the_unconditional_part_of_a_request_still_runs() -> None:
    run = drive("take an image, then autofocus if it is blurry")
    assert run.names == ["acquire_image"] and "'autofocus' was not run" in run.answer


def test_what_an_otherwise_asks_for_is_conditional_too() -> None:
    run = drive("if the drift is above 1 nm/s, wait, otherwise take an image")
    assert run.calls == [] and "'take an image' was not run" in run.answer


def test_an_if_needed_the_planner_does_not_judge_is_a_condition() -> None:
    assert drive("autofocus if needed").calls == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("check the stig and fix it if needed", ["get_status", "acquire_image", "focus_quality"]),
        ("take an image and tell me if there is anything unusual", ["acquire_image", "detect_defects"]),
        ("take a 2 nm image if possible", ["get_status", "set_scan", "acquire_image"]),
    ],
)
def test_a_judged_condition_a_whether_and_a_courtesy_are_no_unjudged_condition(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_a_tip_changed_if_double_is_still_judged_by_the_tip_check() -> None:
    run = drive("check the tip; if it is a double tip, change it", {"get_status": lambda args: AFM_STATUS})
    assert "tip_artifact_check" in run.names and "was not run" not in run.answer


@pytest.mark.parametrize(
    ("text", "dwell_ms"),
    [("EDS for 2 s", 2000.0), ("EELS at the centre, 0.5 seconds", 500.0), ("a 1 min EDS at x 3 nm, y 3 nm", 60000.0)],
)
def test_a_spectrum_time_in_seconds_or_minutes_is_its_dwell_in_ms(text: str, dwell_ms: float) -> None:
    assert drive(text).args("acquire_spectrum")["dwell_ms"] == dwell_ms


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("set the field of view to twenty five nm", ("set_scan", {"fov_nm": 25.0})),
        ("twenty-five picoamps", ("set_beam", {"current_pa": 25.0})),
        ("set the dwell to two microseconds", ("set_scan", {"dwell_us": 2.0})),
        ("current two hundred and fifty pA", ("set_beam", {"current_pa": 250.0})),
        ("field of view two point five nm", ("set_scan", {"fov_nm": 2.5})),
        ("a thousand nm field of view", ("set_scan", {"fov_nm": 1000.0})),
        ("go to one hundred and twenty kilovolts", ("set_beam", {"energy_kv": 120.0})),
        ("set the current to 1e3 pA", ("set_beam", {"current_pa": 1000.0})),
        ("fov 500nm", ("set_scan", {"fov_nm": 500.0})),
        ("convergence 25 milliradians", ("set_optics", {"convergence_mrad": 25.0})),
    ],
)
def test_quantities_said_in_words_or_written_otherwise_are_read_whole(
    text: str, call: tuple[str, dict[str, float]]
) -> None:
    assert drive(text).calls == [call]


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("2k x 2k image", {"pixels": 2048}),
        ("a 2 kx2k HAADF", {"pixels": 2048}),
        ("4k by 4k frame please", {"pixels": 4096}),
        ("take an image at 0.5 um", {"fov_nm": 500.0}),
        ("image at half a micron", {"fov_nm": 500.0}),
    ],
)
def test_frame_sizes_and_lengths_written_other_ways_set_the_scan(text: str, setting: dict[str, float]) -> None:
    run = drive(text)
    assert run.args("set_scan") == setting and run.names[-1] == "acquire_image"


@pytest.mark.parametrize("text", ["snap one", "take one image"])
def test_one_said_as_a_count_stays_a_word(text: str) -> None:
    assert drive(text).names[-1] == "acquire_image"


@pytest.mark.parametrize(
    "text",
    [
        "Take a HAADF frame of the MoS2 provided it stays below the critical dose.",
        "Can you image this graphene at 0.05 nm per pixel while staying under 10000 e-/A^2? If so, take the frame.",
        "record one image as long as it fits the dose budget",
    ],
)
def test_a_condition_on_the_dose_is_left_to_the_dose_checks(text: str) -> None:
    run = drive(text)
    assert "acquire_image" in run.names and "was not run" not in run.answer


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("tilt to minus 10 degrees", ("move_stage", {"alpha_deg": -10.0})),
        ("defocus minus five nm", ("set_optics", {"defocus_nm": -5.0})),
        ("fov 1,000 nm", ("set_scan", {"fov_nm": 1000.0})),
        ("energy 200keV", ("set_beam", {"energy_kv": 200.0})),
        ("move x by -0.5 um", ("move_stage", {"x_um": -0.5, "relative": True})),
        ("move the stage in y by 300 nm", ("move_stage", {"y_um": 0.3, "relative": True})),
    ],
)
def test_signs_thousands_and_units_said_other_ways_keep_their_value(
    text: str, call: tuple[str, dict[str, object]]
) -> None:
    assert drive(text).calls == [call]


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("image at 0.05 nm per pixel while staying under 10000 e-/A^2", {"fov_nm": 12.8}),
        ("a 20 nm frame with the current below 50 pA", {"fov_nm": 20.0}),
        ("take an image at 512 px, keeping the dwell under 10 us", {"pixels": 512}),
    ],
)
def test_a_setting_said_in_the_clause_of_a_limit_is_still_set(text: str, setting: dict[str, float]) -> None:
    run = drive(text)
    assert run.args("set_scan") == setting and "acquire_image" in run.names


def test_a_limit_said_after_a_setting_still_bounds_it() -> None:
    run = drive("take an image at 20 nm with the current below 10 pA")
    assert "acquire_image" not in run.names and "current_pa is 30 now" in run.answer


def test_anything_else_is_no_condition() -> None:
    run = drive("count the atoms, nothing else")
    assert run.names == ["acquire_image", "find_atoms"] and "was not run" not in run.answer
