"""Requests in the words of scientists from neighbouring fields: cryo-EM named as a discipline (not a cryo holder),
"we'd call it ..." as context, an apology with "if", a spaced dash ending a negation, "pixel exposure" for the
dwell, "the picture" for the field, "widen it", a factor said in words ("twenty-three times"), and settings kept
"as they are" in a list or "happy with the focus as it is"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("Cryo-EM habit: show me the dose map", [("get_dose_map", {})]),
        ("As a cryo-EM person I'd set the defocus to -35 Å", [("set_optics", {"defocus_nm": -3.5})]),
        ("My SEM images drift with temperature, so take a BF at 90 nm", None),
        ("In our lab we'd just call it the voltage - set it to 185 kV", [("set_beam", {"energy_kv": 185.0})]),
        ("Cs to 0.35 mm - we call it spherical aberration in optics", [("set_optics", {"cs_um": 350.0})]),
        ("sorry if this is basic: swap the sample for the MoS2, seed 71", None),
        ("not a microscopist myself - what specimens do you have?", [("list_specimens", {})]),
        ("field 8.4 nm, resolution 1344 pixels, pixel exposure 2.35 microseconds", None),
        (
            "make the picture six and a half times wider than it is now",
            [("get_status", {}), ("set_scan", {"fov_nm": 208.0})],
        ),
        ("widen it by 46 nm from its present value", [("get_status", {}), ("set_scan", {"fov_nm": 78.0})]),
        (
            "lengthen the pixel exposure by 25 percent from where it is now",
            [("get_status", {}), ("set_scan", {"dwell_us": 5.0})],
        ),
        ("zoom out twenty-six times please", [("get_status", {}), ("set_scan", {"fov_nm": 832.0})]),
    ],
)
def test_neighbouring_fields_words_are_read_as_meant(text: str, calls: Calls | None) -> None:
    run = drive(text)
    if calls is not None:
        assert run.calls == calls
    elif "temperature" in text:
        assert run.names == ["set_scan", "acquire_image"] and run.args("acquire_image") == {"detector": "BF"}
    elif "seed" in text:
        assert run.calls == [("list_specimens", {}), ("load_specimen", {"name": "mos2", "seed": 71})]
    else:
        assert run.calls == [("set_scan", {"fov_nm": 8.4, "pixels": 1344, "dwell_us": 2.35})]


@pytest.mark.parametrize(
    "text", ["cool the grid to cryo temperature", "cryo-transfer the grid", "heat the sample to 400 C"]
)
def test_a_temperature_change_asked_for_is_still_declined(text: str) -> None:
    run = drive(text)
    assert run.calls == [] and "temperature" in run.answer


def test_a_cryo_transfer_holder_rated_below_the_energy_asked_runs_nothing() -> None:
    run = drive("Our cryo-transfer holder is only rated to 150 kV. Please set the voltage to 240 kV.")
    assert "set_beam" not in run.names


@pytest.mark.parametrize(
    "text",
    [
        "BF at 290 nm, but don't refocus - I'm happy with the focus as it is.",
        "a new BF at 290 nm, but leave the defocus, convergence and astigmatism exactly as they are",
    ],
)
def test_settings_kept_as_they_are_are_not_changed_and_the_image_is_taken(text: str) -> None:
    run = drive(text)
    assert run.names == ["set_scan", "acquire_image"] and run.args("set_scan") == {"fov_nm": 290.0}


def test_a_settings_list_left_as_it_is_forbids_each_of_them() -> None:
    run = drive("leave the field, pixels and pixel exposure as they are, then set 40 pA")
    assert run.calls == [("set_beam", {"current_pa": 40.0})]


def test_afm_channels_after_an_stm_habit_are_recorded() -> None:
    run = drive("STM habit: record topography and phase", afm())
    assert run.args("acquire_afm_image") == {"channels": ["height", "phase"]}


def test_how_far_did_things_move_asks_for_the_drift_of_two_frames() -> None:
    run = drive("two BF pictures one after another at 215 nm, and how far did things move?")
    assert run.names == ["set_scan", "acquire_image", "acquire_image", "estimate_drift"]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "go to x = 3.7 µm, y = -1.9 µm, that's where the flake sat on the optical map",
            [("move_stage", {"x_um": 3.7, "y_um": -1.9})],
        ),
        ("field to 150 percent of what it is now", [("get_status", {}), ("set_scan", {"fov_nm": 48.0})]),
        ("px down to 50% of what it is", [("get_status", {}), ("set_scan", {"pixels": 128})]),
        ("take a snapshot at 45 nm", [("get_status", {}), ("set_scan", {"fov_nm": 45.0}), ("acquire_image", {})]),
        ("How wide is the picture at the moment?", [("get_status", {})]),
    ],
)
def test_context_shares_and_snapshots_are_read(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "take a HAADF at 6.5 nm, as long as the beam current has stayed under 45 pA",
            ["get_status", "set_scan", "acquire_image"],
        ),
        ("take a HAADF at 6.5 nm, as long as the beam current has stayed under 25 pA", ["get_status"]),  # status: 30 pA
        (
            "take a snapshot with the settings untouched only if its dose comes in under 700 e/Å²",
            ["get_status", "acquire_image"],
        ),
    ],
)
def test_a_limit_said_as_what_has_stayed_is_checked_first(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_a_cryo_transfer_holder_rating_is_a_limit_not_a_temperature_request() -> None:
    run = drive("Our cryo-transfer holder is only rated to 150 kV. Please set the voltage to 240 kV.")
    assert run.names == ["get_status"] and "temperature" not in run.answer


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("How many seconds does a single snapshot need with things as they're set?", "takes"),
        ("how large is the scan area set?", "1000 nm"),
        ("Is the AFM tip still in decent condition?", None),
    ],
)
def test_questions_in_neighbouring_words_read_the_status(text: str, said: str | None) -> None:
    run = drive(text, afm())
    assert run.names == (["get_tip_state"] if said is None else ["get_status"])
    assert said is None or said in run.answer


def test_a_line_rate_cut_to_a_share_of_its_present_value() -> None:
    run = drive("cut the AFM line rate to 40 percent of its present value", afm())
    assert run.calls == [("get_status", {}), ("set_afm_scan", {"rate_hz": 0.4})]


def test_a_box_said_by_its_sides_starts_at_the_corner_said() -> None:
    run = drive(
        "Rq inside a 240 nm x 180 nm window whose upper-left corner is at (310, 460) nm, on the last topograph",
        afm(),
    )
    assert run.args("roughness") == {
        "x_nm": 310.0,
        "y_nm": 460.0,
        "width_nm": 240.0,
        "height_nm": 180.0,
        "acq_id": "a0005",
    }


def test_a_corner_said_in_a_form_not_read_runs_nothing() -> None:
    run = drive("Rq inside a 240 nm x 180 nm window, its corner sits at (310, 460) nm, on the last topograph")
    assert run.calls == []


def test_a_map_whose_axes_run_between_two_values_is_that_box() -> None:
    run = drive("EDS map: x runs 4-19.5 nm, y runs 7-21 nm, 72 pixels")
    assert run.args("acquire_spectrum_image") | {"dwell_ms": None} == {
        "kind": "EDS",
        "x_nm": 4.0,
        "y_nm": 7.0,
        "width_nm": 15.5,
        "height_nm": 14.0,
        "pixels": 72,
        "dwell_ms": None,
    }


def test_replace_it_with_a_fresh_tip_changes_the_tip() -> None:
    run = drive("retract it, replace it with a fresh tip, approach again", afm())
    assert run.names == ["get_status", "withdraw", "change_tip", "approach"]


def test_lost_the_particle_after_but_is_the_reason_for_a_zoom() -> None:
    run = drive("zoom out twelve times please, but I've lost the particle")
    assert run.calls == [("get_status", {}), ("set_scan", {"fov_nm": 384.0})]


def test_the_resolution_asked_about_is_the_pixel_count() -> None:
    run = drive("what are the pixel exposure and the resolution set to?")
    assert "4 µs per pixel" in run.answer and "256 pixels a side" in run.answer
