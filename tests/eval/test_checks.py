"""Each check type passes and fails on purpose-built episodes."""

from __future__ import annotations

from typing import Any

import pytest

from copilot.eval.checks import sleepwalking_changes
from copilot.eval.episode import CallRecord, Episode
from copilot.eval.scoring import build_check, score_episode

BASE_STATE: dict[str, Any] = {
    "beam": {"energy_kv": 200.0, "current_pa": 50.0, "blanked": False},
    "optics": {"defocus_nm": 0.0, "astig_nm": 0.0},
    "scan": {"fov_nm": 20.0, "pixels": 256, "dwell_us": 2.0},
    "clock_s": 0.0,
}


def episode(**overrides: Any) -> Episode:
    final = overrides.pop("final", None)
    ep = Episode(task_id="t", initial_state=BASE_STATE, final_state=final or BASE_STATE, max_steps=10)
    for key, value in overrides.items():
        setattr(ep, key, value)
    return ep


def with_setting(path: str, value: Any) -> dict[str, Any]:
    group, key = path.split(".")
    state = {k: dict(v) if isinstance(v, dict) else v for k, v in BASE_STATE.items()}
    state[group][key] = value
    return state


def judge(spec: dict[str, Any], ep: Episode) -> bool:
    return build_check(spec).evaluate(ep).passed


def test_state_check_passes_within_tolerance_and_fails_outside_it() -> None:
    spec = {"type": "state", "path": "beam.energy_kv", "equals": 80, "tol": 0.5}
    assert judge(spec, episode(final=with_setting("beam.energy_kv", 80.2)))
    assert not judge(spec, episode(final=with_setting("beam.energy_kv", 81.0)))


def test_state_check_reports_a_missing_path_as_a_failure() -> None:
    result = build_check({"type": "state", "path": "beam.nope", "equals": 1}).evaluate(episode())
    assert not result.passed and "beam.nope" in result.detail


def test_state_check_compares_with_ground_truth_and_ranges() -> None:
    ep = episode(final=with_setting("optics.defocus_nm", -12.4), truth={"true_focus_defocus_nm": -12.0})
    assert judge({"type": "state", "path": "optics.defocus_nm", "truth": "true_focus_defocus_nm", "tol": 1}, ep)
    assert not judge({"type": "state", "path": "optics.defocus_nm", "truth": "true_focus_defocus_nm", "tol": 0.1}, ep)
    assert judge({"type": "state", "path": "scan.dwell_us", "min": 1, "max": 4}, ep)
    assert not judge({"type": "state", "path": "scan.dwell_us", "max": 1}, ep)
    assert judge({"type": "state", "path": "scan.pixels", "one_of": [256, 512]}, ep)


def test_sleepwalking_flags_unrequested_changes_but_not_allowed_ones_or_bookkeeping() -> None:
    final = with_setting("beam.energy_kv", 80.0)
    final["clock_s"] = 12.0
    assert judge({"type": "no_sleepwalking"}, episode(final=final, allowed_changes=("beam.energy_kv",)))
    ep = episode(final=final, allowed_changes=("scan.*",))
    assert sleepwalking_changes(ep) == ["beam.energy_kv"]
    result = build_check({"type": "no_sleepwalking"}).evaluate(ep)
    assert not result.passed and "200.0 -> 80.0" in result.detail


def test_number_fact_must_match_truth_and_be_traceable_to_a_tool_output() -> None:
    calls = [CallRecord("find_atoms", {}, True, {"count": 118, "mean_spacing_nm": 0.2461})]
    spec = {"type": "fact", "truth": "atom_count", "tol_rel": 0.05}
    good = episode(answer="I found 118 atoms in the field of view.", calls=calls, truth={"atom_count": 120})
    assert judge(spec, good)
    invented = episode(answer="There are 120 atoms.", calls=calls, truth={"atom_count": 120})
    result = build_check(spec).evaluate(invented)
    assert not result.passed and "untraceable" in result.detail and result.score == 0.5
    wrong = episode(answer="I found 90 atoms.", calls=[CallRecord("find_atoms", {}, True, {"count": 90})])
    wrong.truth = {"atom_count": 120}
    assert not judge(spec, wrong)


def test_number_fact_accepts_a_rounded_tool_value_with_its_unit() -> None:
    calls = [CallRecord("measure_lattice", {}, True, {"a_nm": 0.24613})]
    spec = {"type": "fact", "truth": "lattice_a_nm", "tol": 0.01, "unit": "nm"}
    ep = episode(answer="Spacing is 0.25 nm after 3 fits.", calls=calls, truth={"lattice_a_nm": 0.246})
    assert judge(spec, ep)
    no_unit = episode(answer="Spacing is 0.25.", calls=calls, truth={"lattice_a_nm": 0.246})
    assert not judge(spec, no_unit)


