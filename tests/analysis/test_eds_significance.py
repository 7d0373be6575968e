"""EDS line significance on sparse spot spectra against the twin's own continuum.

The twin's spectrum is Poisson noise on an expected spectrum of lines over a bremsstrahlung continuum; the
continuum alone is that spectrum with every line's areal density set to zero. The continuum fitted under a line
must match it at a fraction of a count per channel, and the significance reported must match the significance
the same counts show over the true continuum.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from copilot.analysis.spectra import DETECTION_SIGMAS, EdsFit, _fwhm_eV, eds_fit, line_fit
from copilot.bench.accuracy_spectra import _eds_scopes
from copilot.twin.eds import eds_features, eds_per_electron
from copilot.twin.footprint import footprint

DRAWS = 20
PRESENT = {"srtio3": {"Sr", "Ti", "O", "C"}, "graphene": {"C", "Si"}}


@cache
def _spot(specimen: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Energy axis, expected counts per second and the continuum's share of them at the accuracy cases' spot."""
    _, clean = _eds_scopes(specimen, 0)
    features = eds_features()
    pts = np.array(clean.fov_to_specimen(np.array([4.0]), np.array([4.0]))).reshape(2, 1).T
    densities = footprint(clean.state, clean._scene(), clean.aberrations(), pts, features).densities
    kv = clean.state.beam.energy_kv
    continuum_only = densities.copy()
    continuum_only[:, [i for i, (_, edge_eV) in enumerate(features) if math.isfinite(edge_eV)]] = 0.0
    full, continuum = eds_per_electron(densities, kv)[0], eds_per_electron(continuum_only, kv)[0]
    s = clean.acquire_spectrum("EDS", 4.0, 4.0, dwell_ms=1000.0)
    electrons = float(np.sum(s.counts) / np.sum(full))
    assert np.allclose(electrons * full, s.counts, rtol=1e-6)  # the model is the twin's spectrum
    return np.asarray(s.energy_eV, dtype=np.float64), electrons * full, electrons * continuum


def _family(fit: EdsFit, element: str) -> tuple[int, float]:
    """Index of the element's strongest family and the energy (eV) of its main line."""
    k = max((i for i, f in enumerate(fit.families) if f[0] == element), key=lambda i: fit.significance[i])
    main = max((ln for ln in fit.lines if (ln.element, ln.family) == fit.families[k]), key=lambda ln: ln.weight)
    return k, 1000.0 * main.energy_keV


def _under_line(fit: EdsFit, energy_eV: float, continuum: np.ndarray) -> float:
    """Fitted over true continuum within one FWHM of a line."""
    window = np.abs(fit.energy_eV - energy_eV) < _fwhm_eV(np.array([energy_eV]))[0]
    return float(fit.background[window].sum() / continuum[window].sum())


def _sigmas_over(fit: EdsFit, k: int, background: np.ndarray) -> float:
    """Likelihood-ratio significance of family ``k`` in the fit's counts over a given continuum."""
    everything = np.ones(len(fit.families), dtype=bool)
    without = everything.copy()
    without[k] = False
    best = line_fit(fit.design, background, fit.counts, everything)[0]
    return math.sqrt(2.0 * max(line_fit(fit.design, background, fit.counts, without)[0] - best, 0.0))


@pytest.mark.parametrize(("specimen", "elements"), [("srtio3", ("Ti", "Sr", "O")), ("graphene", ("Si", "C"))])
def test_on_a_noise_free_spectrum_the_continuum_under_every_line_is_the_twins(
    specimen: str, elements: tuple[str, ...]
) -> None:
    energy, rate, continuum_rate = _spot(specimen)
    dwell_s = 1.0 if specimen == "srtio3" else 30.0
    fit = eds_fit(energy, rate * dwell_s)
    assert fit is not None
    truth = (continuum_rate * dwell_s)[np.searchsorted(energy, fit.energy_eV)]
    for element in elements:
        _, line_eV = _family(fit, element)
        assert _under_line(fit, line_eV, truth) == pytest.approx(1.0, abs=0.05), element


@pytest.mark.parametrize(
    ("specimen", "dwell_s", "element"), [("srtio3", 0.1, "Ti"), ("srtio3", 0.1, "Sr"), ("graphene", 30.0, "Si")]
)
def test_on_sparse_spectra_the_continuum_and_the_significance_are_unbiased(
    specimen: str, dwell_s: float, element: str
) -> None:
    """20 Poisson draws of the twin's spectrum (a few hundred counts): the continuum under the line and the
    significance are those over the true continuum, on average within 15 % (SNIP read the continuum 50-80 % low
    and the significance 35-50 % high at 100 ms)."""
    energy, rate, continuum_rate = _spot(specimen)
    under, ratios = [], []
    for seed in range(DRAWS):
        counts = np.random.default_rng(seed).poisson(rate * dwell_s).astype(np.float64)
        fit = eds_fit(energy, counts)
        assert fit is not None
        truth = (continuum_rate * dwell_s)[np.searchsorted(energy, fit.energy_eV)]
        k, line_eV = _family(fit, element)
        under.append(_under_line(fit, line_eV, truth))
        true_sigmas = _sigmas_over(fit, k, truth)
        if true_sigmas > 1.0:
            ratios.append(fit.significance[k] / true_sigmas)
    assert len(ratios) >= DRAWS // 2
    assert float(np.mean(under)) == pytest.approx(1.0, abs=0.15)
    assert float(np.mean(ratios)) == pytest.approx(1.0, abs=0.15)


@pytest.mark.parametrize(("specimen", "dwell_s"), [("srtio3", 0.1), ("srtio3", 1.0), ("graphene", 10.0)])
def test_no_absent_element_reaches_the_detection_level_in_sparse_spectra(specimen: str, dwell_s: float) -> None:
    energy, rate, _ = _spot(specimen)
    false = []
    for seed in range(DRAWS):
        counts = np.random.default_rng(seed).poisson(rate * dwell_s).astype(np.float64)
        fit = eds_fit(energy, counts)
        assert fit is not None
        false += [(seed, f[0]) for k, f in enumerate(fit.families) if f[0] not in PRESENT[specimen]
                  and fit.significance[k] >= DETECTION_SIGMAS]  # fmt: skip
    assert not false
