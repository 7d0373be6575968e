"""Requests the planner acted on in a misread form: a setting said to stay is not tuned, a detector angle is not
the convergence, a spectrum image is not a scan plus a point spectrum, a longer specimen name wins, past data is
not a new exposure, two spectrum kinds are two spectra, an export keeps the name it is given."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent.planner_harness import drive
from tests.agent.test_offline_afm import afm


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("line rate 2 Hz, gains stay as they are", "set_feedback"),
        ("0.5 Hz lines; the gains remain unchanged", "set_feedback"),
        ("scan size 500 nm, the setpoint stays put", "set_feedback"),
        ("1 Hz line rate, and the feedback is left as is", "set_feedback"),
    ],
)
def test_a_setting_said_to_stay_is_never_changed(text: str, forbidden: str) -> None:
    run = drive(text, afm())
    assert forbidden not in run.names and "acquire_afm_image" not in run.names
    assert run.names[-1] == "set_afm_scan"


@pytest.mark.parametrize("text", ["250 nm frame size, 0.5 Hz lines", "2 µm frame size", "1 Hz lines please"])
def test_a_frame_size_or_line_rate_is_a_setting_not_an_image(text: str) -> None:
    names = drive(text, afm()).names
    assert "set_afm_scan" in names and not {"approach", "acquire_afm_image", "set_feedback"} & set(names)


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("lower the HAADF inner angle to 50 mrad so the light atoms show up", {"haadf_inner_mrad": 50.0}),
        ("HAADF outer angle 180 mrad", {"haadf_outer_mrad": 180.0}),
        ("set the BF collection angle to 10 mrad", {"bf_outer_mrad": 10.0}),
        ("EELS collection angle 30 mrad please", {"eels_collection_mrad": 30.0}),
    ],
)
def test_an_angle_said_of_a_detector_sets_the_detectors(text: str, args: dict[str, Any]) -> None:
    run = drive(text)
    assert run.names == ["set_detectors"] and run.args("set_detectors") == args


@pytest.mark.parametrize("text", ["open the probe to 35 mrad", "convergence semi-angle 25 mrad"])
def test_a_probe_angle_is_still_the_convergence(text: str) -> None:
    run = drive(text)
    assert run.names == ["set_optics"] and "convergence_mrad" in run.args("set_optics")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("EDX SI of the top-left 5 nm square, 16 pixels across", "EDS"),
        ("an EELS SI over a 4 nm square, 32 px", "EELS"),
        ("EDS spectrum image of a 6 nm square, 24 pixels", "EDS"),
    ],
)
def test_a_spectrum_image_takes_its_own_pixels_and_size(text: str, kind: str) -> None:
    run = drive(text)
    assert "set_scan" not in run.names and "acquire_spectrum" not in run.names
    args = run.args("acquire_spectrum_image")
    assert args["kind"] == kind and args["width_nm"] == args["height_nm"]


def test_a_corner_said_places_the_spectrum_image_there() -> None:
    args = drive("EDX SI of the top-left 5 nm square, 16 pixels across").args("acquire_spectrum_image")
    assert (args["x_nm"], args["y_nm"], args["width_nm"], args["pixels"]) == (0.0, 0.0, 5.0, 16)


def test_silicon_named_in_a_spectrum_is_no_spectrum_image() -> None:
    assert drive("EELS Si L2,3 edge at 3,3 nm").names == ["acquire_spectrum"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("the graphene with the grain boundaries, seed 9 please", "grain_boundary"),
        ("load the polycrystalline graphene", "grain_boundary"),
        ("graphene with grain boundaries in, seed 2", "grain_boundary"),
        ("load graphene seed 4", "graphene"),
    ],
)
def test_the_longer_specimen_name_wins(text: str, name: str) -> None:
    assert drive(text).args("load_specimen")["name"] == name


@pytest.mark.parametrize("text", ["Si(111) terraces next, seed 6", "load the Si(111) steps"])
def test_a_specimen_load_adds_no_acquisition(text: str) -> None:
    names = drive(text, afm()).names
    assert "load_specimen" in names and not {"approach", "acquire_afm_image", "step_height"} & set(names)


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("diffractogram of what I just took", "compute_fft"),
        ("count the atoms on the latest image", "find_atoms"),
        ("FFT of what we just recorded", "compute_fft"),
    ],
)
def test_past_data_is_analysed_without_a_new_exposure(text: str, tool: str) -> None:
    run = drive(text)
    assert "acquire_image" not in run.names and run.names == ["list_acquisitions", tool]


def test_a_denoise_method_is_passed_and_the_count_runs_on_the_denoised_frame() -> None:
    denoised = {"acquisition_id": "a0099", "derived_from": "a0005", "method": "nl_means", "strength_nm": 0.05}
    run = drive("nl-means denoise the latest image, then count the atoms on it", {"denoise_image": lambda a: denoised})
    assert run.names == ["list_acquisitions", "denoise_image", "find_atoms"]
    assert run.args("denoise_image")["method"] == "nl_means"
    assert run.args("find_atoms")["acq_id"] == "a0099"


@pytest.mark.parametrize(
    ("text", "method"),
    [("median denoise, then find the atoms", "median"), ("a gaussian denoise of the last frame", "gaussian")],
)
def test_the_denoise_method_named_is_passed(text: str, method: str) -> None:
    assert drive(text).args("denoise_image")["method"] == method


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("EELS at 3,3 nm, then EDS on the same spot", ["EELS", "EDS"]),
        ("EDX at 2, 4 nm and then EELS there too", ["EDS", "EELS"]),
    ],
)
def test_two_spectrum_kinds_are_two_spectra_at_the_same_place(text: str, kinds: list[str]) -> None:
    run = drive(text)
    spectra = [args for name, args in run.calls if name == "acquire_spectrum"]
    assert [s["kind"] for s in spectra] == kinds
    assert len({(s["x_nm"], s["y_nm"]) for s in spectra}) == 1


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("save that last frame as a TIFF called mos2_edge", "mos2_edge"),
        ("export the last image named run3", "run3"),
        ("save the previous frame as png, file name edge_2.png", "edge_2"),
    ],
)
def test_an_export_keeps_the_name_it_is_given(text: str, name: str) -> None:
    assert drive(text).args("export_acquisition")["name"] == name


def _numbered_images() -> dict[str, Any]:
    """Images with a new id each time, as the server gives them."""
    count = iter(range(100))

    def image(args: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"a{next(count) + 20:04d}", "fov_nm": 8.0, "frame_time_s": 2.0, "pixel_size_nm": 0.02}

    return {"acquire_image": image}


@pytest.mark.parametrize(
    "text",
    [
        "HAADF, then rotate the scan to 90° and take a second one, then the drift-corrected lattice from the pair",
        "a HAADF image, then set the scan rotation to 90 degrees and take another image, then the drift-free lattice",
    ],
)
def test_a_setting_said_between_two_images_goes_between_them(text: str) -> None:
    run = drive(text, _numbered_images())
    assert run.names == ["acquire_image", "set_scan", "acquire_image", "measure_lattice"]
    assert run.args("set_scan") == {"rotation_deg": 90.0}
    assert run.args("measure_lattice") == {"acq_id": "a0020", "rotated_acq_id": "a0021"}


def test_a_drift_estimate_compares_two_different_frames() -> None:
    run = drive("take two frames and estimate the drift", _numbered_images())
    args = run.args("estimate_drift")
    assert args["first_acq_id"] != args["second_acq_id"]


@pytest.mark.parametrize(
    "text", ["how worn is the tip?", "what is the tip radius now?", "is the tip worn?", "has the tip crashed?"]
)
def test_a_question_about_tip_wear_reads_the_tip_state_without_an_image(text: str) -> None:
    assert drive(text, afm()).names == ["get_tip_state"]
