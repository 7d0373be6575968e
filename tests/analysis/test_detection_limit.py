"""EELS detection limits against the twin: the Si/C ratio under the probe and the electrons Si needs."""

import numpy as np
import pytest

from copilot.analysis.detection_limit import detection_limit, spectrum_electrons
from copilot.analysis.errors import AnalysisError
from copilot.bench.accuracy_spectra import detection_case
from copilot.twin import Microscope


@pytest.mark.parametrize("dwell_ms", [30.0, 300.0])
def test_the_electrons_si_needs_match_the_noise_free_twin_and_the_ratio_its_atoms(dwell_ms: float) -> None:
    outcome = detection_case(dwell_ms)
    assert outcome.ok, outcome


def test_si_absent_from_pristine_graphene_is_below_the_limit_and_more_electrons_lower_it() -> None:
    scope = Microscope("graphene", seed=3)
    scope.set_scan(fov_nm=8.0, pixels=256)
    limits = []
    for dwell in (30.0, 300.0):
        s = scope.acquire_spectrum("EELS", 4.0, 4.0, dwell_ms=dwell)
        n_e = spectrum_electrons(scope.state.beam.current_pa, s.live_time_s)
        d = detection_limit(s.energy_eV, s.counts, "Si", n_e, 200.0, 20.0, goal_ratio=0.01)
        atoms = scope.ground_truth_atoms(
            *(np.array(scope.fov_to_specimen(np.array([3.5, 4.5]), np.array([3.5, 4.5]))).T.ravel()[[0, 2, 1, 3]])
        )
        assert "Si" not in set(atoms.elements), "the probe sits on a Si atom; pick another seed"
        assert not d.detected and d.reference == "C"
        assert abs(d.ratio) <= 3 * d.ratio_uncertainty
        assert d.electrons_needed > n_e
        limits.append(d.minimum_ratio)
    assert limits[1] == pytest.approx(limits[0] / np.sqrt(10.0), rel=0.3)  # background-limited: 1 / sqrt(dose)


def test_a_spectrum_without_a_reference_element_is_refused() -> None:
    energy = np.arange(50.0, 1000.0, 1.0)
    counts = np.random.default_rng(0).poisson(1e9 * energy**-3.0).astype(np.float64)
    with pytest.raises(AnalysisError, match="nothing to scale"):
        detection_limit(energy, counts, "Si", 1e8, 200.0, 20.0)
