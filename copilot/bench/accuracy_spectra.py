"""Accuracy of the spectrum measurements against the twin: EELS edge onsets against the onsets the twin draws,
and EELS and EDS detection limits against the twin's expected (noise-free) spectra and the atoms under the probe.

The truth of a detection limit is what the twin itself would record: the amount of an element under the probe
is the footprint-weighted areal density the twin's spectrometer sees, and the electrons an element needs are
those at which the noise-free spectrum's edge reaches the detection level.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.optimize import brentq

from copilot.analysis.detection_limit import detection_limit, spectrum_electrons
from copilot.analysis.detection_limit_eds import eds_detection_limit
from copilot.analysis.edge_onset import measure_edge_onset
from copilot.analysis.spectra import DETECTION_SIGMAS, identify_elements
from copilot.bench.accuracy_case import Outcome, rel
from copilot.twin import Microscope
from copilot.twin.edges import EELS_EDGES as TWIN_EDGES
from copilot.twin.eds import eds_features
from copilot.twin.elements import EDS_LINES as TWIN_LINES
from copilot.twin.footprint import footprint
from copilot.twin.spectroscopy import EELS_FEATURES

ONSET_SIGMAS = 3.0
RATIO_SIGMAS = 3.0
ELECTRONS_TOLERANCE = 30.0  # %, electrons needed to detect an element, against the noise-free twin
EDS_ELECTRONS_TOLERANCE = 50.0
"""%, EDS electrons needed against the noise-free twin: the prediction scales with the measured fraction, whose
Poisson scatter alone moves it by 25-30 % per spectrum at these counts."""
EDS_SIGNIFICANCE_TOLERANCE = 2.0  # sigmas (plus 15 %) between the predicted and the measured line significance
MIN_REFERENCE_SIGMAS = 10.0  # a weaker reference line scales the amounts by a poorly known signal


def onset_case(specimen: str, element: str, edge: str | None, dwell_ms: float, seed: int = 0) -> Outcome:
    """Onset of one edge in a spot spectrum against the onset the twin draws (error in eV): a reliable onset
    must lie within 3 of its sigmas of the truth (and is reliable only with a sigma up to 1.5 eV); an unreliable
    one passes (it says so)."""
    scope = Microscope(specimen, seed=seed)
    scope.set_scan(fov_nm=8.0, pixels=256)
    s = scope.acquire_spectrum("EELS", 4.0, 4.0, dwell_ms=dwell_ms)
    o = measure_edge_onset(s.energy_eV, s.counts, element, edge)
    truth = next(e.onset_eV for e in TWIN_EDGES[o.element] if e.onset_eV >= o.tabulated_eV - 0.5)
    err = o.onset_eV - truth
    within = abs(err) <= ONSET_SIGMAS * o.onset_uncertainty_eV
    return Outcome(
        "measure_edge_onset", f"{specimen} {o.element}-{o.edge}, {dwell_ms:g} ms", s.dose_e_per_A2, truth,
        o.onset_eV, err, "eV", None, None, o.reliable,
        f"|error| <= {ONSET_SIGMAS:g} sigma (sigma <= 1.5 eV), or reliable = false",
        within or not o.reliable, {"uncertainty_eV": o.onset_uncertainty_eV, "sigmas": o.significance},
    )  # fmt: skip


def _si_site(seed: int) -> tuple[Microscope, Microscope]:
    """A noisy and a noise-free graphene scope, both centred on the same Si substitution."""
    scopes = []
    for noise in (True, False):
        m = Microscope("graphene", seed=seed, noise=noise)
        si = next(d for d in m.ground_truth_defects(-15.0, -15.0, 15.0, 15.0) if d.kind == "substitution")
        m.move_stage(x_um=si.position_nm[0] / 1000.0, y_um=si.position_nm[1] / 1000.0)
        m.set_scan(fov_nm=8.0, pixels=256)
        scopes.append(m)
    return scopes[0], scopes[1]


def _true_ratio(scope: Microscope, x_nm: float, y_nm: float, edge: tuple[str, float], ref: tuple[str, float]) -> float:
    """Atoms of one element per atom of another under the probe, each weighted as the twin's spectrometer sees it
    at the given edge (element, onset eV): an edge's delocalisation sets how far from the probe its atoms count."""
    state, scene = scope.state, scope._scene()
    pts = np.array(scope.fov_to_specimen(np.array([x_nm]), np.array([y_nm]))).reshape(2, 1).T
    dens = footprint(state, scene, scope.aberrations(), pts, EELS_FEATURES).densities[0]

    def index(el: str, onset: float) -> int:
        return min(
            (i for i, f in enumerate(EELS_FEATURES) if f[0] == el), key=lambda i: abs(EELS_FEATURES[i][1] - onset)
        )

    return float(dens[index(*edge)] / dens[index(*ref)])


