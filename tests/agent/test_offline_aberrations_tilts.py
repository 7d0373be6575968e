"""The offline planner on aberrations and tilts said as operators say them: coma (B2) and A1 with their
directions, corrections that zero them, both tilts levelled at once, and a field of view said after the image."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive


@pytest.mark.parametrize(
    ("text", "optics"),
    [
        ("get rid of the axial coma", {"coma_nm": 0.0}),
        ("remove the coma", {"coma_nm": 0.0}),
        ("add 20 nm of B2", {"coma_nm": 20.0}),
        ("set the coma to 50 nm at 30 degrees", {"coma_nm": 50.0, "coma_angle_deg": 30.0}),
        ("put in 3 nm of A1 at 45 degrees", {"astig_nm": 3.0, "astig_angle_deg": 45.0}),
        ("set astigmatism to 5 nm at 30 degrees", {"astig_nm": 5.0, "astig_angle_deg": 30.0}),
    ],
)
def test_coma_and_a1_are_set_with_their_direction(text: str, optics: dict[str, Any]) -> None:
    assert drive(text).calls == [("set_optics", optics)]


def test_a_negated_coma_is_never_set() -> None:
    assert "set_optics" not in drive("don't touch the coma, take an image").names


def test_a_coma_length_is_not_also_read_as_the_field_of_view() -> None:
    run = drive("coma 20 nm, angle 30°, then take an image")
    assert run.calls == [("set_optics", {"coma_nm": 20.0, "coma_angle_deg": 30.0}), ("acquire_image", {})]


@pytest.mark.parametrize(
    "text", ["zero both tilts", "zero the tilts", "set alpha and beta to 0", "untilt the holder", "tilts back to 0"]
)
def test_levelling_the_holder_zeroes_both_tilts_absolutely(text: str) -> None:
    assert drive(text).calls == [("move_stage", {"alpha_deg": 0.0, "beta_deg": 0.0})]


def test_a_single_tilt_still_moves_one_axis() -> None:
    assert drive("tilt alpha to 10 degrees").calls == [("move_stage", {"alpha_deg": 10.0})]


@pytest.mark.parametrize(
    ("text", "fov_nm"), [("astig 5 nm, then image at 20 nm", 20.0), ("no defocus changes: image at 8 nm", 8.0)]
)
def test_a_length_after_the_image_noun_is_its_field_of_view(text: str, fov_nm: float) -> None:
    run = drive(text)
    assert ("set_scan", {"fov_nm": fov_nm}) in run.calls and run.names[-1] == "acquire_image"


def test_a_length_after_the_image_noun_with_an_optics_word_is_the_optics() -> None:
    assert drive("take an image at 10 nm underfocus").calls == [
        ("set_optics", {"defocus_nm": -10.0}),
        ("acquire_image", {}),
    ]
