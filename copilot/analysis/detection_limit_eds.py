"""EDS detection limit: the least amount of an element a spot spectrum could show at N sigmas, as atoms per nm^2
under the probe, as an atomic and a mass fraction of the elements seen, and the electrons a given fraction needs.

The line counts of an element are the fitted amplitudes of its line family (as
:func:`copilot.analysis.spectra.identify_elements` fits them, over the same continuum). With a calibrated
detector (solid angle, window and crystal efficiency) a family's counts per electron per atom/nm^2 follow from
first principles: the Bethe ionisation cross-section of the shell at the beam energy times the photons per
ionisation, the solid angle over 4 pi and the detection efficiency at each line (the zeta-factor method in
absolute form), so areal densities need no standard, and fractions are ratios of areal densities.

Significance is the likelihood-ratio test the identification uses. The least detectable amount and the electrons
an amount needs come from the expected ("Asimov") spectrum of that amount over this spectrum's continuum and
other lines: the line fitted with and without the element's family, the neighbouring families refitted, gives
the significance an average spectrum would show (Cowan et al., Eur. Phys. J. C 71, 1554, 2011). With k times the
electrons every count grows k-fold, so the electrons needed follow by solving for k. Near the detection level,
Poisson noise moves a measured significance about one sigma either way of the prediction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from copilot.analysis.errors import AnalysisError
from copilot.analysis.spectra import DETECTION_SIGMAS, EdsFit, as_spectrum, eds_fit, line_fit
from copilot.twin.eds import EDS_SOLID_ANGLE_SR, eds_efficiency, ionisation_cross_section_nm2
from copilot.twin.elements import EDS_LINES as TWIN_LINES
from copilot.twin.knockon import ATOMIC_MASS_U

MAX_ELECTRON_FACTOR = 1e12
OVERLAP = 1e-3  # a family shares a channel with the element's lines where its design exceeds this


@dataclass(frozen=True)
class EdsDetectionLimit:
    """What an EDS spot spectrum says about one element.

    Amounts under the probe: ``areal_density_per_nm2`` (atoms/nm^2, footprint-weighted as the detector sees them)
    with its one-sigma uncertainty, and the least amount that would stand ``sigmas`` above the continuum here
    (``minimum_areal_density_per_nm2``); the same as atomic and mass fractions of the ``matrix`` elements (those
    detected, or the reference) plus this one, and as atoms per ``reference`` atom. ``electrons_needed`` is what a
    spectrum here needs for ``goal_fraction`` to reach ``sigmas`` (nan without a goal) and ``goal_significance``
    the significance that fraction would have with this spectrum's electrons.
    """

    element: str
    line: str
    reference: str
    matrix: tuple[str, ...]
    matrix_lines: tuple[str, ...]
    detected: bool
    significance: float
    sigmas: float
    areal_density_per_nm2: float
    areal_density_uncertainty_per_nm2: float
    minimum_areal_density_per_nm2: float
    atomic_fraction: float
    atomic_fraction_uncertainty: float
    minimum_atomic_fraction: float
    minimum_mass_fraction: float
    ratio: float
    ratio_uncertainty: float
    minimum_ratio: float
    reference_significance: float
    electrons: float
    goal_fraction: float
    goal_significance: float
    electrons_needed: float


def family_yield(element: str, family: str, energy_kv: float) -> float:
    """Detected counts per electron per atom/nm^2 of one line family (all its lines): Bethe ionisation
    cross-section x photons per ionisation x solid angle / 4 pi x detector efficiency at each line."""
    lines = [ln for ln in TWIN_LINES.get(element, ()) if ln.label.split(" ")[1][0] == family]
    if not lines:
        raise AnalysisError(f"no {family} line of {element} is tabulated.")
    seen = EDS_SOLID_ANGLE_SR / (4 * math.pi)
    return float(sum(
        ionisation_cross_section_nm2(ln.edge_keV, ln.shell_nb, energy_kv) * ln.photons_per_ionisation * seen
        * float(eds_efficiency(np.array([1e3 * ln.energy_keV]))[0])
        for ln in lines
    ))  # fmt: skip


def _local(fit: EdsFit, k: int) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Channels where family ``k`` has counts, and the families sharing any of them."""
    rows = fit.design[:, k] > OVERLAP
    cols = np.any(fit.design[rows] > OVERLAP, axis=0)
    return rows, cols