def _true_electrons(expected: Any, electrons: float, element: str, edge: str) -> float:
    """Electrons at which the twin's noise-free spectrum shows ``element``'s edge at the detection level."""

    def gap(log_k: float) -> float:
        ev = identify_elements(expected.energy_eV, math.exp(log_k) * np.asarray(expected.counts), "EELS").evidence
        sig = next(e.significance for e in ev if e.element == element and e.feature == edge)
        return sig - DETECTION_SIGMAS

    return electrons * math.exp(brentq(gap, math.log(1e-4), math.log(1e4), xtol=1e-3))


def _onset(element: str, edge: str) -> float:
    from copilot.analysis.edge_onset import pick_edge

    return pick_edge(element, edge).energy_eV


def detection_case(dwell_ms: float, seed: int = 0) -> Outcome:
    """On a Si substitution in graphene: the Si/C ratio the spectrum shows against the atoms under the probe
    (within 3 sigma), and the electrons it says Si needs against the noise-free twin (within 30 %)."""
    noisy, clean = _si_site(seed)
    s = noisy.acquire_spectrum("EELS", 4.0, 4.0, dwell_ms=dwell_ms)
    st = noisy.state
    n_e = spectrum_electrons(st.beam.current_pa, s.live_time_s)
    probe = (s.energy_eV, s.counts, "Si", n_e, st.beam.energy_kv, st.detectors.eels_collection_mrad, "C")
    edge = detection_limit(*probe)
    truth_ratio = _true_ratio(clean, 4.0, 4.0, ("Si", _onset(edge.element, edge.edge)), ("C", 284.0))
    d = detection_limit(*probe, goal_ratio=truth_ratio)
    expected = clean.acquire_spectrum("EELS", 4.0, 4.0, dwell_ms=dwell_ms)
    true_n = _true_electrons(expected, n_e, "Si", d.edge)
    n_err = rel(d.electrons_needed, true_n)
    ratio_ok = abs(d.ratio - truth_ratio) <= RATIO_SIGMAS * d.ratio_uncertainty
    ok = ratio_ok and abs(n_err) <= ELECTRONS_TOLERANCE
    return Outcome(
        "detection_limit", f"graphene Si site, Si-{d.edge} vs C-K, {dwell_ms:g} ms", s.dose_e_per_A2, true_n,
        d.electrons_needed, n_err, "%", None, None, None,
        f"electrons needed within {ELECTRONS_TOLERANCE:g} %, Si/C within {RATIO_SIGMAS:g} sigma", ok,
        {"true_ratio": truth_ratio, "ratio": d.ratio, "ratio_sd": d.ratio_uncertainty, "min_ratio": d.minimum_ratio},
    )  # fmt: skip


def _eds_scopes(specimen: str, seed: int) -> tuple[Microscope, Microscope]:
    """A noisy and a noise-free scope, both centred on the same spot (graphene: a Si substitution)."""
    scopes = []
    for noise in (True, False):
        m = Microscope(specimen, seed=seed, noise=noise)
        if specimen == "graphene":
            si = next((d for d in m.ground_truth_defects(-50.0, -50.0, 50.0, 50.0) if d.kind == "substitution"), None)
            if si is None:
                raise ValueError(f"graphene seed {seed} has no Si substitution within 50 nm of the centre")
            m.move_stage(x_um=si.position_nm[0] / 1000.0, y_um=si.position_nm[1] / 1000.0)
        m.set_scan(fov_nm=8.0, pixels=256)
        scopes.append(m)
    return scopes[0], scopes[1]