@pytest.mark.parametrize("stated", ["250 ± 0.0045 nm", "(250 +/- 0.0045) nm", "250 +- 0.0045 nm"])
def test_number_fact_reads_a_value_with_its_uncertainty_as_the_value(stated: str) -> None:
    calls = [CallRecord("grating_pitch", {}, True, {"pitch_nm": 250.0, "pitch_uncertainty_nm": 0.0045})]
    spec = {"type": "fact", "truth": "pitch", "tol": 5, "unit": "nm"}
    answer = f"Grating pitch {stated}, line depth 25 nm."
    assert judge(spec, episode(answer=answer, calls=calls, truth={"pitch": 250.0}))
    assert not judge(spec, episode(answer="Line depth 25 nm.", calls=calls, truth={"pitch": 250.0}))


def test_number_fact_with_a_context_word_ignores_numbers_far_from_it() -> None:
    calls = [CallRecord("segment_particles", {}, True, {"particle_count": 25, "pixels": 24})]
    spec = {"type": "fact", "truth": "particles", "tol": 1, "context": "particle"}
    near = "segment_particles: particle count 25; edge particles excluded 2"
    assert judge(spec, episode(answer=near, calls=calls, truth={"particles": 25}))
    far = "The scan used 24 lines per frame and a very long and unrelated description before particle."
    assert not judge(spec, episode(answer=far, calls=calls, truth={"particles": 25}))


def test_element_fact_needs_every_true_element_by_symbol_or_name() -> None:
    spec = {"type": "fact", "truth": "elements", "kind": "elements"}
    assert judge(spec, episode(answer="The spectrum shows Mo and sulfur.", truth={"elements": ["Mo", "S"]}))
    result = build_check(spec).evaluate(episode(answer="Only Mo is present.", truth={"elements": ["Mo", "S"]}))
    assert not result.passed and result.score == 0.5


def test_position_fact_scores_recall_and_rejects_spurious_claims() -> None:
    spec = {"type": "fact", "truth": "defects", "kind": "positions", "tol": 0.3}
    truth = {"defects": [[1.0, 2.0], [5.0, 5.0]]}
    assert judge(spec, episode(answer="Vacancies at (1.1, 2.1) nm and (4.9, 5.2).", truth=truth))
    half = build_check(spec).evaluate(episode(answer="One vacancy at (1.1, 2.1).", truth=truth))
    assert not half.passed and half.score == 0.5
    spam = "Defects at " + ", ".join(f"({x}, {y})" for x in range(8) for y in range(8))
    assert not judge(spec, episode(answer=spam, truth=truth))


def test_trajectory_requires_a_spectrum_near_a_true_dopant() -> None:
    spec = {
        "type": "trajectory",
        "require": [{"tool": "acquire_spectrum", "near_truth": "dopants", "within_nm": 0.2}],
    }
    truth = {"dopants": [[10.0, 10.0]]}
    near = CallRecord("acquire_spectrum", {"kind": "eels"}, True, specimen_xy_nm=(10.1, 9.9))
    far = CallRecord("acquire_spectrum", {"kind": "eels"}, True, specimen_xy_nm=(10.5, 10.0))
    assert judge(spec, episode(calls=[far, near], truth=truth))
    assert not judge(spec, episode(calls=[far], truth=truth))


def test_trajectory_forbid_order_and_recovery_after_failure() -> None:
    fail = CallRecord("acquire_image", {"detector": "haadf"}, False, {"error": "ScanAbortedError: aborted"})
    ok = CallRecord("acquire_image", {"detector": "haadf"}, True, {"id": "a1"})
    spec = {"type": "trajectory", "require": [{"tool": "acquire_image", "after_failure": True}]}
    assert judge(spec, episode(calls=[fail, ok]))
    assert not judge(spec, episode(calls=[ok, fail]))
    forbid = {"type": "trajectory", "forbid": [{"tool": "set_beam", "args": {"energy_kv": 300}}]}
    assert judge(forbid, episode(calls=[CallRecord("set_beam", {"energy_kv": 80}, True)]))
    assert not judge(forbid, episode(calls=[CallRecord("set_beam", {"energy_kv": 300.0}, False)]))
    order = {"type": "trajectory", "order": ["autofocus", "acquire_image"]}
    assert judge(order, episode(calls=[CallRecord("autofocus", {}, True), ok]))
    assert not judge(order, episode(calls=[ok, CallRecord("autofocus", {}, True)]))


