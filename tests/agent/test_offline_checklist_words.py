"""An acceptance checklist's words: item numbers and labels ("Item 5:", "check 27 -", "for item 3 (stage
repeatability)", "item 85 is done", "Spectrometer item 51:") name an entry of the list, never a setting; a limit said
as "the spec sheet limits it to"; a range asked for by reference ("between those diameters"); read-backs; the
vacuum, the gun and the chiller declined; and the engineer's shorthand."""

from __future__ import annotations

from typing import Any

import pytest

from copilot.agent.offline.steps_said import without_item_labels
from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("said", "cut"),
    [
        ("item 12: fov 3 nm", ": fov 3 nm"),
        ("check 7 - set 40 pa", "- set 40 pa"),
        ("for item 3 (stage repeatability) please load sto", "please load sto"),
        ("withdraw the tip, item 85 is done.", "withdraw the tip, ."),
        ("drift item 43: two frames", ""),
        ("full-range afm item: a 5.8 µm scan", "afm a 5.8 µm scan"),
        ("check the dwell", "check the dwell"),
        ("check 3 frames for drift", "check 3 frames for drift"),
    ],
)
def test_item_labels_are_cut_and_nothing_else(said: str, cut: str) -> None:
    assert " ".join(without_item_labels(said).split()) == (cut or " ".join(said.split(":", 1)[1].split()))


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("Item 7: FOV 3.1 nm and 1536 px.", [("set_scan", {"fov_nm": 3.1, "pixels": 1536})]),
        ("Check 14 - HT to 175 kV.", [("set_beam", {"energy_kv": 175.0})]),
        ("Tilt item 9: alpha to 12.5 degrees.", [("move_stage", {"alpha_deg": 12.5})]),
        (
            "Spectrometer item 40: EELS spectrum at x = 6.5 nm, y = 9 nm for 250 ms.",
            [("acquire_spectrum", {"kind": "EELS", "x_nm": 6.5, "y_nm": 9.0, "dwell_ms": 250.0})],
        ),
        ("Item 2 of the acceptance list: load the SrTiO3, seed 44.", None),
        ("Stig item: put A1 at 2.2 nm, 35 degrees.", [("set_optics", {"astig_nm": 2.2, "astig_angle_deg": 35.0})]),
        ("Corrector acceptance sheet says Cs 0.65 mm - set that.", [("set_optics", {"cs_um": 650.0})]),
        (
            "Take the px count up by 128 from what the scan uses at the moment.",
            [("get_status", {}), ("set_scan", {"pixels": 384})],
        ),
        ("Zoom out nineteen times for the overview on item 6.", [("get_status", {}), ("set_scan", {"fov_nm": 608.0})]),
        (
            "mount the STO reference with seed 9; we calibrate the scan against its 0.3905 nm spacing.",
            [("list_specimens", {}), ("load_specimen", {"name": "srtio3", "seed": 9})],
        ),
    ],
)
def test_checklist_requests_are_read_as_meant(text: str, calls: Calls | None) -> None:
    run = drive(text)
    if calls is None:
        assert run.calls == [("list_specimens", {}), ("load_specimen", {"name": "srtio3", "seed": 44})]
    else:
        assert run.calls == calls


def test_a_limit_said_by_the_spec_sheet_holds() -> None:
    over = drive("The holder's spec sheet limits it to 160 kV. Set the HT to 240 kV.")
    under = drive("The holder's spec sheet limits it to 160 kV. Set the HT to 120 kV.")
    assert over.names == ["get_status"] and "ran nothing" in over.answer
    assert under.calls == [("get_status", {}), ("set_beam", {"energy_kv": 120.0})]


def test_a_range_asked_for_by_reference_bounds_the_sizing() -> None:
    run = drive("The size standard is 8 to 40 nm, so on the latest frame size only particles between those diameters.")
    assert run.names == ["list_acquisitions", "segment_particles"]
    assert run.args("segment_particles") | {"acq_id": None} == {
        "min_diameter_nm": 8.0,
        "max_diameter_nm": 40.0,
        "acq_id": None,
    }


@pytest.mark.parametrize(
    "text",
    [
        "Read me the column vacuum and the gun emission current.",
        "Flash the cold FEG before the next item.",
        "what's the chiller doing?",
    ],
)
def test_the_vacuum_the_gun_and_the_chiller_are_declined(text: str) -> None:
    run = drive(text)
    assert run.calls == [] and "vacuum" in run.answer


def test_an_image_said_as_a_bare_step_is_taken_and_that_image_is_the_new_one() -> None:
    text = "The tip is worn: withdraw, change it, re-engage, image, and check that image for tip artefacts."
    run = drive(text, afm())
    assert run.names == ["get_status", "withdraw", "change_tip", "approach", "acquire_afm_image", "tip_artifact_check"]
    assert run.args("tip_artifact_check") == {"acq_id": "a0011"}
