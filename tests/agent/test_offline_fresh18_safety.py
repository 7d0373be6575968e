"""Requests of the nineteenth held-out batch (a newcomer's plain words) the planner acted on in a misread form: a
"picture" named as the field a setting shapes, as a place in it, or in a sentence that only explains why, taken as
a new image; "the picture I took before lunch" not read as past data; an extra count or a longer time per pixel set
as the value itself; "for the energy-loss spectra" recording a spectrum; "nobody touches the focus" not read as a
negation; a question about how long a picture takes, or why it looks grainy, taking one; an infrared spectrum
recorded as EELS."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_corpus import AFM_STATUS


@pytest.mark.parametrize(
    ("text", "call"),
    [
        (
            "Could you make the picture cover a wider area, 72 nanometres across, with 960 pixels?",
            ("set_scan", {"fov_nm": 72.0, "pixels": 960}),
        ),
        (
            "Please make each pixel take two microseconds longer; the sheet says that gives a less noisy picture.",
            ("set_scan", {"dwell_us": 6.0}),  # status: 4 µs
        ),
        ("Could I have an extra 96 pixels along each side of the picture?", ("set_scan", {"pixels": 352})),
        (
            "The sheet says the convergence angle sets how sharp the probe is. Could you make it 24 milliradians?",
            ("set_optics", {"convergence_mrad": 24.0}),
        ),
        (
            "For the energy-loss spectra, please set the spectrometer's collection angle to 26 mrad.",
            ("set_detectors", {"eels_collection_mrad": 26.0}),
        ),
        (
            "staff: HAADF inner angle up to 95 mrad, she wants the heavier atoms to stand out",
            ("set_detectors", {"haadf_inner_mrad": 95.0}),
        ),
    ],
)
def test_a_picture_said_around_a_setting_takes_no_image(text: str, call: tuple[str, dict[str, float]]) -> None:
    run = drive(text)
    assert run.calls[-1] == call and set(run.names) <= {"get_status", call[0]}, run.calls


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("In the picture I took after lunch, were any atoms missing?", ["list_acquisitions", "detect_defects"]),
        ("Was the picture the staff scientist took earlier in focus?", ["list_acquisitions", "focus_quality"]),
        ("Could I get the Fourier transform of the picture I took today?", ["list_acquisitions", "compute_fft"]),
    ],
)
def test_a_picture_someone_took_is_past_data(text: str, names: list[str]) -> None:
    assert drive(text).names == names


def test_a_spectrum_in_the_middle_of_the_picture_takes_no_image() -> None:
    run = drive("Could you take an EDX spectrum right in the middle of the picture for 400 milliseconds?")
    assert run.names == ["get_status", "acquire_spectrum"]
    assert run.args("acquire_spectrum")["dwell_ms"] == 400.0


def test_nobody_touches_the_focus_forbids_the_autofocus() -> None:
    run = drive("staff: HAADF at 58 nm for her, and nobody touches the focus")
    assert run.names == ["set_scan", "acquire_image"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("How long does it take to record one picture at the moment?", "0.28 s"),
        ("Why does the picture look so grainy? What dwell time is it using?", "4 µs"),
    ],
)
def test_a_question_about_a_picture_takes_none(text: str, said: str) -> None:
    run = drive(text)
    assert run.names == ["get_status"] and said in run.answer, run.answer


def test_the_tilt_taken_out_of_a_past_afm_picture_is_a_levelling() -> None:
    run = drive(
        "Could you take the tilt out of the AFM picture I took this morning?", {"get_status": lambda a: AFM_STATUS}
    )
    assert run.names == ["list_acquisitions", "plane_level"]


@pytest.mark.parametrize(
    "text", ["Can this microscope give me an infrared spectrum of my polymer?", "a Raman spectrum of the film, please"]
)
def test_a_spectrum_the_twin_cannot_record_runs_nothing(text: str) -> None:
    run = drive(text)
    assert run.calls == [] and "infrared" in run.answer.lower(), run.answer
