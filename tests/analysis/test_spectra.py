"""Element identification on synthetic EELS edges and EDS lines with Poisson counts."""

import numpy as np
import pytest

from copilot.analysis.errors import AnalysisError
from copilot.analysis.spectra import identify_elements


def _eels(edges: dict[float, float], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    energy = np.arange(100.0, 1000.0, 0.5)
    signal = 2e10 * energy**-3.0
    for onset, ratio in edges.items():
        signal += np.where(energy > onset, ratio * 2e10 * onset**-3.0 * (energy / onset) ** -3.5, 0.0)
    return energy, rng.poisson(signal).astype(np.float64)


def _eds(lines: dict[float, float], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    energy = np.arange(100.0, 20000.0, 10.0)
    signal = 2000.0 * np.exp(-energy / 6000.0) + 50.0
    for centre, amp in lines.items():
        sigma = np.sqrt(130.0**2 + 2.53 * (centre - 5895.0)) / 2.3548
        signal += amp * np.exp(-0.5 * ((energy - centre) / sigma) ** 2)
    return energy, rng.poisson(signal).astype(np.float64)


def test_eels_finds_carbon_and_oxygen_edges_and_nothing_else() -> None:
    energy, counts = _eels({284.0: 0.3, 532.0: 0.2}, np.random.default_rng(0))
    result = identify_elements(energy, counts, "EELS")
    assert result.present == ("C", "O")
    carbon = next(e for e in result.evidence if e.element == "C")
    assert carbon.confidence > 0.99


def test_eels_without_edges_reports_no_element() -> None:
    energy, counts = _eels({}, np.random.default_rng(1))
    assert identify_elements(energy, counts, "EELS").present == ()


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ({2293.0: 3000.0, 2395.0: 1500.0, 2307.0: 6000.0, 2464.0: 400.0}, ("Mo", "S")),
        ({2307.0: 6000.0, 2464.0: 400.0}, ("S",)),
        ({2293.0: 3000.0, 2395.0: 1500.0}, ("Mo",)),
        ({1740.0: 800.0}, ("Si",)),
    ],
)
def test_eds_tells_mo_from_s_despite_the_overlapping_lines(lines: dict[float, float], expected: tuple) -> None:
    energy, counts = _eds(lines, np.random.default_rng(2))
    assert set(identify_elements(energy, counts, "EDS").present) == set(expected)


def test_a_decreasing_energy_axis_is_rejected() -> None:
    with pytest.raises(AnalysisError, match="increasing"):
        identify_elements(np.arange(100.0, 0.0, -1.0), np.ones(100), "EELS")
