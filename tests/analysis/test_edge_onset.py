"""EELS edge onsets against the onsets the twin draws, and the verdict where an onset cannot be placed."""

import numpy as np
import pytest

from copilot.analysis.edge_onset import measure_edge_onset
from copilot.analysis.errors import AnalysisError
from copilot.bench.accuracy import ONSET_CASES
from copilot.bench.accuracy_spectra import onset_case
from copilot.twin import Microscope


@pytest.mark.parametrize("case", ONSET_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[3]:g}ms")
def test_a_reliable_onset_lies_within_three_sigma_of_the_twin_onset(case: tuple) -> None:
    outcome = onset_case(*case)
    assert outcome.ok, outcome
    if outcome.reliable:
        assert outcome.extra["uncertainty_eV"] <= 1.5


def _spectrum(specimen: str, dwell_ms: float) -> tuple[np.ndarray, np.ndarray]:
    scope = Microscope(specimen, seed=0)
    scope.set_scan(fov_nm=8.0, pixels=256)
    s = scope.acquire_spectrum("EELS", 4.0, 4.0, dwell_ms=dwell_ms)
    return np.asarray(s.energy_eV, dtype=np.float64), np.asarray(s.counts, dtype=np.float64)


def test_a_shifted_edge_is_measured_as_shifted() -> None:
    energy, counts = _spectrum("srtio3", 100.0)
    plain = measure_edge_onset(energy, counts, "O")
    shifted = measure_edge_onset(energy + 3.0, counts, "O")  # every feature 3 eV higher: a chemical shift
    assert plain.reliable and shifted.reliable
    assert shifted.onset_eV - plain.onset_eV == pytest.approx(3.0, abs=2 * shifted.onset_uncertainty_eV)


def test_an_absent_edge_and_a_slowly_rising_one_are_not_reliable() -> None:
    energy, counts = _spectrum("graphene", 100.0)
    absent = measure_edge_onset(energy, counts, "O")
    assert not absent.reliable and "sigmas above its background" in absent.reliability_note
    energy, counts = _spectrum("srtio3", 100.0)
    slow = measure_edge_onset(energy, counts, "Sr", "M4,5")
    assert not slow.reliable and "rises slowly" in slow.reliability_note


def test_unknown_elements_edges_and_ranges_are_refused() -> None:
    energy, counts = _spectrum("graphene", 10.0)
    with pytest.raises(AnalysisError, match="no EELS edge"):
        measure_edge_onset(energy, counts, "Xx")
    with pytest.raises(AnalysisError, match="has no"):
        measure_edge_onset(energy, counts, "C", "L2,3")
    with pytest.raises(AnalysisError, match="does not cover"):
        measure_edge_onset(energy[energy < 300], counts[energy < 300], "O")
