"""EDS detection limits against the twin: atoms under the probe, the significance a fraction would show, and the
electrons a fraction needs, against the twin's footprint and its noise-free spectra."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from fastmcp import Client

from copilot.analysis.detection_limit import spectrum_electrons
from copilot.analysis.detection_limit_eds import asimov_sigmas, eds_detection_limit, family_yield
from copilot.analysis.errors import AnalysisError
from copilot.analysis.spectra import eds_fit
from copilot.bench.accuracy_spectra import eds_detection_case, true_eds_density
from copilot.session import Session
from copilot.tools.server import create_server
from copilot.twin import Microscope


@pytest.mark.parametrize("case", [("srtio3", "Ti", "Sr", 1000.0), ("srtio3", "Ti", "Sr", 3000.0)])
def test_the_eds_fraction_significance_and_electrons_match_the_twin(case: tuple[str, str, str, float]) -> None:
    outcome = eds_detection_case(*case)
    assert outcome.reliable, outcome  # the reference line stands 10 sigma at these dwells (Sr-Ka ~13 at 1 s)
    assert outcome.ok, outcome


def test_a_graphene_fraction_against_a_carbon_line_under_ten_sigma_is_said_to_be_unreliable() -> None:
    # over the twin's own continuum C-Ka stands ~4 sigma in 30 s at 10 pA (window-absorbed, on the continuum's
    # maximum): the fraction of Si rests on a weak reference, and the result says so
    outcome = eds_detection_case("graphene", "Si", "C", 30000.0)
    assert not outcome.reliable, outcome
    assert outcome.ok, outcome
    assert outcome.extra["predicted_sigmas"] == pytest.approx(outcome.extra["sigmas"], abs=2.0), outcome


def _srtio3(noise: bool, dwell_ms: float, seed: int = 0) -> tuple[Microscope, np.ndarray, np.ndarray, float]:
    scope = Microscope("srtio3", seed=seed, noise=noise)
    scope.set_scan(fov_nm=8.0, pixels=256)
    truth = {el: true_eds_density(scope, 4.0, 4.0, el, line) for el, line in (("Ti", "Ka"), ("Sr", "Ka"), ("O", "Ka"))}
    s = scope.acquire_spectrum("EDS", 4.0, 4.0, dwell_ms=dwell_ms)
    n_e = spectrum_electrons(scope.state.beam.current_pa, s.live_time_s)
    scope.truth = truth  # type: ignore[attr-defined]
    return scope, np.asarray(s.energy_eV), np.asarray(s.counts), n_e


def test_on_a_noise_free_spectrum_the_areal_densities_are_the_atoms_seen_and_the_prediction_is_the_test() -> None:
    scope, energy, counts, n_e = _srtio3(False, 1000.0)
    fit = eds_fit(energy, counts)
    assert fit is not None
    for element in ("Ti", "Sr", "O"):
        k = max((i for i, f in enumerate(fit.families) if f[0] == element), key=lambda i: fit.significance[i])
        density = fit.amplitudes[k] * fit.area(k) / (n_e * family_yield(*fit.families[k], 200.0))
        assert density == pytest.approx(scope.truth[element], rel=0.06), element  # type: ignore[attr-defined]
        # the average spectrum of the fitted amount is this spectrum: predicted and measured sigmas agree
        assert asimov_sigmas(fit, k, fit.amplitudes[k]) == pytest.approx(fit.significance[k], rel=0.02), element


def test_an_absent_element_is_below_its_limit_and_more_electrons_lower_the_limit() -> None:
    limits = []
    for dwell in (300.0, 3000.0):
        _, energy, counts, n_e = _srtio3(True, dwell, seed=1)
        d = eds_detection_limit(energy, counts, "Si", n_e, 200.0, goal_fraction=0.01)
        assert not d.detected and set(d.matrix) >= {"Sr", "Ti", "O"}
        assert abs(d.atomic_fraction) <= 3 * d.atomic_fraction_uncertainty
        assert d.minimum_atomic_fraction > 0 and d.minimum_mass_fraction > 0
        assert d.electrons_needed > n_e  # 1 % Si is not detectable in these spectra
        limits.append(d.minimum_areal_density_per_nm2)
    assert limits[1] == pytest.approx(limits[0] / math.sqrt(10.0), rel=0.35)  # continuum-limited: 1 / sqrt(dose)


def test_bad_eds_arguments_are_refused() -> None:
    _, energy, counts, n_e = _srtio3(True, 300.0)
    with pytest.raises(AnalysisError, match="no line of 'Xx'"):
        eds_detection_limit(energy, counts, "Xx", n_e, 200.0)
    with pytest.raises(AnalysisError, match="not both"):
        eds_detection_limit(energy, counts, "Si", n_e, 200.0, goal_fraction=0.01, goal_ratio=0.01)
    with pytest.raises(AnalysisError, match=r"goal_fraction must lie in \(0, 1\)"):
        eds_detection_limit(energy, counts, "Si", n_e, 200.0, goal_fraction=1.5)
    with pytest.raises(AnalysisError, match="electrons must be > 0"):
        eds_detection_limit(energy, counts, "Si", 0.0, 200.0)
    flat = np.random.default_rng(0).poisson(5.0, energy.size).astype(np.float64)
    with pytest.raises(AnalysisError, match="nothing to take a fraction of"):
        eds_detection_limit(energy, flat, "Si", n_e, 200.0)


async def test_detection_limit_reads_an_eds_spectrum_as_eds_and_refuses_mismatched_goals(tmp_path: Path) -> None:
    session = Session(tmp_path, specimen="srtio3", seed=0)
    async with Client(create_server(session)) as client:
        await client.call_tool("acquire_spectrum", {"kind": "EDS", "x_nm": 4.0, "y_nm": 4.0, "dwell_ms": 200.0})
        r = (await client.call_tool("detection_limit", {"element": "Si", "goal_fraction": 0.05})).structured_content
        assert r is not None and r["technique"] == "EDS" and not r["detected"]
        assert 0 < r["minimum_atomic_fraction"] < 1 and r["dwell_needed_ms"] > 0 and r["goal_fraction"] == 0.05
        for bad, match in (
            ({"kind": "EELS"}, "cannot be read as EELS"),
            ({"goal_fraction": 0.05, "goal_ratio": 0.05}, "not both"),
            ({"goal_fraction": 1.5}, "less than 1"),
        ):
            with pytest.raises(Exception, match=match):
                await client.call_tool("detection_limit", {"element": "Si", **bad})
        await client.call_tool("acquire_spectrum", {"kind": "EELS", "x_nm": 1.0, "y_nm": 1.0, "dwell_ms": 20.0})
        with pytest.raises(Exception, match="goal_fraction applies to EDS"):
            await client.call_tool("detection_limit", {"element": "Si", "goal_fraction": 0.05})
        eels = (await client.call_tool("detection_limit", {"element": "Si", "goal_ratio": 0.01})).structured_content
        assert eels is not None and eels["technique"] == "EELS" and eels["matrix"] is None
    session.close()
