"""Readings of requests the planner used to miss: a twofold stig "put in" (a setting, not a specimen), a bare zero
defocus asked about, a spectrum's second place said after "then", the polymer film by another name, a lateral-force
scan (declined), a beam blanked "for a minute" while the speaker does something else, and a defocus pair whose second
frame is at zero or whose focus is compared."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("put in twofold stig, 4 nm, angle 30°", [("set_optics", {"astig_nm": 4.0, "astig_angle_deg": 30.0})]),
        (
            "EELS at 3,1 nm then at 7,5 nm",
            [
                ("acquire_spectrum", {"kind": "EELS", "x_nm": 3.0, "y_nm": 1.0}),
                ("acquire_spectrum", {"kind": "EELS", "x_nm": 7.0, "y_nm": 5.0}),
            ],
        ),
        (
            "and now the polymer film, seed 8",
            [("get_status", {}), ("list_specimens", {}), ("load_specimen", {"name": "afm_polymer_blend", "seed": 8})],
        ),
        ("beam off for a few minutes, I'm refilling the dewar", [("set_beam", {"blanked": True})]),
        ("blank the beam for 10 minutes", [("set_beam", {"blanked": True})]),
    ],
)
def test_older_misses_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_zero_defocus_asked_about_is_answered_from_the_status() -> None:
    run = drive("are we at zero defocus?")
    assert run.names == ["get_status"] and "0 nm" in run.answer


def test_an_image_before_a_place_said_after_then_is_no_spectrum() -> None:
    run = drive("take an image then at 3,4 nm an EDS spectrum")
    assert run.calls == [("acquire_image", {}), ("acquire_spectrum", {"kind": "EDS", "x_nm": 3.0, "y_nm": 4.0})]


@pytest.mark.parametrize(
    "text", ["switch to contact mode and do lateral force microscopy", "record an LFM map of the blend"]
)
def test_lateral_force_microscopy_is_declined(text: str) -> None:
    run = drive(text, afm())
    assert run.calls == [] and "lateral-force" in run.answer


@pytest.mark.parametrize(
    ("text", "defoci_nm"),
    [
        ("shoot at -25 nm defocus and at zero, and tell me which is sharper", [-25.0, 0.0]),
        ("take a frame at -40 nm defocus and one at +40 nm and compare the focus", [-40.0, 40.0]),
    ],
)
def test_a_defocus_pair_takes_and_scores_both_frames(text: str, defoci_nm: list[float]) -> None:
    run = drive(text)
    assert run.names == ["set_optics", "acquire_image"] * 2 + ["focus_quality"] * 2
    assert [args["defocus_nm"] for name, args in run.calls if name == "set_optics"] == defoci_nm
    assert "sharp" in run.answer
