"""The planner's answers: short sentences with the figures and their uncertainty, warnings when a tool doubts its
own result, failures said as failures, what may come next, and no tool-call log."""

from __future__ import annotations

from tests.agent.planner_harness import drive


def test_a_failed_autofocus_is_said_to_have_failed_and_its_defocus_is_not_called_best_focus() -> None:
    failed = {"success": False, "defocus_nm": -10.0, "message": "Sharpness hardly changes with focus (vacuum)."}
    run = drive("autofocus please", {"autofocus": lambda args: failed})
    assert "Best focus" not in run.answer
    assert "autofocus failed: Sharpness hardly changes with focus (vacuum)." in run.answer
    assert "The defocus stays at -10 nm" in run.answer and "move to an area with structure" in run.answer


def test_a_result_the_tool_calls_unreliable_leads_with_a_warning_and_its_reason() -> None:
    lattice = {"a_nm": 0.39, "reliable": False, "reliability_note": "fewer than three lattice periods in view"}
    run = drive("measure the lattice spacing", {"measure_lattice": lambda args: lattice})
    assert run.answer.splitlines()[0] == "Lattice constant a 0.39 nm."
    assert (
        "Warning: the measure_lattice result is not reliable: fewer than three lattice periods in view." in run.answer
    )


def test_a_figure_is_given_with_the_uncertainty_the_tool_reports() -> None:
    steps = {"acquisition_id": "a0011", "step_nm": 0.314, "step_std_nm": 0.012}
    run = drive("measure the step height", {"step_height": lambda args: steps})
    assert "Step height 0.314 ± 0.012 nm." in run.answer


def test_an_answer_is_sentences_not_a_tool_log_and_says_what_may_come_next() -> None:
    run = drive("fov 20 nm, 256 px then grab a HAADF frame and count the atoms")
    assert run.answer.splitlines()[0] == "Atomic columns found 57."
    assert "Done (" not in run.answer and "- acquire_image:" not in run.answer and "entries" not in run.answer
    assert "Scan set: fov 20 nm, pixels 256." in run.answer
    assert run.answer.endswith("You may want to measure the lattice or look for defects in the same image next.")


def test_an_instrument_question_is_answered_from_the_status_in_one_sentence() -> None:
    assert drive("How big is a pixel?").answer == "A pixel is 0.125 nm across (32 nm field of view over 256 pixels)."
    assert drive("kV?").answer == "The beam energy is 80 kV."
    assert drive("what's Cs").answer == "Cs (spherical aberration) is 1 µm."
    run = drive("what's the dose so far")
    assert run.names == ["get_status"] and run.answer.startswith("So far 12.5 e⁻/Å² have been used")


def test_a_sequence_of_changes_and_images_runs_every_step_in_order_and_compares_the_images() -> None:
    sharpness = iter([{"sharpness": 0.2}, {"sharpness": 0.5}])
    run = drive(
        "defocus by 50 nm, take an image, then autofocus and take another image and compare them",
        {"focus_quality": lambda args: next(sharpness)},
    )
    assert run.names == ["set_optics", "acquire_image", "autofocus", "acquire_image", "focus_quality", "focus_quality"]
    assert run.answer.startswith("The second image is sharper: sharpness 0.2 for the first, 0.5 for the second.")


def test_a_change_between_two_images_is_made_between_them() -> None:
    run = drive("take an image, then set the fov to 10 nm and take another image")
    assert run.calls == [("acquire_image", {}), ("set_scan", {"fov_nm": 10.0}), ("acquire_image", {})]


def test_a_drift_check_leaves_the_interval_to_the_tool_that_reads_it_from_the_frames() -> None:
    run = drive("estimate the drift")
    assert run.calls[-1] == ("estimate_drift", {"first_acq_id": "a0007", "second_acq_id": "a0007"})
    assert "Drift rate 0.21 nm/s." in run.answer


def test_a_stated_uncertainty_is_given_before_the_spread_of_what_was_averaged() -> None:
    steps = {"acquisition_id": "a0011", "step_nm": 0.314, "step_std_nm": 0.0003, "step_uncertainty_nm": 0.003}
    run = drive("measure the step height", {"step_height": lambda args: steps})
    assert "Step height 0.314 ± 0.003 nm" in run.answer
