"""Requests in English shaped by another language that the planner acted on in a misread form, each now read as
meant: "192 pixels more to the actual pixel number", "make smaller of 22 nm than it is now", an image "you made just
now" or "of this morning", "control the focus" (a check, not an autofocus), "the focus you must not touch", a later
plan ("eventually I will need ..."), a decimal comma ("under 2,5 µs"), a background "order three", and a label "For
the survey:"."""

from __future__ import annotations

from typing import Any

import pytest

from copilot.agent.offline.lexicon import normalise
from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Give 128 pixels more to the actual pixel number of the scan.",
            [("get_status", {}), ("set_scan", {"pixels": 384})],
        ),
        (
            "The field of view make smaller of 12 nm than it is now, so the crystal is filling the frame.",
            [("get_status", {}), ("set_scan", {"fov_nm": 20.0})],
        ),
        (
            "How much atoms are in the image you made just now?",
            [("list_acquisitions", {}), ("find_atoms", {"acq_id": "a0005"})],
        ),
        (
            "In the image of yesterday, there are substitutions or not?",
            [("list_acquisitions", {}), ("detect_defects", {"acq_id": "a0005"})],
        ),
        (
            "Control please the focus of the image from before - it is sharp?",
            [("list_acquisitions", {}), ("focus_quality", {"acq_id": "a0005"})],
        ),
        (
            "BF of 250 nm, but the focus you must not touch.",
            [("set_scan", {"fov_nm": 250.0}), ("acquire_image", {"detector": "BF"})],
        ),
        (
            "HAADF at 14 nm; eventually I will need also an EDX spectrum, but not today.",
            [("set_scan", {"fov_nm": 14.0}), ("acquire_image", {"detector": "HAADF"})],
        ),
        ("For the survey: field 1,2 µm and dwell 0,6 µs.", [("set_scan", {"fov_nm": 1200.0, "dwell_us": 0.6})]),
    ],
)
def test_english_of_other_languages_does_only_what_it_asks(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_limit_with_a_decimal_comma_holds() -> None:
    run = drive("For this sample the dwell must be under 3,5 µs. Take a BF, please.")
    assert run.names == ["get_status"] and "acquire_image" not in run.names


def test_a_background_order_in_words_is_read() -> None:
    run = drive("The topography of yesterday has a bow; level it with order two.", afm())
    assert run.calls == [("list_acquisitions", {}), ("plane_level", {"order": 2, "acq_id": "a0005"})]


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("field of view 1,5 µm", "field of view 1.5 µm"),
        ("dwell 2,5 µs", "dwell 2.5 µs"),
        ("eds at 2,2 nm then at 6,6 nm", "eds at 2,2 nm then at 6,6 nm"),
        ("line from 2,3 nm to 5,6 nm", "line from 2,3 nm to 5,6 nm"),
    ],
)
def test_a_decimal_comma_is_read_only_where_it_cannot_be_a_place(said: str, read: str) -> None:
    assert normalise(said) == read
