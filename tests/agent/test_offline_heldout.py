"""The offline planner on wordings outside the evaluation suite: detector names, stage tilts, zooming into the
largest particle, astigmatism checks, and answers that never drop a part of the request unsaid."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import Tool, drive


@pytest.mark.parametrize(
    ("text", "detector"),
    [
        ("could you grab a quick bright-field picture at 50 nm across?", "BF"),
        ("take a bright field image", "BF"),
        ("grab a dark-field picture", "HAADF"),
        ("take an ADF image", "HAADF"),
        ("record a Z-contrast image", "HAADF"),
    ],
)
def test_the_detector_is_picked_by_the_words_microscopists_use_for_it(text: str, detector: str) -> None:
    assert drive(text).args("acquire_image") == {"detector": detector}


def test_a_bright_field_picture_across_a_width_sets_that_field_of_view_first() -> None:
    run = drive("could you grab a quick bright-field picture at 50 nm across?")
    assert run.calls == [("set_scan", {"fov_nm": 50.0}), ("acquire_image", {"detector": "BF"})]


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("tilt the stage by 5 degrees in alpha and take another image", {"alpha_deg": 5.0, "relative": True}),
        ("tilt by -2.5° in beta, then take an image", {"beta_deg": -2.5, "relative": True}),
        ("tilt beta to 3 deg and acquire an image", {"beta_deg": 3.0}),
        ("tilt alpha to 10 degrees and take another image", {"alpha_deg": 10.0}),
    ],
)
def test_a_stage_tilt_is_made_before_the_image_relative_only_when_asked_by_an_angle(
    text: str, move: dict[str, object]
) -> None:
    run = drive(text)
    assert run.calls == [("move_stage", move), ("acquire_image", {})]


@pytest.mark.parametrize(
    "text", ["rotate the scan by 30 degrees and take an image", "scan rotation 30° then take an image"]
)
def test_a_scan_rotation_is_set_with_the_scan_not_taken_for_a_stage_tilt(text: str) -> None:
    assert drive(text).calls == [("get_status", {}), ("set_scan", {"rotation_deg": 30.0}), ("acquire_image", {})]


def test_a_tilt_without_an_angle_is_said_to_be_not_done_instead_of_dropped() -> None:
    run = drive("tilt the stage a little and take an image")
    assert run.names == ["acquire_image"]
    assert "did not understand the tilt" in run.answer


PARTICLES = {
    "particle_count": 3,
    "mean_diameter_nm": 6.0,
    "particles_nm": [[15.0, 4.0, 8.0], [2.0, 3.0, 6.0], [12.0, 18.0, 4.0]],
}


@pytest.mark.parametrize(
    ("text", "move", "fov_nm"),
    [
        ("find the biggest gold particle and zoom in on it", {"x_um": 0.005, "y_um": -0.006}, 24.0),
        ("zoom in on the largest nanoparticle", {"x_um": 0.005, "y_um": -0.006}, 24.0),
        ("segment the particles and zoom on the smallest one", {"x_um": 0.002, "y_um": 0.008}, 12.0),
    ],
)
def test_a_zoom_on_a_particle_centres_it_and_frames_it_at_three_diameters(
    text: str, move: dict[str, float], fov_nm: float
) -> None:
    run = drive(text, {"segment_particles": lambda args: PARTICLES})
    assert run.calls == [
        ("acquire_image", {}),
        ("segment_particles", {"acq_id": "a0007"}),
        ("move_stage", {**move, "relative": True}),
        ("set_scan", {"fov_nm": fov_nm}),
        ("acquire_image", {}),
    ]
    assert run.answer.startswith("Zoomed on the ") and f"{fov_nm:g} nm field of view" in run.answer


def test_a_zoom_on_a_particle_when_none_was_found_says_so_and_moves_nothing() -> None:
    run = drive("find the biggest particle and zoom in on it", {"segment_particles": lambda args: {"particles_nm": []}})
    assert run.names == ["acquire_image", "segment_particles"]
    assert "located no particle" in run.answer


def _status(astig_nm: float) -> dict[str, object]:
    optics = {"defocus_nm": 14.5, "astig_nm": astig_nm, "astig_angle_deg": 30.0}
    return {"instrument": "STEM", "settings": {"optics": optics, "scan": {"fov_nm": 20.0}}}


def _sharpness(values: list[float]) -> Tool:
    """focus_quality giving these sharpness values in turn."""
    queue = list(values)
    return lambda args: {"acquisition_id": "a0007", "sharpness": queue.pop(0)}


CHECK = ["get_status", "autofocus", "acquire_image", "focus_quality", "set_optics"]
CHECK += ["autofocus", "acquire_image", "focus_quality"]


@pytest.mark.parametrize(
    "text", ["is the image astigmatic? fix it if so", "check for astigmatism and correct it if needed"]
)
def test_an_astigmatic_probe_is_corrected_when_zero_astigmatism_images_sharper(text: str) -> None:
    run = drive(text, {"get_status": lambda args: _status(8.0), "focus_quality": _sharpness([0.17, 0.34])})
    assert run.names == CHECK
    assert run.args("set_optics") == {"astig_nm": 0.0, "astig_angle_deg": 0.0}
    assert run.answer.startswith("Astigmatic (A1 = 8 nm at 30°)") and "0.17 to 0.34" in run.answer
    assert "Nothing was run" not in run.answer


def test_only_asking_whether_it_is_astigmatic_puts_the_astigmatism_back_after_the_trial() -> None:
    run = drive(
        "is the probe astigmatic?", {"get_status": lambda args: _status(8.0), "focus_quality": _sharpness([0.17, 0.34])}
    )
    assert run.names == [*CHECK, "set_optics", "autofocus"]
    assert run.calls[-2] == ("set_optics", {"astig_nm": 8.0, "astig_angle_deg": 30.0})
    assert "put back" in run.answer


def test_astigmatism_that_zero_does_not_sharpen_is_left_as_it_was() -> None:
    run = drive(
        "is the image astigmatic? fix it if so",
        {"get_status": lambda args: _status(8.0), "focus_quality": _sharpness([0.35, 0.34])},
    )
    assert run.names == [*CHECK, "set_optics", "autofocus"]
    assert run.answer.startswith("No astigmatism to correct")


def test_a_probe_without_astigmatism_is_imaged_once_and_said_to_need_no_correction() -> None:
    run = drive("is the image astigmatic? fix it if so", {"get_status": lambda args: _status(0.0)})
    assert run.names == ["get_status", "acquire_image", "focus_quality"]
    assert run.answer.startswith("Not astigmatic")


@pytest.mark.parametrize(
    ("text", "kind", "corner_nm", "side_nm"),
    [
        ("map the Ti distribution over a 4 nm square with EELS", "EELS", 14.0, 4.0),
        ("show me the distribution of Sr with EDS over a 10 nm square", "EDS", 11.0, 10.0),
        ("record an EELS spectrum image of the whole field of view", "EELS", 0.0, 32.0),
    ],
)
def test_a_map_or_distribution_is_a_short_dwell_spectrum_image_centred_in_the_field_of_view(
    text: str, kind: str, corner_nm: float, side_nm: float
) -> None:
    run = drive(text)
    assert run.names == ["get_status", "acquire_spectrum_image"]
    args = run.args("acquire_spectrum_image")
    assert args["kind"] == kind and args["x_nm"] == args["y_nm"] == corner_nm
    assert args["width_nm"] == args["height_nm"] == side_nm
    assert args["dwell_ms"] <= 1.0 and args["pixels"] == 16


def test_a_map_drawn_as_ranges_uses_that_region_and_its_elements_are_the_maps() -> None:
    run = drive("EDS map of x 0-10 nm, y 5-15 nm and which elements are there?")
    assert run.args("acquire_spectrum_image") == {
        "kind": "EDS",
        "x_nm": 0.0,
        "y_nm": 5.0,
        "width_nm": 10.0,
        "height_nm": 10.0,
        "pixels": 16,
        "dwell_ms": 0.5,
    }
    assert run.names[-2:] == ["acquire_spectrum_image", "identify_elements"]
    assert run.args("identify_elements") == {"acq_id": "a0009"}  # no spot spectrum: the map's own spectra


def test_a_map_larger_than_the_field_of_view_is_not_taken_and_says_why() -> None:
    run = drive("map the Ti distribution over a 100 nm square with EELS")
    assert "acquire_spectrum_image" not in run.names
    assert "does not fit in the 32 nm field of view" in run.answer


@pytest.mark.parametrize(
    ("text", "fov_nm"),
    [
        ("lower the magnification a bit and take another picture", 64.0),
        ("zoom out a bit", 64.0),
        ("zoom in a little and take an image", 16.0),
        ("go to a higher magnification", 16.0),
    ],
)
def test_an_unquantified_zoom_halves_or_doubles_the_current_field_of_view_then_images(text: str, fov_nm: float) -> None:
    run = drive(text)
    assert run.calls == [("get_status", {}), ("set_scan", {"fov_nm": fov_nm}), ("acquire_image", {})]


def test_a_zoom_that_names_the_field_of_view_is_not_relative() -> None:
    assert drive("zoom in to 20 nm and take an image").calls[:1] == [("set_scan", {"fov_nm": 20.0})]


@pytest.mark.parametrize(
    ("text", "requested"),
    [("do a quick drift check over 10 seconds", "10 s"), ("measure the drift for 2 minutes", "120 s")],
)
def test_a_drift_interval_the_tools_cannot_wait_for_is_said_to_be_not_honoured_with_the_real_one(
    text: str, requested: str
) -> None:
    run = drive(text)
    assert run.names == ["acquire_image", "acquire_image", "estimate_drift"]
    assert f"The requested {requested} interval was not honoured" in run.answer and "2.1 s apart" in run.answer


def test_a_drift_interval_that_matches_the_frame_time_is_said_to_be_as_requested() -> None:
    assert "2.1 s apart, as requested" in drive("check the drift over 2 s").answer


def test_a_drift_check_without_an_interval_says_nothing_about_one() -> None:
    assert "interval" not in drive("check the drift").answer


@pytest.mark.parametrize(
    "text",
    ["take an image and tell me if there is anything unusual", "grab a frame, does anything look odd?"],
)
def test_an_open_ended_look_at_an_atomic_scale_image_runs_defect_detection(text: str) -> None:
    run = drive(text)
    assert run.names == ["acquire_image", "detect_defects"]
    assert "Vacancies 1" in run.answer


def test_an_open_ended_look_at_a_survey_image_segments_the_particles() -> None:
    run = drive("take a 300 nm image and tell me if anything looks odd")
    assert run.calls == [
        ("set_scan", {"fov_nm": 300.0}),
        ("acquire_image", {}),
        ("segment_particles", {"acq_id": "a0007"}),
    ]


def test_an_inspection_that_names_its_analysis_runs_only_that_one() -> None:
    assert drive("take an image and check for unusual particles").names == ["acquire_image", "segment_particles"]


@pytest.mark.parametrize(
    "text", ["measure the size distribution of the particles", "show me the dose map", "take an AFM height map"]
)
def test_maps_and_distributions_that_are_not_spectroscopy_record_no_spectrum_image(text: str) -> None:
    assert "acquire_spectrum_image" not in drive(text).names
