"""The offline planner on wordings outside the evaluation suite: detector names, stage tilts, zooming into the
largest particle, astigmatism checks, and answers that never drop a part of the request unsaid."""

from __future__ import annotations

import pytest

from tests.agent.planner_harness import drive


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


def test_a_zoom_on_a_particle_when_none_was_found_says_so_and_moves_nothing() -> None:
    run = drive("find the biggest particle and zoom in on it", {"segment_particles": lambda args: {"particles_nm": []}})
    assert run.names == ["acquire_image", "segment_particles"]
    assert "located no particle" in run.answer