def asimov_sigmas(fit: EdsFit, k: int, amplitude: float, scale: float = 1.0) -> float:
    """Significance an average spectrum would show for family ``k`` at ``amplitude`` (counts per channel at its
    main line's peak), over this spectrum's continuum and other lines, with all counts times ``scale``."""
    rows, cols = _local(fit, k)
    amps = fit.amplitudes.copy()
    amps[k] = amplitude
    mu = scale * (fit.background[rows] + fit.design[rows] @ amps)
    with_nll = float(np.sum(mu - mu * np.log(mu)))
    design = fit.design[rows][:, cols]
    free = np.ones(int(cols.sum()), dtype=bool)
    free[int(np.flatnonzero(cols).tolist().index(k))] = False
    without_nll, _ = line_fit(design, scale * fit.background[rows], mu, free)
    return math.sqrt(max(2.0 * (without_nll - with_nll), 0.0))


def _least_amplitude(fit: EdsFit, k: int, sigmas: float) -> float:
    """Amplitude of family ``k`` at which the average spectrum reaches ``sigmas``."""
    hi = max(float(fit.amplitudes[k]), 1e-3)
    while asimov_sigmas(fit, k, hi) < sigmas:
        hi *= 4.0
        if hi > 1e12:
            return math.inf
    lo = hi
    while lo > 1e-9 and asimov_sigmas(fit, k, lo) > sigmas:
        lo /= 4.0
    return float(brentq(lambda a: asimov_sigmas(fit, k, a) - sigmas, lo, hi, xtol=1e-4 * hi))


def _electron_factor(fit: EdsFit, k: int, amplitude: float, sigmas: float) -> float:
    """Factor on the electrons at which family ``k`` at ``amplitude`` reaches ``sigmas`` on average."""

    def gap(log_k: float) -> float:
        return asimov_sigmas(fit, k, amplitude, math.exp(log_k)) - sigmas

    lo, hi = math.log(1e-9), math.log(MAX_ELECTRON_FACTOR)
    if amplitude <= 0 or gap(hi) < 0:
        return math.inf
    if gap(lo) > 0:
        return math.exp(lo)
    return math.exp(brentq(gap, lo, hi, xtol=1e-5))


def _sd_amplitudes(fit: EdsFit) -> NDArray[np.float64]:
    """One sigma of every family's amplitude from the Fisher information of the fit (overlaps included)."""
    mu = fit.background + fit.design @ fit.amplitudes
    used = fit.design.max(axis=0) > OVERLAP
    info = fit.design[:, used].T @ (fit.design[:, used] / mu[:, None])
    sd = np.full(len(fit.families), math.inf)
    sd[used] = np.sqrt(np.clip(np.diag(np.linalg.pinv(info)), 0.0, None))
    return sd


def _main_line(fit: EdsFit, k: int) -> str:
    """Name of the strongest line of family ``k`` (e.g. "Ka")."""
    return max((ln for ln in fit.lines if (ln.element, ln.family) == fit.families[k]), key=lambda ln: ln.weight).line


