"""Follow-ups of a step whose result is not good enough yet: autofocus passes (widen a series that peaks at its edge,
refine a coarse one) and a read-noise-limited frame taken again at a higher current within the dose limits."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import Tool, drive

SETTINGS: dict[str, Any] = {
    "beam": {"energy_kv": 80.0, "current_pa": 30.0, "blanked": False},
    "scan": {"fov_nm": 5.0, "pixels": 512, "dwell_us": 4.0, "pixel_size_nm": 0.009766},
    "detectors": {"read_noise_e": 1.5},
}
STARVED_ATOMS = {
    "reliable": False,
    "reliability_note": "no columns stand above the noise (no structure, or too little dose)",
    "atom_count": 0,
}
NO_LATTICE = "NoLatticeError: found 1 significant Fourier peak(s); a lattice needs at least two."


def frames(mean: float, pixel_nm: float = 0.009766, budget: float = 1e8) -> Tool:
    """An acquire_image whose frames have this mean signal per pixel; ids a0001, a0002, ..."""
    count = {"n": 0}

    def run(args: dict[str, Any]) -> dict[str, Any]:
        count["n"] += 1
        return {
            "id": f"a{count['n']:04d}",
            "detector": args.get("detector", "HAADF"),
            "fov_nm": 5.0,
            "pixel_size_nm": pixel_nm,
            "dose_e_per_A2": 78536.0,
            "statistics": {"mean": mean, "std": 1.5},
            "session_dose_used_e_per_A2": 78536.0 * count["n"],
            "session_dose_budget_e_per_A2": budget,
        }

    return run


def setter(args: dict[str, Any]) -> dict[str, Any]:
    return {"settings": SETTINGS}


def answers(*results: dict[str, Any] | str) -> Tool:
    """A tool that gives these results in turn (the last one again after that)."""
    given = list(results)

    def run(args: dict[str, Any]) -> dict[str, Any] | str:
        return given.pop(0) if len(given) > 1 else given[0]

    return run


def test_an_autofocus_that_peaks_at_the_edge_is_widened_then_refined() -> None:
    edge = {"success": False, "defocus_nm": 30.0, "message": "The sharpest frame is at the edge of the series."}
    found = {"success": True, "defocus_nm": -11.2, "message": "Focused at defocus -11.2 nm."}
    fine = {"success": True, "defocus_nm": -16.5, "message": "Focused at defocus -16.5 nm."}
    run = drive("autofocus", {"autofocus": answers(edge, found, fine)})
    assert run.calls == [
        ("autofocus", {}),
        ("autofocus", {"range_nm": 200.0, "steps": 11}),
        ("autofocus", {"range_nm": 40.0, "steps": 11}),
    ]
    assert "Best focus at defocus -16.5 nm" in run.answer
    assert "edge" in run.answer and "failed" not in run.answer  # the superseded failure is not reported as one


def test_a_default_autofocus_that_finds_the_focus_runs_once() -> None:
    assert drive("autofocus").calls == [("autofocus", {})]


def test_an_autofocus_that_keeps_peaking_at_the_edge_is_widened_twice_then_reported() -> None:
    edge = {"success": False, "defocus_nm": 30.0, "message": "The sharpest frame is at the edge of the series."}
    run = drive("autofocus", {"autofocus": answers(edge)})
    assert [args.get("range_nm") for _, args in run.calls] == [None, 200.0, 400.0]
    assert "autofocus failed" in run.answer


def test_a_read_noise_limited_frame_is_taken_again_at_a_higher_current_and_the_analysis_rerun() -> None:
    tools = {"set_scan": setter, "set_beam": setter, "acquire_image": frames(0.1)}
    tools["find_atoms"] = answers(STARVED_ATOMS, {"reliable": True, "atom_count": 1030})
    run = drive("set 5 nm and 512 px, take an image and count the atoms", tools)
    assert run.names == ["set_scan", "acquire_image", "find_atoms", "set_beam", "acquire_image", "find_atoms"]
    assert run.calls[3] == ("set_beam", {"current_pa": 450.0})  # 1.5 e- read noise / 0.1 e- per pixel = 15-fold
    assert run.calls[5] == ("find_atoms", {"acq_id": "a0002"})
    assert "read-noise limited" in run.answer and "30 to 450 pA" in run.answer
    assert "Atomic columns found 1030" in run.answer and "not reliable" not in run.answer


def test_an_analysis_that_failed_for_want_of_signal_is_retried_on_the_brighter_frame() -> None:
    tools = {"set_scan": setter, "set_beam": setter, "acquire_image": frames(0.1)}
    tools["measure_lattice"] = answers(NO_LATTICE, {"a_nm": 0.2415, "b_nm": 0.2415, "gamma_deg": 120.0})
    run = drive("5 nm, 512 px, acquire and measure the lattice", tools)
    assert run.names[-3:] == ["set_beam", "acquire_image", "measure_lattice"]
    assert "Lattice constant a 0.2415 nm" in run.answer and "Stopped" not in run.answer


def test_the_signal_is_raised_once_per_request() -> None:
    tools = {"set_scan": setter, "set_beam": setter, "acquire_image": frames(0.1), "find_atoms": answers(STARVED_ATOMS)}
    run = drive("set 5 nm, take an image and count the atoms", tools)
    assert run.names.count("set_beam") == 1 and run.names.count("find_atoms") == 2
    assert "not reliable" in run.answer


def test_a_frame_above_the_read_noise_or_coarser_than_atomic_is_not_retried() -> None:
    for tools in (
        {"set_scan": setter, "acquire_image": frames(3.0), "find_atoms": answers(STARVED_ATOMS)},
        {"set_scan": setter, "acquire_image": frames(0.1, pixel_nm=0.4), "find_atoms": answers(STARVED_ATOMS)},
    ):
        run = drive("set 5 nm, take an image and count the atoms", tools)
        assert run.names == ["set_scan", "acquire_image", "find_atoms"]


def test_a_partial_verdict_is_reported_not_fought_with_more_dose() -> None:
    noisy = {"reliable": False, "reliability_note": "sub-lattice 1 is too noisy to judge", "vacancies": 1}
    tools = {"set_scan": setter, "acquire_image": frames(0.2), "detect_defects": answers(noisy)}
    run = drive("set 8 nm and find the defects", tools)
    assert run.names == ["set_scan", "acquire_image", "detect_defects"]


def test_a_forbidden_current_change_raises_the_dwell_instead() -> None:
    tools = {"set_scan": setter, "acquire_image": frames(0.1), "find_atoms": answers(STARVED_ATOMS)}
    run = drive("set 5 nm, take an image and count the atoms, don't change the current", tools)
    assert "set_beam" not in run.names
    assert ("set_scan", {"dwell_us": 60.0}) in run.calls


def test_the_raise_stays_within_half_of_the_dose_budget_left() -> None:
    tools = {"set_scan": setter, "set_beam": setter, "acquire_image": frames(0.1, budget=400000.0)}
    tools["find_atoms"] = answers(STARVED_ATOMS)
    run = drive("set 5 nm, take an image and count the atoms", tools)
    # half of the 321464 e-/A^2 left is about 2 frames of 78536 e-/A^2: 30 pA -> 61 pA, not 450 pA
    assert ("set_beam", {"current_pa": 61.0}) in run.calls
    tight = {**tools, "acquire_image": frames(0.1, budget=150000.0)}
    assert "set_beam" not in drive("set 5 nm, take an image and count the atoms", tight).names


def test_without_the_settings_in_this_turn_the_status_is_read_before_the_current_is_raised() -> None:
    status = {"settings": SETTINGS, "dose": {"budget_e_per_A2": 1e8, "used_e_per_A2": 0.0}}
    tools = {"get_status": lambda args: status, "set_beam": setter, "acquire_image": frames(0.1)}
    tools["find_atoms"] = answers(STARVED_ATOMS, {"reliable": True, "atom_count": 1030})
    run = drive("take an image and count the atoms", tools)
    assert run.names == ["acquire_image", "find_atoms", "get_status", "set_beam", "acquire_image", "find_atoms"]


def test_a_dopant_listed_with_its_sub_lattice_index_gets_the_spectrum() -> None:
    found = {"substitutions": 1, "positions_nm": [["vacancy", 6.7, 0.6, 0], ["substitution", 2.79, 4.52, 1]]}
    run = drive("find a dopant and take an EELS spectrum on it", {"detect_defects": lambda args: found})
    assert run.args("acquire_spectrum") == {"kind": "EELS", "x_nm": 2.79, "y_nm": 4.52}


STARVED_TOOLS = {"set_scan": setter, "set_beam": setter, "find_atoms": answers(STARVED_ATOMS)}


@pytest.mark.parametrize(
    ("negated", "tool"),
    [
        ("don't change the beam", "set_beam"),
        ("do not touch the current or the dwell", "set_beam"),
        ("don't take another image", "acquire_image"),
        ("don't change anything", "set_beam"),
        ("never change the scan settings", "set_scan"),
    ],
)
@pytest.mark.parametrize("first", [True, False])
def test_a_follow_up_never_runs_what_the_request_forbids(negated: str, tool: str, first: bool) -> None:
    meant = "take an image and count the atoms"
    text = f"{negated}, {meant}" if first else f"{meant}, {negated}"
    run = drive(text, {**STARVED_TOOLS, "acquire_image": frames(0.1)})
    called = run.names[1:] if tool == "acquire_image" else run.names  # the one image asked for is taken
    assert tool not in called, (text, run.calls)


@pytest.mark.parametrize("limit_pa", [35, 100, 200])
def test_a_raised_current_never_passes_the_requested_bound(limit_pa: int) -> None:
    status = {"settings": SETTINGS, "dose": {"budget_e_per_A2": 1e8, "used_e_per_A2": 0.0}}
    tools = {**STARVED_TOOLS, "get_status": lambda args: status, "acquire_image": frames(0.1)}
    run = drive(f"keep the current below {limit_pa} pA, take an image and count the atoms", tools)
    currents = [args["current_pa"] for name, args in run.calls if name == "set_beam" and "current_pa" in args]
    assert all(current <= limit_pa for current in currents), run.calls
    assert currents or limit_pa < 30 * 1.5  # a bound too close to the present 30 pA leaves the dwell to be raised
