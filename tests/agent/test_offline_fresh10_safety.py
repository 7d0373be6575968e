"""Requests of the eleventh held-out batch the planner acted on in a misread form: "beta down two degrees" is a
relative tilt down, "diameters up to 12 nm" bounds the particles and sets no field of view, "AFM frame 750 nm" is
a scan setting and no image, "autofocus, and a 40 nm BF" focuses before the scan is set, "which elements are in it"
after a spectrum image reads the map, and an energy-filtered image is not something the twin can record."""

from __future__ import annotations

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


def test_a_tilt_said_down_by_an_amount_is_a_relative_tilt_down() -> None:
    assert drive("bring beta down two degrees from where it is").calls == [
        ("move_stage", {"beta_deg": -2.0, "relative": True})
    ]


def test_particle_diameters_up_to_a_size_bound_the_sizing_of_the_last_frame() -> None:
    run = drive("on the last frame, particle statistics for diameters up to 12 nm only")
    assert run.names == ["list_acquisitions", "segment_particles"]
    assert run.args("segment_particles")["max_diameter_nm"] == 12.0


def test_an_afm_frame_said_by_its_size_is_a_setting_and_no_image() -> None:
    run = drive("AFM frame 750 nm, 384 px, 1.2 Hz", {"get_status": lambda args: AFM_STATUS})
    assert run.calls == [("set_afm_scan", {"size_nm": 750.0, "pixels": 384, "rate_hz": 1.2})]


def test_a_frame_said_by_its_noun_after_an_autofocus_is_set_after_it() -> None:
    run = drive("stage to (1.5, -2) µm, autofocus, and a 40 nm BF")
    assert run.names == ["move_stage", "autofocus", "set_scan", "acquire_image"]


def test_an_energy_filtered_image_runs_nothing_and_says_what_can_be_done() -> None:
    run = drive("acquire an energy-filtered TEM image at the plasmon peak")
    assert run.names == [] and "energy-filtered" in run.answer and "spectrum images" in run.answer
