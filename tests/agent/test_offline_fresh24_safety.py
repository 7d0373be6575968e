"""Requests of an acceptance checklist that the planner acted on in a misread form, each now read as meant: a spec
sheet is no spectrum, a read-back confirmation sets nothing, a purpose ("so the cells fill more of the frame", "I
want the whole particle in view") asks for no image, an item's name is no task, an earlier frame named with its
specimen is the one analysed, "don't touch df" keeps the defocus, and a step-height standard is a specimen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm

Calls = list[tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("Check 4 - HT to 160 kV, as the spec sheet gives it.", [("set_beam", {"energy_kv": 160.0})]),
        ("spec-sheet values for the overview scan: 0.42 um field, 2.6 us dwell", None),
        (
            "Shrink the FOV by 12 nm from where it is now so the lattice fills more of the frame.",
            [("get_status", {}), ("set_scan", {"fov_nm": 20.0})],
        ),
        ("Zoom out a step, I want the whole particle in view for the size check.", None),
        (
            "Count-rate item: raise the probe current by 40 percent from where it is now.",
            [("get_status", {}), ("set_beam", {"current_pa": 42.0})],
        ),
        (
            "any substitutions in yesterday's graphene frame?",
            [("list_acquisitions", {}), ("detect_defects", {"acq_id": "a0005"})],
        ),
        (
            "FFT of this morning's MoS2 image, please.",
            [("list_acquisitions", {}), ("compute_fft", {"acq_id": "a0005"})],
        ),
        ("HAADF at 240 nm, but do not touch df - the engineer set the focus.", None),
    ],
)
def test_checklist_requests_do_only_what_they_ask(text: str, calls: Calls | None) -> None:
    run = drive(text)
    if calls is not None:
        assert run.calls == calls
    elif "spec-sheet" in text:
        assert run.calls == [("set_scan", {"fov_nm": 420.0, "dwell_us": 2.6})]
    elif "particle" in text:
        assert run.calls == [("get_status", {}), ("set_scan", {"fov_nm": 64.0}), ("acquire_image", {})]
    else:
        assert run.calls == [("set_scan", {"fov_nm": 240.0}), ("acquire_image", {"detector": "HAADF"})]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Confirm the HT reads 80 kV after the service.", "80 kV"),
        ("The sheet says the dwell should be 6 µs - confirm what the scan actually reads.", "4 µs"),
        ("Read back the Cs for the sheet - read only, do not change it.", "1 µm"),
    ],
)
def test_a_read_back_confirmation_reads_the_status_and_sets_nothing(text: str, answer: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and answer in run.answer


def test_a_step_height_standard_is_loaded_not_measured() -> None:
    run = drive("Next for the AFM: the step height standard, seed 61.", afm())
    assert run.names == ["get_status", "list_specimens", "load_specimen"]
    assert run.args("load_specimen") == {"name": "afm_steps", "seed": 61}


def test_a_lone_df_is_still_dark_field() -> None:
    assert drive("take a df image").calls == [("acquire_image", {"detector": "HAADF"})]
