"""Vega-Lite specs for spectra and line profiles."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from copilot.ui.charts import MAX_POINTS, line_profile_spec, spectrum_spec


def test_a_spectrum_marks_only_the_edges_inside_its_energy_range() -> None:
    energy = np.linspace(100.0, 800.0, 701)
    spec = spectrum_spec(energy, np.ones_like(energy), {"C-K": 284.0, "O-K": 532.0, "Si-K": 1839.0})
    line, rules, labels = spec["layer"]
    assert len(line["data"]["values"]) == 701
    assert [r["label"] for r in rules["data"]["values"]] == ["C-K", "O-K"]
    assert rules["mark"]["type"] == "rule" and labels["mark"]["type"] == "text"
    assert line["encoding"]["x"]["title"] == "energy (eV)"


def test_long_spectra_are_decimated_for_the_browser() -> None:
    energy = np.arange(10_000.0)
    spec = spectrum_spec(energy, energy, energy_unit="keV")
    assert len(spec["layer"]) == 1
    assert len(spec["layer"][0]["data"]["values"]) <= MAX_POINTS


def test_mismatched_axes_are_rejected_with_a_message() -> None:
    with pytest.raises(ValueError, match="same length"):
        spectrum_spec([1.0, 2.0, 3.0], [1.0, 2.0])


def test_trace_and_retrace_are_two_coloured_series_along_the_line() -> None:
    x = np.arange(5) * 2.0
    spec = line_profile_spec(x, {"trace": np.zeros(5), "retrace": np.ones(5)})
    profiles = {p["profile"] for p in spec["data"]["values"]}
    assert profiles == {"trace", "retrace"} and len(spec["data"]["values"]) == 10
    with pytest.raises(ValueError, match="must match"):
        line_profile_spec(x, {"trace": np.zeros(4)})


def test_a_spectrum_is_drawn_on_a_log_scale_with_no_zero_counts() -> None:
    energy = np.linspace(-5.0, 600.0, 606)
    counts = np.where(np.abs(energy) < 2, 1e6, 50.0)
    counts[300] = 0.0
    line = spectrum_spec(energy, counts)["layer"][0]
    assert line["encoding"]["y"]["scale"] == {"type": "log"}
    assert min(p["counts"] for p in line["data"]["values"]) > 0


def test_the_zero_loss_peak_can_be_hidden_by_a_checkbox_ticked_at_first() -> None:
    energy = np.linspace(-5.0, 600.0, 606)
    spec = spectrum_spec(energy, np.ones_like(energy), zero_loss_below=10.0)
    (param,) = spec["params"]
    assert param["value"] is True and param["bind"]["input"] == "checkbox"
    assert spec["layer"][0]["transform"] == [{"filter": "!hide_zero_loss || datum.energy >= 10.0"}]
    assert "params" not in spectrum_spec(np.linspace(200.0, 600.0, 5), np.ones(5), zero_loss_below=10.0)


def test_labels_of_close_edges_go_on_separate_rows_so_they_never_overlap() -> None:
    energy = np.linspace(100.0, 800.0, 701)
    edges = {"Ti-L3": 456.0, "Ti-L2": 462.0, "O-K": 532.0, "C-K": 284.0, "N-K": 401.0}
    labels = spectrum_spec(energy, np.ones_like(energy), edges)["layer"][2]["data"]["values"]
    placed = sorted((v["label_y"], v["energy"]) for v in labels)
    for (row_a, e_a), (row_b, e_b) in itertools.pairwise(placed):
        assert row_a != row_b or abs(e_b - e_a) >= 0.08 * 700  # same row only when far enough apart
    assert len({v["label_y"] for v in labels}) == 2  # Ti-L3 and Ti-L2 6 eV apart: two rows
