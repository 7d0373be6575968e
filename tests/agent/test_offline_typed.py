"""Messages typed in a hurry (``typed``): arrows, "@", "&" and "+", "w/", comparison signs, chat shorthand and plain
keyboard slips, and the readings they lead to; and the fresh27 requests acted on in a misread form ("survey:" as a
label, "+320 px on top of whatever it's at", "can't tell what's there", ", focus range is better there")."""

from __future__ import annotations

from typing import Any

import pytest

from copilot.agent.offline.typed import untyped
from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("ht->120kv", "ht to 120kv"),
        ("df -> -36nm", "df to -36nm"),
        ("(3,4)->(9,8) nm", "(3,4) to (9,8) nm"),
        ("if current < 37pa then haadf", "if current below 37pa then haadf"),
        ("if dwell <= 5.2us", "if dwell at or below 5.2us"),
        ("one frame @ -33nm & one @ +33nm", "one frame at -33nm and one at +33nm"),
        ("engage + record height", "engage and record height"),
        ("haadf w/ 1664px", "haadf with 1664px"),
        ("wat specimens do u have", "what specimens do you have"),
        ("how big r the pixels", "how big are the pixels"),
        ("fov x6.5 from now", "fov 6.5 times from now"),
        ("x +3 nm", "x +3 nm"),
        ("the imgae u took", "the image you took"),
    ],
)
def test_typed_shorthand_is_spelled_out(said: str, read: str) -> None:
    assert untyped(said) == read


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("survey: 1.2um fiel of view + 0.6us dwell", [("set_scan", {"fov_nm": 1200.0, "dwell_us": 0.6})]),
        ("+256 px per side on top of whatever its at", [("get_status", {}), ("set_scan", {"pixels": 512})]),
        (
            "cn u zoom in a lil? cant tell whats there",
            [("get_status", {}), ("set_scan", {"fov_nm": 16.0}), ("acquire_image", {})],
        ),
        ("z -> 0.4um, focus range is better there", [("move_stage", {"z_um": 0.4})]),
        ("df -> -28nm", [("set_optics", {"defocus_nm": -28.0})]),
        ("HT->120kV pls", [("set_beam", {"energy_kv": 120.0})]),
        ("drop HT 15kv below where it is", [("get_status", {}), ("set_beam", {"energy_kv": 65.0})]),
        ("fov x4.5 from what it is now pls", [("get_status", {}), ("set_scan", {"fov_nm": 144.0})]),
        ("dwell -> 50% shorter than now", [("get_status", {}), ("set_scan", {"dwell_us": 2.0})]),
        ("shift 500nm down + 0.25um right", [("move_stage", {"x_um": 0.25, "y_um": -0.5, "relative": True})]),
        ("wat specimens do u have? list pls", [("list_specimens", {})]),
    ],
)
def test_typed_requests_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_condition_with_a_comparison_sign_is_checked_before_the_image() -> None:
    run = drive("if current < 37pA then HAADF 9.7nm")
    assert run.names == ["get_status", "set_scan", "acquire_image"] and run.args("set_scan") == {"fov_nm": 9.7}
    assert run.args("acquire_image") == {"detector": "HAADF"}


def test_a_through_focus_pair_typed_with_at_signs() -> None:
    run = drive("one frame @ -20nm defocsu & one @ +20nm, then which is sharper?")
    assert [args["defocus_nm"] for name, args in run.calls if name == "set_optics"] == [-20.0, 20.0]
    assert run.names[-2:] == ["focus_quality", "focus_quality"]


def test_typed_afm_requests() -> None:
    assert drive("afm line rate to 60% of now", afm()).calls == [("get_status", {}), ("set_afm_scan", {"rate_hz": 0.6})]
    run = drive("engage + record height & phase & amplitude", afm())
    assert run.calls[-1] == ("acquire_afm_image", {"channels": ["height", "phase", "amplitude"]})


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "gaussian denoise on the latest frame, 0.05nm",
            [
                ("list_acquisitions", {}),
                ("denoise_image", {"method": "gaussian", "strength_nm": 0.05, "acq_id": "a0005"}),
            ],
        ),
        ("quick q whats the kV atm", [("get_status", {})]),
        ("probe current in pA pls, for the log", [("get_status", {})]),
        (
            "blank, current->20pA, unblank, HAADF 90nm",
            [
                ("set_beam", {"blanked": True}),
                ("set_beam", {"current_pa": 20.0}),
                ("set_beam", {"blanked": False}),
                ("set_scan", {"fov_nm": 90.0}),
                ("acquire_image", {"detector": "HAADF"}),
            ],
        ),
        (
            "overview BF 2.4um; then HAADF 150nm; particle sizes from the 2nd one",
            [
                ("set_scan", {"fov_nm": 2400.0}),
                ("acquire_image", {"detector": "BF"}),
                ("set_scan", {"fov_nm": 150.0}),
                ("acquire_image", {"detector": "HAADF"}),
                ("segment_particles", {"acq_id": "a0007"}),
            ],
        ),
    ],
)
def test_typed_requests_of_every_kind(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_stop_if_the_frame_would_go_over_a_dose_is_a_limit() -> None:
    run = drive("frame as is, but stop if it would go over 400 e/A^2")
    assert run.names == ["get_status"] and "ran nothing" in run.answer


def test_the_size_of_the_pixels_asked_with_are() -> None:
    run = drive("how big r the pixels w/ this scan?")
    assert run.names == ["get_status"] and "0.125 nm" in run.answer
