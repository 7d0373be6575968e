"""Words of a week at a microscopy centre: the graphene "with the grain boundary in it" (the grain-boundary
specimen), a perovskite solar-cell film (not SrTiO3), a remark about another day's session after a dash, "made
two and a quarter times as big", pixels taken off, a purpose "so the boundary runs across the frame", the spectrum
a colleague recorded, "for the overview map I need ...", what looks tiny "on my screen", what the literature says,
a holder "cleared for" a voltage, a slot that ends soon and the scans a tip has done."""

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
            "can u load the graphene with the grain boundary in it? seed 12",
            [("list_specimens", {}), ("load_specimen", {"name": "grain_boundary", "seed": 12})],
        ),
        ("Could you load our perovskite solar-cell film, seed 3?", [("list_specimens", {})]),
        (
            "Could the field of view be made two and a quarter times as big as it is now? I've lost my particle.",
            [*STATUS, ("set_scan", {"fov_nm": 72.0})],
        ),
        ("Take 64 pixels off whatever is set at the moment.", [*STATUS, ("set_scan", {"pixels": 192})]),
        (
            "Rotate the scan to 15° so the boundary runs straight across the frame.",
            [*STATUS, ("set_scan", {"rotation_deg": 15.0})],
        ),
        ("Which elements turned up in the spectrum my colleague recorded?", [("identify_elements", {})]),
        ("For the overview map I need a 5 µm field.", [*STATUS, ("set_scan", {"fov_nm": 5000.0})]),
        (
            "zoom in a little? the particle is tiny on my screen",
            [*STATUS, ("set_scan", {"fov_nm": 16.0}), ("acquire_image", {})],
        ),
        (
            "Measure the lattice on the latest image - the literature says 3.9 Å.",
            [("list_acquisitions", {}), ("measure_lattice", {"acq_id": "a0005"})],
        ),
    ],
)
def test_centre_words_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls


def test_a_holder_cleared_for_a_voltage_is_a_limit() -> None:
    run = drive("The biasing holder is only cleared for 120 kV. Set 160 kV.")
    assert run.calls == STATUS and "ran nothing" in run.answer


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Please swap the sample for the AFM terrace standard, seed 44 - Friday's training session is all about "
            "step heights.",
            [("list_specimens", {}), ("load_specimen", {"name": "afm_steps", "seed": 44})],
        ),
        ("Withdraw, please - my session ends in ten minutes.", [("withdraw", {})]),
        ("How worn is the tip after the students' thirty scans?", [("get_tip_state", {})]),
    ],
)
def test_centre_afm_words_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text, afm()).calls == calls


def test_the_afm_scan_is_centred_where_asked() -> None:
    assert drive("Centre the AFM scan at (0.4, -0.9) µm, 700 nm across.", afm()).calls == [
        ("set_afm_scan", {"size_nm": 700.0, "x_um": 0.4, "y_um": -0.9})
    ]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (
            "Could you bring the probe current down to two thirds of what it is now?",
            [*STATUS, ("set_beam", {"current_pa": 20.0})],
        ),
        ("The last user left the beam on - please blank it now.", [("set_beam", {"blanked": True})]),
        (
            "Median-filter the last image at a 0.05 nm scale, please.",
            [
                ("list_acquisitions", {}),
                ("denoise_image", {"method": "median", "strength_nm": 0.05, "acq_id": "a0005"}),
            ],
        ),
        (
            "Take a BF and find the defects, but don't alter the scan setup.",
            [("acquire_image", {"detector": "BF"}), ("detect_defects", {"acq_id": "a0007"})],
        ),
        (
            "HAADF inner and outer angles of 65 and 200 mrad.",
            [("set_detectors", {"haadf_inner_mrad": 65.0, "haadf_outer_mrad": 200.0})],
        ),
    ],
)
def test_older_misses_are_read_as_meant(text: str, calls: Calls) -> None:
    assert drive(text).calls == calls
