"""Annotated pictures: RGB uint8 arrays with markers where the results are."""

import numpy as np
import pytest

from copilot.analysis import _draw, overlays, plots
from copilot.analysis._draw import PALETTE
from copilot.analysis.atoms import find_atoms
from copilot.analysis.errors import AnalysisError
from copilot.analysis.fft import compute_fft
from copilot.analysis.particles import segment_particles
from tests.analysis.synth import perovskite_image


def _has_colour(patch: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return bool(np.any(np.all(patch == np.array(colour, dtype=np.uint8), axis=-1)))


def test_atoms_are_circled_in_the_colour_of_their_class() -> None:
    image = perovskite_image()
    atoms = find_atoms(image, 0.02)
    rgb = overlays.atoms_overlay(image, atoms, 0.02)
    assert rgb.dtype == np.uint8 and rgb.shape == (512, 512, 3)
    factor = 512 // 256
    for (x, y), cls in list(zip(atoms.positions_nm, atoms.classes, strict=True))[60:80]:
        r, c = round(y / 0.02 * factor), round(x / 0.02 * factor)
        assert _has_colour(rgb[r - 8 : r + 9, c - 8 : c + 9], PALETTE[int(cls)])


def test_particles_are_outlined_and_edge_particles_greyed() -> None:
    rows, cols = np.mgrid[:100, :100]
    image = np.where((cols - 40) ** 2 + (rows - 40) ** 2 <= 100, 100.0, 10.0)
    image[(cols - 99) ** 2 + (rows - 80) ** 2 <= 64] = 100.0
    rgb = overlays.particles_overlay(image, segment_particles(image, 0.5), 0.5)
    factor = 512 // 100
    assert _has_colour(rgb[30 * factor : 51 * factor, 28 * factor : 52 * factor], PALETTE[2])
    assert _has_colour(rgb[70 * factor : 90 * factor, 90 * factor :], overlays.GREY)


def test_fft_peaks_are_circled_symmetrically() -> None:
    x = np.arange(128) * 0.05
    image = np.tile(np.cos(2 * np.pi * x / 0.4), (128, 1))
    rgb = overlays.fft_overlay(compute_fft(image, 0.05))
    factor = 512 // 128
    centre = 64 * factor
    offset = round(128 * 0.05 / 0.4) * factor  # the peak sits 16 frequency bins from the centre
    for col in (centre + offset, centre - offset):
        assert _has_colour(rgb[centre - 30 : centre + 30, col - 30 : col + 30], PALETTE[0])


def test_height_map_has_a_colour_bar_from_dark_to_yellow() -> None:
    rgb = overlays.height_overlay(np.outer(np.arange(64.0), np.ones(64)))
    assert rgb.shape[0] == 512 and rgb.shape[1] > 512
    assert tuple(rgb[-1, 0]) != tuple(rgb[0, 0])
    bar = rgb[:, 512 + 10]
    assert bar[0, 1] > 200 and bar[-1, 1] < 20  # viridis: yellow at the top, dark purple at the bottom


def test_spectrum_plot_draws_the_trace_and_the_markers() -> None:
    energy = np.linspace(100.0, 800.0, 500)
    counts = 1e6 * energy**-2.0
    rgb = plots.spectrum_plot(energy, counts, [(284.0, "C K")], size=(600, 300))
    assert rgb.shape == (300, 600, 3)
    assert _has_colour(rgb, plots.TRACE)
    assert _has_colour(rgb, PALETTE[5])
    blank = plots.spectrum_plot(energy, counts, size=(600, 300))
    assert not _has_colour(blank, PALETTE[5])


def test_a_profile_plot_refuses_mismatched_arrays() -> None:
    with pytest.raises(AnalysisError, match="equal length"):
        plots.profile_plot(np.arange(5.0), np.arange(4.0))


def test_ticks_are_round_numbers_covering_the_range() -> None:
    ticks = plots.nice_ticks(3.2, 97.0)
    assert ticks[0] >= 3.2 and ticks[-1] <= 97.0
    assert np.allclose(np.diff(ticks), 20.0)


def test_a_square_marker_outlines_all_four_sides_without_optional_plotting_packages() -> None:
    canvas = np.zeros((20, 20, 3), dtype=np.uint8)
    _draw.square(canvas, 10, 10, 3, (255, 0, 0))
    drawn = canvas[..., 0] > 0
    assert drawn[7, 7:14].all() and drawn[13, 7:14].all() and drawn[7:14, 7].all() and drawn[7:14, 13].all()
    assert drawn.sum() == 24  # the outline only


def test_several_curves_share_one_axes_each_in_its_own_colour() -> None:
    x = np.linspace(0.0, 10.0, 100)
    canvas = plots.curves_plot(x, [("trace", np.sin(x)), ("retrace", np.sin(x) + 0.5)], x_label="x nm", y_label="nm")
    colours = {tuple(int(v) for v in px) for px in canvas.reshape(-1, 3)}
    assert PALETTE[0] in colours and PALETTE[1] in colours
    with pytest.raises(AnalysisError):
        plots.curves_plot(x, [], x_label="x", y_label="y")