def eds_detection_limit(
    energy_axis_eV: ArrayLike,
    counts: ArrayLike,
    element: str,
    electrons: float,
    energy_kv: float,
    reference: str | None = None,
    goal_fraction: float | None = None,
    sigmas: float = DETECTION_SIGMAS,
    goal_ratio: float | None = None,
) -> EdsDetectionLimit:
    """Detection limit of ``element`` in an EDS spot spectrum taken with ``electrons`` at ``energy_kv``.

    Fractions are of the matrix: every other element detected at 5 sigmas, or ``reference`` alone when given
    (then also when it is weak). The goal is an atomic fraction of matrix plus element, or ``goal_ratio`` atoms
    per reference atom (one of them). Raises AnalysisError when no line of the element lies in range or there is
    no matrix to take a fraction of.
    """
    if not (math.isfinite(electrons) and electrons > 0):
        raise AnalysisError(f"electrons must be > 0, got {electrons!r}.")
    if not (math.isfinite(energy_kv) and energy_kv > 0):
        raise AnalysisError(f"energy_kv must be > 0, got {energy_kv!r}.")
    if not 1.0 <= sigmas <= 20.0:
        raise AnalysisError(f"sigmas must lie in [1, 20], got {sigmas!r}.")
    if goal_fraction is not None and not (math.isfinite(goal_fraction) and 0 < goal_fraction < 1):
        raise AnalysisError(f"goal_fraction must lie in (0, 1), got {goal_fraction!r}.")
    if goal_ratio is not None and not (math.isfinite(goal_ratio) and goal_ratio > 0):
        raise AnalysisError(f"goal_ratio must be > 0, got {goal_ratio!r}.")
    if goal_ratio is not None and goal_fraction is not None:
        raise AnalysisError("give goal_fraction or goal_ratio, not both.")
    energy, n = as_spectrum(energy_axis_eV, counts)
    fit = eds_fit(energy, n)
    mine = [k for k, f in enumerate(fit.families) if f[0].lower() == element.lower()] if fit else []
    if fit is None or not mine:
        raise AnalysisError(
            f"no line of {element!r} lies in the spectrum's range.",
            hint="Acquire an EDS spectrum over 0-20 keV (acquire_spectrum kind='EDS').",
        )
    sd = _sd_amplitudes(fit)

    def per_amplitude(k: int) -> float:  # atoms/nm^2 per unit amplitude of family k
        el, fam = fit.families[k]
        return fit.area(k) / (electrons * family_yield(el, fam, energy_kv))

    def best_family(el: str) -> int:
        return max((k for k, f in enumerate(fit.families) if f[0] == el), key=lambda k: fit.significance[k])

    target_el = fit.families[mine[0]][0]
    others = sorted({f[0] for f in fit.families if f[0] != target_el})
    if reference is not None:
        matrix = [el for el in others if el.lower() == reference.lower()]
        if not matrix:
            raise AnalysisError(f"{reference!r} has no line in this spectrum's range.")
    else:
        matrix = [el for el in others if fit.significance[best_family(el)] >= DETECTION_SIGMAS]
    if not matrix:
        raise AnalysisError(
            "no other element is detected in this spectrum: there is nothing to take a fraction of.",
            hint="Pass reference= the matrix element (e.g. C for graphene), or use a longer dwell_ms.",
        )
    amount = {el: fit.amplitudes[best_family(el)] * per_amplitude(best_family(el)) for el in matrix}
    amount_sd = {el: sd[best_family(el)] * per_amplitude(best_family(el)) for el in matrix}
    total = float(sum(amount.values()))
    if total <= 0:
        raise AnalysisError("the matrix lines hold no counts: there is nothing to take a fraction of.")
    ref = max(matrix, key=lambda el: fit.significance[best_family(el)])
    total_sd = math.sqrt(sum(v * v for v in amount_sd.values()))
    mass = float(sum(amount[el] * ATOMIC_MASS_U[el] for el in matrix))

    least = {k: _least_amplitude(fit, k, sigmas) * per_amplitude(k) for k in mine}
    k = min(mine, key=lambda q: least[q])  # the family that detects the element best here
    density = float(fit.amplitudes[k] * per_amplitude(k))
    density_sd = float(sd[k] * per_amplitude(k))
    min_density = least[k]
    fraction = density / (density + total)
    fraction_sd = math.hypot(total * density_sd, density * total_sd) / (density + total) ** 2
    m_t = ATOMIC_MASS_U[target_el]
    goal_sig, needed = math.nan, math.nan
    if goal_ratio is not None:
        goal_fraction = goal_ratio * amount[ref] / (goal_ratio * amount[ref] + total)
    if goal_fraction is not None:
        goal_amp = goal_fraction / (1.0 - goal_fraction) * total / per_amplitude(k)
        goal_sig = asimov_sigmas(fit, k, goal_amp)
        needed = electrons * _electron_factor(fit, k, goal_amp, sigmas)
    return EdsDetectionLimit(
        target_el, _main_line(fit, k), ref, tuple(matrix), tuple(_main_line(fit, best_family(el)) for el in matrix),
        bool(fit.significance[k] >= sigmas), float(fit.significance[k]),
        sigmas, density, density_sd, min_density, fraction, fraction_sd, min_density / (min_density + total),
        min_density * m_t / (min_density * m_t + mass), density / amount[ref],
        math.hypot(density_sd / amount[ref], density * amount_sd[ref] / amount[ref] ** 2), min_density / amount[ref],
        float(fit.significance[best_family(ref)]), electrons, math.nan if goal_fraction is None else goal_fraction,
        goal_sig, needed,
    )  # fmt: skip


__all__: list[str] = ["EdsDetectionLimit", "asimov_sigmas", "eds_detection_limit", "family_yield"]