def true_eds_density(scope: Microscope, x_nm: float, y_nm: float, element: str, line: str) -> float:
    """Atoms/nm^2 of an element under the probe as the twin's EDS detector sees them at one line (e.g. "Ka"): the
    footprint-weighted areal density of that line's feature (its edge sets how far from the probe atoms count)."""
    features = eds_features()
    pts = np.array(scope.fov_to_specimen(np.array([x_nm]), np.array([y_nm]))).reshape(2, 1).T
    dens = footprint(scope.state, scope._scene(), scope.aberrations(), pts, features).densities[0]
    edge_eV = next(ln.edge_keV for ln in TWIN_LINES[element] if ln.label == f"{element} {line}") * 1e3
    return float(dens[next(i for i, f in enumerate(features) if f == (element, edge_eV))])


def _true_eds_electrons(expected: Any, electrons: float, element: str, line: str) -> float:
    """Electrons at which the twin's noise-free EDS spectrum shows ``element``'s line at the detection level."""

    def gap(log_k: float) -> float:
        ev = identify_elements(expected.energy_eV, math.exp(log_k) * np.asarray(expected.counts), "EDS").evidence
        return next(e.significance for e in ev if e.element == element and e.feature == line) - DETECTION_SIGMAS

    return electrons * math.exp(brentq(gap, math.log(1e-4), math.log(1e5), xtol=1e-3))


def eds_detection_case(specimen: str, element: str, reference: str, dwell_ms: float, seed: int = 0) -> Outcome:
    """EDS detection limit at one spot: the atomic fraction of ``element`` (of it and ``reference``) the spectrum
    shows against the atoms under the probe (within 3 sigma), the significance it predicts for the true fraction
    against the significance measured (within 2 sigma + 15 %), and the electrons it says that fraction needs
    against the noise-free twin (within 50 %); a result with a reference line under 10 sigma must say it is not
    reliable, and then passes."""
    noisy, clean = _eds_scopes(specimen, seed)
    s = noisy.acquire_spectrum("EDS", 4.0, 4.0, dwell_ms=dwell_ms)
    n_e = spectrum_electrons(noisy.state.beam.current_pa, s.live_time_s)
    kv = noisy.state.beam.energy_kv
    first = eds_detection_limit(s.energy_eV, s.counts, element, n_e, kv, reference)
    true_el = true_eds_density(clean, 4.0, 4.0, element, first.line)
    true_ref = true_eds_density(clean, 4.0, 4.0, reference, first.matrix_lines[0])
    truth = true_el / (true_el + true_ref)
    d = eds_detection_limit(s.energy_eV, s.counts, element, n_e, kv, reference, goal_fraction=truth)
    expected = clean.acquire_spectrum("EDS", 4.0, 4.0, dwell_ms=dwell_ms)
    true_n = _true_eds_electrons(expected, n_e, element, d.line)
    n_err = rel(d.electrons_needed, true_n)
    reliable = d.reference_significance >= MIN_REFERENCE_SIGMAS
    fraction_ok = abs(d.atomic_fraction - truth) <= RATIO_SIGMAS * d.atomic_fraction_uncertainty
    sig_ok = abs(d.goal_significance - d.significance) <= EDS_SIGNIFICANCE_TOLERANCE + 0.15 * d.significance
    ok = (fraction_ok and sig_ok and abs(n_err) <= EDS_ELECTRONS_TOLERANCE) or not reliable
    return Outcome(
        "detection_limit", f"EDS {specimen} {element}-{d.line} vs {reference}, {dwell_ms:g} ms", s.dose_e_per_A2,
        true_n, d.electrons_needed, n_err, "%", None, None, reliable,
        f"fraction within {RATIO_SIGMAS:g} sigma, predicted sigmas within {EDS_SIGNIFICANCE_TOLERANCE:g} + 15 % of "
        f"measured, electrons needed within {EDS_ELECTRONS_TOLERANCE:g} %, or reliable = false", ok,
        {"true_fraction": truth, "fraction": d.atomic_fraction, "fraction_sd": d.atomic_fraction_uncertainty,
         "min_fraction": d.minimum_atomic_fraction, "sigmas": d.significance, "predicted_sigmas": d.goal_significance,
         "true_density_per_nm2": true_el, "density_per_nm2": d.areal_density_per_nm2},
    )  # fmt: skip


EDS_DETECTION_CASES = (
    ("srtio3", "Ti", "Sr", 300.0),
    ("srtio3", "Ti", "Sr", 1000.0),
    ("srtio3", "Ti", "Sr", 3000.0),
    ("graphene", "Si", "C", 30000.0),
)
"""EDS detection-limit cases of the accuracy table (specimen, element, reference, dwell_ms)."""
