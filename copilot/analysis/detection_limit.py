"""EELS detection limit: the least amount of an element a spectrum could show at N sigmas, as atoms per atom of
a reference element seen in the same spectrum, and the electrons a given amount would need.

The edge signal of an element is the excess over the power-law background in its window (as
:func:`copilot.analysis.spectra.identify_elements` measures it). Amounts are ratios of atoms by the cross-section
ratio method (Egerton 2011, ch. 4.5): N_a / N_b = (I_a / sigma_a) / (I_b / sigma_b), with the hydrogenic
cross-sections of the edges integrated over their windows at the spectrum's beam energy and collection angle, so
the current, the detector efficiency and (to first order) plural scattering cancel. The least detectable signal
is the excess that would reach ``sigmas`` by the same significance test the identification uses; with k times the
electrons, signal and background grow k-fold and the background's extrapolation variance k-fold, so the
electrons a given amount needs follow by solving for k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from copilot.analysis.errors import AnalysisError
from copilot.analysis.spectra import DETECTION_SIGMAS, ElementEvidence, excess_significance, identify_elements
from copilot.twin.edges import EELS_EDGES as EDGE_SHAPES
from copilot.twin.eels import edge_cross_section_nm2_per_eV

MAX_ELECTRON_FACTOR = 1e12


@dataclass(frozen=True)
class DetectionLimit:
    """What an EELS spectrum says about one element against a reference element.

    ``minimum_ratio`` is the least number of the element's atoms per reference atom that would stand
    ``sigmas`` above the background here; ``ratio`` (with its one-sigma uncertainty) is the amount the spectrum
    shows, significant or not; ``electrons_needed`` the electrons a spectrum at this spot would need for
    ``goal_ratio`` to reach ``sigmas`` (nan without a goal).
    """

    element: str
    edge: str
    reference: str
    reference_edge: str
    detected: bool
    significance: float
    sigmas: float
    minimum_ratio: float
    ratio: float
    ratio_uncertainty: float
    electrons: float
    goal_ratio: float
    electrons_needed: float


def window_cross_section_nm2(
    element: str, edge_eV: float, window_eV: tuple[float, float], kv: float, mrad: float
) -> float:
    """Cross-section per atom (nm^2) of an element's edge (its sub-shell edges within 10 % of ``edge_eV``),
    integrated over the signal window in 1 eV steps."""
    e = np.arange(window_eV[0], window_eV[1] + 0.5, 1.0)
    shapes = [s for s in EDGE_SHAPES.get(element, ()) if edge_eV - 0.5 <= s.onset_eV < 1.1 * edge_eV]
    if not shapes:
        raise AnalysisError(f"no cross-section is tabulated for {element} at {edge_eV:.0f} eV.")
    return float(sum(edge_cross_section_nm2_per_eV(s, e, kv, mrad).sum() for s in shapes))


def _least_signal(background: float, var: float, sigmas: float) -> float:
    """Excess counts that make ``background + excess`` stand ``sigmas`` above ``background``."""

    def gap(s: float) -> float:
        return excess_significance(background + s, background, var) - sigmas

    hi = sigmas * math.sqrt(background + var) + sigmas**2 + 1.0
    while gap(hi) < 0:
        hi *= 2.0
    return float(brentq(gap, 0.0, hi, xtol=1e-6 * hi))


def _electron_factor(signal: float, background: float, var: float, sigmas: float) -> float:
    """Factor k on the electrons at which ``signal`` over ``background`` reaches ``sigmas`` (k S, k B, k var)."""

    def gap(log_k: float) -> float:
        k = math.exp(log_k)
        return excess_significance(k * (background + signal), k * background, k * var) - sigmas

    if signal <= 0:
        return math.inf
    lo, hi = math.log(1e-9), math.log(MAX_ELECTRON_FACTOR)
    if gap(hi) < 0:
        return math.inf
    if gap(lo) > 0:
        return math.exp(lo)
    return math.exp(brentq(gap, lo, hi, xtol=1e-6))


def _edges_of(evidence: list[ElementEvidence], element: str) -> list[ElementEvidence]:
    mine = [e for e in evidence if e.element.lower() == element.lower()]
    if not mine:
        raise AnalysisError(
            f"no edge of {element!r} lies in the spectrum's range with a usable pre-edge window.",
            hint="Acquire an EELS spectrum over the element's edges (e.g. Si-L2,3 at 99 eV).",
        )
    return mine


def detection_limit(
    energy_axis_eV: ArrayLike,
    counts: ArrayLike,
    element: str,
    electrons: float,
    energy_kv: float,
    collection_mrad: float,
    reference: str | None = None,
    goal_ratio: float | None = None,
    sigmas: float = DETECTION_SIGMAS,
) -> DetectionLimit:
    """Detection limit of ``element`` in an EELS spectrum taken with ``electrons`` at ``energy_kv`` and a
    collection semi-angle ``collection_mrad``, against ``reference`` (default: the most significant other
    element present). Raises AnalysisError when no reference element is present."""
    if not (math.isfinite(electrons) and electrons > 0):
        raise AnalysisError(f"electrons must be > 0, got {electrons!r}.")
    if not 1.0 <= sigmas <= 20.0:
        raise AnalysisError(f"sigmas must lie in [1, 20], got {sigmas!r}.")
    if goal_ratio is not None and not (math.isfinite(goal_ratio) and goal_ratio > 0):
        raise AnalysisError(f"goal_ratio must be > 0, got {goal_ratio!r}.")
    found = list(identify_elements(energy_axis_eV, counts, "EELS").evidence)
    candidates = _edges_of(found, element)
    others = [e for e in found if e.present and e.element.lower() != element.lower()]
    if reference is not None:
        others = [e for e in others if e.element.lower() == reference.lower()]
    if not others:
        who = f"{reference} is" if reference else "no other element is"
        raise AnalysisError(
            f"{who} detected in this spectrum: there is nothing to scale the detection limit against.",
            hint="Pass the spectrum of an area that shows the matrix element, or another reference.",
        )
    ref = max(others, key=lambda e: e.significance)
    sigma_r = window_cross_section_nm2(ref.element, ref.energy_eV, ref.window_eV, energy_kv, collection_mrad)
    ref_per_atom = (ref.observed_counts - ref.background_counts) / sigma_r  # counts per unit cross-section

    def per_ratio_of(t: ElementEvidence) -> float:  # counts of edge t per unit atom ratio
        return ref_per_atom * window_cross_section_nm2(t.element, t.energy_eV, t.window_eV, energy_kv, collection_mrad)

    def least(t: ElementEvidence) -> float:
        return _least_signal(t.background_counts, t.background_var, sigmas) / per_ratio_of(t)

    target = min(candidates, key=least)  # the edge that detects the element best here
    per_ratio = per_ratio_of(target)
    b, v = target.background_counts, target.background_var
    minimum = least(target)
    excess = target.observed_counts - b
    ratio = excess / per_ratio
    ratio_sd = math.sqrt(max(target.observed_counts, 1.0) + v) / per_ratio
    needed = math.nan
    if goal_ratio is not None:
        needed = electrons * _electron_factor(goal_ratio * per_ratio, b, v, sigmas)
    return DetectionLimit(
        target.element, target.feature, ref.element, ref.feature, target.significance >= sigmas,
        target.significance, sigmas, minimum, ratio, ratio_sd, electrons,
        math.nan if goal_ratio is None else goal_ratio, needed,
    )  # fmt: skip


def spectrum_electrons(current_pa: float, live_time_s: float) -> float:
    """Electrons through the specimen during a spectrum."""
    return current_pa * 1e-12 * live_time_s / 1.602176634e-19


__all__: list[str] = ["DetectionLimit", "detection_limit", "spectrum_electrons", "window_cross_section_nm2"]
