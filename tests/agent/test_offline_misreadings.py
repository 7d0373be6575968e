"""Requests the planner once acted on in a misread form, each fixed by a general reading rule and tested on other
wordings: a power spectrum is an image's Fourier transform, not a spectroscopy acquisition; a scan or an image that
names no instrument is planned for the one the status says is loaded; scan lines are the pixels of a frame; the
tip is never approached before the status says whether it is engaged; a number the planner cannot place runs
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import RESULTS, Tool, drive
from tests.agent.test_corpus import AFM_STATUS

SPECTROSCOPY = {"acquire_spectrum", "acquire_spectrum_image", "identify_elements"}


def on_afm(engaged: bool = False) -> dict[str, Tool]:
    status: dict[str, Any] = {**AFM_STATUS, "settings": {**AFM_STATUS["settings"], "engaged": engaged}}
    return {"get_status": lambda args: status}


def on_stem() -> dict[str, Tool]:
    return {"get_status": lambda args: {**RESULTS["get_status"], "instrument": "STEM"}}


@pytest.mark.parametrize(
    "text",
    [
        "power spectrum of the previous frame",
        "compute the power spectrum of the last image",
        "show me the Fourier spectrum of the last frame",
        "take a frame and give me its power spectrum",
        "amplitude spectrum of the existing image please",
    ],
)
def test_a_power_spectrum_is_the_fourier_transform_of_an_image_never_a_spectroscopy_acquisition(text: str) -> None:
    run = drive(text)
    assert "compute_fft" in run.names
    assert not SPECTROSCOPY & set(run.names)


def test_a_spectrum_that_is_no_power_spectrum_is_still_a_spectroscopy_acquisition() -> None:
    assert "acquire_spectrum" in drive("EELS spectrum at the centre, then the power spectrum of the frame").names
    assert drive("take an EDS spectrum at x 2 nm y 3 nm").names == ["acquire_spectrum"]


def test_a_forbidden_power_spectrum_forbids_the_fft() -> None:
    run = drive("count the atoms, no need for a power spectrum")
    assert "compute_fft" not in run.names
    assert "find_atoms" in run.names


@pytest.mark.parametrize(
    ("text", "afm_call"),
    [
        ("scan 2 um", ("set_afm_scan", {"size_nm": 2000.0})),
        ("use 256 px", ("set_afm_scan", {"pixels": 256})),
        ("rotate the scan 45°", ("set_afm_scan", {"angle_deg": 45.0})),
        ("scan size 3 um", ("set_afm_scan", {"size_nm": 3000.0})),
    ],
)
def test_a_scan_naming_no_instrument_uses_the_loaded_one(text: str, afm_call: tuple[str, dict[str, Any]]) -> None:
    afm = drive(text, on_afm())
    assert afm.names[0] == "get_status"
    assert afm_call in afm.calls
    assert not {"set_scan", "acquire_image"} & set(afm.names)
    stem = drive(text, on_stem())
    assert stem.names[0] == "get_status"
    assert "set_scan" in stem.names
    assert not {"set_afm_scan", "acquire_afm_image", "approach"} & set(stem.names)


@pytest.mark.parametrize("text", ["take an image", "one more image please", "grab one", "image it"])
def test_an_image_naming_no_instrument_is_taken_on_the_loaded_one_with_the_tip_engaged_first(text: str) -> None:
    afm = drive(text, on_afm())
    assert afm.names == ["get_status", "approach", "acquire_afm_image"]
    assert drive(text, on_afm(engaged=True)).names == ["get_status", "acquire_afm_image"]
    assert drive(text, on_stem()).names == ["get_status", "acquire_image"]


@pytest.mark.parametrize(
    "text",
    ["take a 20 nm HAADF image", "fov 8 nm, 512 px", "image at 15 nm but leave the focus alone", "a 2 us dwell frame"],
)
def test_a_request_in_stem_words_needs_no_status_to_know_the_instrument(text: str) -> None:
    names = drive(text).names
    assert "get_status" not in names
    assert not {"set_afm_scan", "acquire_afm_image"} & set(names)


@pytest.mark.parametrize(
    ("text", "pixels"),
    [
        ("image the surface at 1 Hz, 512 lines", 512),
        ("topography with 256 scan lines", 256),
        ("AFM image, lines: 1024", 1024),
        ("take a height image with 1k lines", 1024),
        ("take an AFM scan with 128 samples per line", 128),
    ],
)
def test_scan_lines_are_the_pixels_of_the_frame_and_the_tip_lands_only_after_the_status(text: str, pixels: int) -> None:
    run = drive(text, on_afm())
    assert run.names[: run.names.index("get_status")] in ([], ["set_afm_scan"])  # the scan may be set first
    assert run.names.index("get_status") < run.names.index("approach") < run.names.index("acquire_afm_image")
    assert run.args("set_afm_scan")["pixels"] == pixels
    assert drive(text, on_afm(engaged=True)).names.count("approach") == 0


def test_lines_in_a_line_profile_are_not_scan_lines() -> None:
    run = drive("take an image and a line profile across it")
    assert "line_profile" in run.names
    assert all("pixels" not in args for name, args in run.calls if name == "set_scan")


@pytest.mark.parametrize("text", ["engage and image at 2 Hz", "AFM image at 0.5 Hz please", "image the surface"])
def test_the_tip_is_never_approached_before_the_status_is_read(text: str) -> None:
    run = drive(text, on_afm())
    assert run.names.index("get_status") < run.names.index("approach")
    assert run.names[: run.names.index("get_status")] in ([], ["set_afm_scan"])


@pytest.mark.parametrize(
    ("text", "unread", "read"),
    [
        ("HAADF at 5 nm, 3k", "3k", "field of view 5 nm"),
        ("take 3 frames at 10 nm", "take 3 frames", "field of view 10 nm"),
        ("set the current to 20 and take an image", "current to 20", ""),
        ("defocus 5 then take a frame", "defocus 5", ""),
        ("take an image at 20 nm with 7 averages", "7 averages", "field of view 20 nm"),
    ],
)
def test_a_number_the_reading_cannot_place_runs_nothing_and_says_what_was_read(
    text: str, unread: str, read: str
) -> None:
    run = drive(text)
    assert run.calls == []
    assert "did not understand '" in run.answer and unread in run.answer and "ran nothing" in run.answer
    assert read in run.answer


@pytest.mark.parametrize(
    "text",
    [
        "load the MoS2, seed 4",
        "measure the drift for 2 minutes",
        "EELS at (2 nm, 5 nm) for 10 ms",
        "move the stage to x 300 nm, y -200 nm",
        "put in -15 nm of defocus",
        "take 2 HAADF frames and estimate the drift",
    ],
)
def test_every_number_of_a_request_read_in_full_is_placed(text: str) -> None:
    assert "did not understand" not in drive(text).answer


@pytest.mark.parametrize(
    ("text", "analysis"),
    [
        ("segment the particles in the frame we already have", "segment_particles"),
        ("measure the lattice on the image from earlier", "measure_lattice"),
        ("count the atoms in the old frame", "find_atoms"),
    ],
)
def test_an_image_taken_before_is_analysed_without_a_new_exposure(text: str, analysis: str) -> None:
    run = drive(text)
    assert run.names == ["list_acquisitions", analysis]


@pytest.mark.parametrize(
    "text",
    [
        "identify the elements in the spectrum we took earlier",
        "which elements are in the EDS spectrum from before?",
        "element ID on the earlier spectrum",
    ],
)
def test_a_spectrum_taken_before_is_analysed_without_a_new_exposure(text: str) -> None:
    assert drive(text).names == ["identify_elements"]


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("current no higher than 20 pA, take a HAADF", "set_beam"),
        ("dwell not longer than 1 us and a 512 px frame", "set_scan"),
    ],
)
def test_a_ceiling_said_as_no_higher_than_is_a_limit_not_a_setting(text: str, tool: str) -> None:
    run = drive(text)  # the scripted status has 30 pA and 4 us: both outside the limit
    assert run.names == ["get_status"]
    assert "ran nothing" in run.answer


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("what's the I gain?", "0.1"),
        ("what are the gains?", "0.05"),
        ("don't approach, only tell me the setpoint", "14"),
    ],
)
def test_a_question_about_the_feedback_reads_it_and_tunes_nothing(text: str, value: str) -> None:
    run = drive(text, on_afm())
    assert run.names == ["get_status"]
    assert value in run.answer


@pytest.mark.parametrize(
    ("text", "analysis"),
    [
        ("roughness of the last AFM image", "roughness"),
        ("step height on the previous height image", "step_height"),
        ("check the tip on the last image", "tip_artifact_check"),
    ],
)
def test_an_analysis_of_an_afm_image_taken_before_never_lands_the_tip(text: str, analysis: str) -> None:
    run = drive(text, on_afm())
    assert "approach" not in run.names and "acquire_afm_image" not in run.names
    assert run.names[-2:] == ["list_acquisitions", analysis]


@pytest.mark.parametrize("text", ["take a HAADF at 2 Hz", "BF frame, tip engaged"])
def test_words_of_both_instruments_read_the_status_and_use_the_loaded_one(text: str) -> None:
    stem = drive(text, on_stem())
    assert stem.names[0] == "get_status"
    assert not {"approach", "set_afm_scan", "acquire_afm_image"} & set(stem.names)
    afm = drive(text, on_afm())
    assert afm.names[0] == "get_status"
    assert not {"set_scan", "acquire_image"} & set(afm.names)


@pytest.mark.parametrize(
    ("text", "said"),
    [("take an AFM image at 2 us dwell", "dwell of 2 µs"), ("AFM image, 40 pA", "current of 40 pA")],
)
def test_a_stated_setting_the_loaded_instrument_cannot_take_is_said_not_dropped(text: str, said: str) -> None:
    run = drive(text, on_afm())
    assert f"the {said} you asked for: no step of this plan takes it" in run.answer


def test_a_stem_setting_said_on_the_stem_is_not_reported_as_dropped() -> None:
    assert "no step of this plan takes it" not in drive("take a HAADF at 2 us dwell, 20 nm").answer


@pytest.mark.parametrize("text", ["we're done with the gold particles", "finished with the particles, thanks"])
def test_a_specimen_one_is_done_with_is_neither_loaded_nor_analysed(text: str) -> None:
    assert drive(text).calls == []


def test_a_list_of_specimens_asked_for_is_given_in_the_answer() -> None:
    assert "graphene, mos2" in drive("which samples can I load?").answer
    assert "Specimens available" not in drive("load graphene").answer


@pytest.mark.parametrize(
    "text",
    [
        "what would happen if I set 300 kV?",
        "should I refocus?",
        "is it safe to approach?",
        "what if we take a 2 us frame?",
        "do you think I should raise the current to 60 pA?",
    ],
)
def test_a_question_whether_or_what_if_runs_nothing_and_says_what_was_read(text: str) -> None:
    run = drive(text, on_afm() if "approach" in text else None)
    assert run.calls == []
    assert "ran nothing" in run.answer and "I read:" in run.answer


@pytest.mark.parametrize("text", ["shall we take an image?", "can you refocus?", "should not matter, take an image"])
def test_a_polite_request_is_still_run(text: str) -> None:
    assert drive(text).calls


@pytest.mark.parametrize("text", ["measure the spectrum of particle sizes", "particle size spectrum please"])
def test_a_spectrum_of_sizes_is_a_size_distribution_not_a_spectroscopy_acquisition(text: str) -> None:
    run = drive(text)
    assert "segment_particles" in run.names and not SPECTROSCOPY & set(run.names)


@pytest.mark.parametrize(
    "text", ["no approach needed, the tip is down; take an image", "no engaging, set the line rate to 2 Hz"]
)
def test_no_approach_forbids_the_approach(text: str) -> None:
    assert "approach" not in drive(text, on_afm()).names


@pytest.mark.parametrize(
    ("text", "fov_nm"),
    [
        ("2 nm/pixel survey", 512.0),  # the scripted status has 256 pixels
        ("image at 0.05 nm per pixel", 12.8),
        ("512 px at 0.1 nm/px", 51.2),
    ],
)
def test_a_pixel_size_is_never_read_as_the_field_of_view(text: str, fov_nm: float) -> None:
    run = drive(text)
    assert run.args("set_scan")["fov_nm"] == pytest.approx(fov_nm)


def test_a_pixel_size_with_a_field_of_view_gives_the_pixels() -> None:
    assert drive("pixel size 0.2 nm, 20 nm field of view").calls == [("set_scan", {"fov_nm": 20.0, "pixels": 100})]


@pytest.mark.parametrize("text", ["take an image, then blank", "count the atoms and blank the beam when done"])
def test_a_beam_blanked_with_an_acquisition_is_blanked_after_it(text: str) -> None:
    names = drive(text).names
    assert names[-1] == "set_beam" and "acquire_image" in names
    assert names.index("acquire_image") < len(names) - 1