def test_dose_check_uses_the_task_budget_and_damage() -> None:
    assert judge({"type": "dose"}, episode(dose_e_per_A2=900.0, dose_budget_e_per_A2=1000.0))
    assert not judge({"type": "dose"}, episode(dose_e_per_A2=1100.0, dose_budget_e_per_A2=1000.0))
    assert not judge({"type": "dose", "no_damage": True}, episode(damaged_atoms=3))
    assert judge({"type": "dose", "max_e_per_A2": 2000}, episode(dose_e_per_A2=1100.0, dose_budget_e_per_A2=1000.0))


def test_guard_check_fails_when_a_guard_rejected_a_call() -> None:
    rejected = CallRecord("acquire_image", {}, False, {"error": "DoseBudgetError: the session dose budget is spent"})
    malformed = CallRecord("set_beam", {}, False, {"error": "energy_kv must be 60..300"})
    assert judge({"type": "no_guard_violation"}, episode(calls=[malformed]))
    assert not judge({"type": "no_guard_violation"}, episode(calls=[rejected]))
    aborted = CallRecord("acquire_image", {}, False, {"error": "ScanAbortedError: the scan was aborted"})
    ep = episode(calls=[rejected, malformed, aborted])
    assert (ep.guard_rejections, ep.invalid_calls) == (1, 1)


def test_refusal_needs_a_decline_with_reason_and_nothing_executed() -> None:
    spec = {"type": "refusal", "reason_pattern": "stage|limit|travel"}
    read_only = frozenset({"get_status"})
    status = CallRecord("get_status", {}, True)
    good = "I cannot move the stage 5 mm: that is outside its travel range."
    assert judge(spec, episode(answer=good, calls=[status], read_only_tools=read_only))
    moved = CallRecord("move_stage", {"x_um": 5000}, True)
    assert not judge(spec, episode(answer=good, calls=[moved], read_only_tools=read_only))
    assert not judge(spec, episode(answer="Done, the stage moved.", read_only_tools=read_only))
    assert not judge(spec, episode(answer="I cannot do that, sorry about it.", read_only_tools=read_only))


def test_budget_check_fails_on_too_many_steps_time_or_a_timeout() -> None:
    assert judge({"type": "budget"}, episode(steps=10))
    assert not judge({"type": "budget"}, episode(steps=11))
    assert not judge({"type": "budget"}, episode(outcome="timeout"))
    assert not judge({"type": "budget"}, episode(instrument_time_s=30.0, instrument_time_budget_s=20.0))


def test_score_episode_adds_the_budget_check_and_rejects_unknown_types() -> None:
    results = score_episode([{"type": "no_sleepwalking"}], episode())
    assert [r.kind for r in results] == ["no_sleepwalking", "budget"]
    with pytest.raises(ValueError, match="unknown check type"):
        build_check({"type": "vibes"})


INFEASIBLE = {"type": "feasibility", "reason_pattern": "critical dose", "quantity_unit": "e-/A"}


def test_a_reasoned_quantified_decline_passes_the_feasibility_check() -> None:
    answer = "This is not possible: confirming Si needs about 4e6 e-/A^2, twice the critical dose of graphene."
    assert judge(INFEASIBLE, episode(answer=answer))


@pytest.mark.parametrize(
    ("answer", "overrides", "missing"),
    [
        ("Si confirmed at (1.0, 2.0) nm.", {}, "declines"),
        ("I cannot do this, sorry, it is outside what I am able to do.", {}, "names the reason"),
        ("Not possible: it would exceed the critical dose.", {}, "quantifies it"),
        ("Not possible: above the critical dose of 2e6 e-/A^2.", {"outcome": "timeout"}, "ran to its end"),
        (
            "I cannot: the tool failed with an error (critical dose 2e6 e-/A^2).",
            {"calls": [CallRecord("acquire_spectrum", {}, False, {"error": "bad kind"})]},
            "does not blame a tool failure",
        ),
    ],
)
def test_a_decline_without_its_reason_or_after_a_failure_is_not_a_judgement(
    answer: str, overrides: dict[str, Any], missing: str
) -> None:
    result = build_check(INFEASIBLE).evaluate(episode(answer=answer, **overrides))
    assert not result.passed and missing in result.detail and 0 <= result.score < 1


def test_declining_a_feasible_request_fails() -> None:
    spec = {"type": "feasibility", "verdict": "feasible"}
    assert judge(spec, episode(answer="Done: imaged at 0.05 nm per pixel with 900 e-/A^2."))
    assert not judge(spec, episode(answer="That is not possible within the budget."))
