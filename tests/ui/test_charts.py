"""Vega-Lite specs for spectra and line profiles."""

from __future__ import annotations

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
