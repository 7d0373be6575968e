"""Display images: contrast stretch, AFM colour ramp, scale bars."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from copilot.ui.images import (
    add_scale_bar,
    format_length,
    height_colormap,
    nice_length_nm,
    stretch_to_uint8,
    to_png,
)


@pytest.mark.parametrize(("fov_nm", "bar_nm"), [(20.0, 2.0), (2000.0, 200.0), (7.0, 1.0), (0.9, 0.1), (100.0, 20.0)])
def test_the_scale_bar_is_the_longest_1_2_5_length_within_a_fifth_of_the_field(fov_nm: float, bar_nm: float) -> None:
    assert nice_length_nm(fov_nm) == pytest.approx(bar_nm)


def test_lengths_are_written_in_a_unit_that_keeps_the_number_readable() -> None:
    assert [format_length(x) for x in (0.5, 2.0, 200.0, 1000.0)] == ["500 pm", "2 nm", "200 nm", "1 µm"]


def test_the_bar_spans_its_length_in_pixels_in_the_lower_left_corner() -> None:
    image = Image.fromarray(np.zeros((128, 128), dtype=np.uint8))
    out = np.asarray(add_scale_bar(image, pixel_size_nm=0.25))  # FOV 32 nm -> 5 nm bar = 20 px
    white = np.all(out == 255, axis=-1)
    bar_rows = [row for row in range(64, 128) if white[row].sum() == 20]
    assert bar_rows, "no row holds exactly a 20 px white bar"
    assert np.flatnonzero(white[bar_rows[0]])[0] == 4  # starts at the margin


def test_a_bad_pixel_size_is_rejected_with_a_message() -> None:
    with pytest.raises(ValueError, match="pixel_size_nm must be a positive number"):
        add_scale_bar(Image.new("L", (8, 8)), 0.0)


def test_stretch_maps_percentiles_to_the_full_range_and_flat_images_to_grey() -> None:
    ramp = np.linspace(0.0, 1000.0, 10_000).reshape(100, 100)
    out = stretch_to_uint8(ramp)
    assert out.min() == 0 and out.max() == 255
    assert np.all(stretch_to_uint8(np.full((4, 4), 7.0)) == 128)
    with pytest.raises(ValueError, match="2-D"):
        stretch_to_uint8(np.zeros(5))


def test_the_height_ramp_runs_from_black_through_red_to_white() -> None:
    rgb = height_colormap(np.linspace(0, 1, 1000).reshape(10, 100))
    assert tuple(rgb[0, 0]) == (0, 0, 0) and tuple(rgb[-1, -1]) == (255, 255, 255)
    middle = rgb[5, 50]
    assert middle[0] > middle[1] > middle[2]


def test_rendered_images_round_trip_through_png_at_the_same_size() -> None:
    data = np.random.default_rng(0).poisson(50.0, (40, 60)).astype(np.float32)
    decoded = Image.open(io.BytesIO(to_png(add_scale_bar(Image.fromarray(height_colormap(data)), 0.1))))
    assert decoded.size == (60, 40) and decoded.mode == "RGB"


def test_the_scale_bar_label_grows_with_the_image_so_it_stays_readable_when_shown_smaller() -> None:
    def label_rows(width_px: int) -> int:
        out = np.asarray(add_scale_bar(Image.new("L", (width_px, width_px)), pixel_size_nm=0.1))
        lit = np.flatnonzero(np.any(out[: width_px - width_px // 32 - 6] > 200, axis=(1, 2)))  # above the bar
        return int(lit.max() - lit.min() + 1)

    # a font of 5 % of the width: 25.6 px on a 512 px image, i.e. 12 px when that image is shown 240 px wide
    assert label_rows(512) >= 0.6 * 0.05 * 512
    assert label_rows(1024) >= 1.8 * label_rows(512)
