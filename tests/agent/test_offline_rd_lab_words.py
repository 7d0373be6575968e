"""Words of an industrial R&D lab the planner now reads: a sample's lot, wafer or batch number (never a setting),
remarks said after a dash or a comma ("that's where ...", "the datasheet quotes ..."), a part "certified to" a
limit, a focus that "stays exactly as it is", a frame's cost "in time", a setting "set to right now", a setpoint
changed from its present value (and declined when the change would crash the tip), a domain split's method and
classes, a "gold-particle" sample, a specimen someone "needs put in", a possessive specimen name, "where the beam
has been", a field "up to 3 times its current size" and an EELS map whose corners are given."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]
STATUS: Calls = [("get_status", {})]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Go to x 1.5 µm, y -2 µm - that's where batch 3's flakes sat.",
            [("move_stage", {"x_um": 1.5, "y_um": -2.0})],
        ),
        (
            "EELS map from (2, 3) nm to (12, 9) nm at 40 pixels for the dopant distribution.",
            [
                (
                    "acquire_spectrum_image",
                    {
                        "kind": "EELS",
                        "x_nm": 2.0,
                        "y_nm": 3.0,
                        "width_nm": 10.0,
                        "height_nm": 6.0,
                        "pixels": 40,
                        "dwell_ms": 0.5,
                    },
                )
            ],
        ),
        (
            "Measure the lattice on the latest image - the datasheet quotes 3.9 Å.",
            [("list_acquisitions", {}), ("measure_lattice", {"acq_id": "a0005"})],
        ),
        (
            "Take a BF frame at 60 nm - the defocus stays exactly as it is.",
            [("set_scan", {"fov_nm": 60.0}), ("acquire_image", {"detector": "BF"})],
        ),
        ("Show me where the beam has been so far.", [("get_dose_map", {})]),
        ("Widen the field of view up to 3 times its current size.", [*STATUS, ("set_scan", {"fov_nm": 96.0})]),
        (
            "Our visitor needs the SrTiO3 put in, seed 12.",
            [("list_specimens", {}), ("load_specimen", {"name": "srtio3", "seed": 12})],
        ),
        ("Load the supplier's LiNiO2 powder, seed 4.", [("list_specimens", {})]),
    ],
)
def test_remarks_and_names_of_the_lab_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_lot_number_is_no_setting() -> None:
    assert drive("Field of view 18 nm and 960 pixels for the lot 12 lattice images.").calls == [
        ("set_scan", {"fov_nm": 18.0, "pixels": 960})
    ]


@pytest.mark.parametrize(("asked", "allowed"), [(200.0, False), (100.0, True)])
def test_a_part_certified_to_a_voltage_is_a_limit(asked: float, allowed: bool) -> None:
    run = drive(f"Our holder is only certified to 120 kV. Set the HT to {asked:g} kV.")
    assert run.calls == [*STATUS, *([("set_beam", {"energy_kv": asked})] if allowed else [])]
    assert allowed or "ran nothing" in run.answer


@pytest.mark.parametrize(
    ("text", "said"),
    [("How long does one frame cost in time?", "0.28 s"), ("What is the dwell set to right now?", "4 µs")],
)
def test_questions_in_lab_words_are_answered_from_the_status(text: str, said: str) -> None:
    run = drive(text)
    assert run.calls == STATUS and said in run.answer


def test_a_setpoint_is_changed_from_its_present_value() -> None:
    assert drive("Lower the setpoint by 20 percent from where it is.", afm()).calls == [
        *STATUS,
        ("set_feedback", {"setpoint_nm": 11.2}),
    ]


def test_a_setpoint_scaled_into_a_crash_is_declined() -> None:
    run = drive("Cut the setpoint to a fifth of its present value.", afm())
    assert run.calls == STATUS
    assert "I will not use a 2.8 nm setpoint" in run.answer


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("Domain fractions of the newest image by k-means with three classes.", {"method": "kmeans", "classes": 3}),
        ("Domain fractions of the newest image, Otsu, 2 classes.", {"method": "otsu", "classes": 2}),
        ("Domain fractions of the newest image, k-means with 4 clusters.", {"method": "kmeans", "classes": 4}),
    ],
)
def test_a_domain_split_keeps_its_method_and_classes(text: str, options: dict[str, Any]) -> None:
    assert drive(text, afm()).calls == [("list_acquisitions", {}), ("domain_fraction", {**options, "acq_id": "a0005"})]


def test_the_tip_asked_about_with_an_order_in_mind_is_looked_up() -> None:
    assert drive("Is the tip still usable, or should we put in an order for new ones?", afm()).calls == [
        ("get_tip_state", {})
    ]


def test_a_hyphenated_gold_particle_sample_is_loaded() -> None:
    assert drive("The AFM gold-particle sample, seed 31.", afm()).calls == [
        *STATUS,
        ("list_specimens", {}),
        ("load_specimen", {"name": "afm_nanoparticles", "seed": 31}),
    ]
