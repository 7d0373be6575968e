"""EELS edge onset: the energy at which an ionisation edge rises out of its background, with its uncertainty.

The background before the edge is a power law A E^-r fitted by Poisson likelihood (as in
:mod:`copilot.analysis.spectra`). Over a window around the tabulated onset the counts are fitted, by Poisson
likelihood over that background, with an edge: a step of free position E0 and width w (onset broadening and
spectrometer resolution) times a power-law tail; a merged edge (Ti-L2,3, Sr-L2,3) has one such step per
sub-shell, at the tabulated spin-orbit offsets, with the statistical jump ratio (L2 : L3 = 1 : 2). A sharp edge
also gets as many free near-edge peaks above E0 as the counts ask for, up to four (white lines and the pi* peak
sit there and would otherwise drag the step up: Ti4+ shows four); an edge with a delayed maximum (M4,5 of 4d
and 5d elements, L2,3 of Si and S) gets a rise x^2 / (1 + x^2), x = (E - E0) / delay, of free delay.
The onset is E0; its standard deviation comes from the curvature of the profile likelihood of E0, with the
channel width's quantisation added.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import erf

from copilot.analysis.elements import EELS_EDGES, Edge
from copilot.analysis.errors import AnalysisError
from copilot.analysis.spectra import DETECTION_SIGMAS, as_spectrum, poisson_power_law

SEARCH_EV = 8.0  # the onset is searched this far either side of the tabulated energy (chemical shifts: a few eV)
MAX_UNCERTAINTY_EV = 1.5  # a wider onset than this does not tell chemical states apart
PEAK_MAX_OFFSET_EV = 6.0  # a near-edge peak within this of the onset (or of the last sub-shell onset)
MAX_PEAKS = 4  # near-edge peaks fitted at most (Ti4+ L3 and L2: t2g and eg each)
SUB_SHELL_RATIO = {"L3": 0.5, "M3": 0.5, "M5": 2.0 / 3.0}
"""Jump of a merged edge's upper sub-shell against its first (L2 : L3 and M2 : M3 = 1 : 2, M4 : M5 = 2 : 3, the
ratio of their electrons), keyed by the shell letter and the last sub-shell of the merged name ("L2,3")."""
PEAK_GAIN = 25.0  # -2 ln L a further near-edge peak must gain (5 sigma)
TAIL_EXPONENT = 3.0
PROFILE_STEP_EV = 0.3
SLOW_RISE_EV = 20.0
"""Edges whose maximum is delayed this much or more (M4,5 of Sr, Mo, W, Re, Au) rise too gradually for a step to
place their onset: the fit lands several eV off on the twin's Sr-M4,5 at 36 sigmas."""
MODEL_FLOOR_EV = 0.25
"""Error of the edge model itself, measured on the twin's noise-free spectra (C-K +0.09, O-K +0.03, Ti-L2,3
+0.06, S-L2,3 -0.17 eV from the onsets it draws): added in quadrature."""


@dataclass(frozen=True)
class EdgeOnset:
    """The measured onset of one edge: energy and its one-sigma uncertainty (eV), the tabulated onset it was
    searched around, the step width and delay fitted, the jump's significance (sigmas over the extrapolated
    background) and the verdict."""

    element: str
    edge: str
    tabulated_eV: float
    onset_eV: float
    onset_uncertainty_eV: float
    width_eV: float
    delay_eV: float
    significance: float
    reliable: bool
    reliability_note: str


def pick_edge(element: str, edge: str | None = None) -> Edge:
    """The tabulated edge of ``element`` (the lowest one in energy unless ``edge`` names one, e.g. "K")."""
    mine = [e for e in EELS_EDGES if e.element.lower() == element.lower()]
    if not mine:
        known = sorted({e.element for e in EELS_EDGES})
        raise AnalysisError(f"no EELS edge of {element!r} is tabulated; known elements: {', '.join(known)}.")
    if edge is None:
        return min(mine, key=lambda e: e.energy_eV)
    named = [e for e in mine if e.edge.lower() == edge.lower()]
    if not named:
        raise AnalysisError(
            f"{element} has no {edge!r} edge; its edges are {', '.join(e.edge for e in mine)}.",
            hint="Pass one of those names, or omit edge for the lowest one.",
        )
    return named[0]


def _shape(e: NDArray, e0: float, width: float, delay: float) -> NDArray:
    """Unit edge: smoothed step at ``e0`` times the tail (E/E0)^-3 times the delayed rise (delay 0: none)."""
    step = 0.5 * (1.0 + erf((e - e0) / (math.sqrt(2.0) * width)))
    shape = step * (np.maximum(e, 1.0) / e0) ** -TAIL_EXPONENT
    if delay > 0:
        x = np.clip(e - e0, 0.0, None) / delay
        shape = shape * x * x / (1.0 + x * x)
    return shape


@dataclass(frozen=True)
class _Fit:
    """The edge model over the window. Parameters: e0, log width, the jump (of the first sub-shell step; the
    others sit at the tabulated sub-shell offsets, e.g. Ti-L2 6 eV above Ti-L3, with their statistical weight),
    then either (delayed) the log delay or (sharp) three per near-edge peak: amplitude, offset above e0 and log
    width."""

    e: NDArray
    n: NDArray
    background: NDArray
    delayed: bool
    steps: tuple[tuple[float, float], ...] = ((0.0, 1.0),)  # (offset above e0 eV, jump relative to the first)
    scale: float = 1.0  # counts per unit of the jumps and peak amplitudes (keeps the parameters near 1)

    def mu(self, p: NDArray) -> NDArray:
        e0, width, jump, rest = p[0], math.exp(p[1]), p[2], p[3:]
        delay = math.exp(rest[0]) if self.delayed else 0.0
        edge = jump * sum(w * _shape(self.e, e0 + off, width, delay) for off, w in self.steps)
        if not self.delayed:
            for amp, offset, log_w in np.reshape(rest, (-1, 3)):
                edge = edge + amp * np.exp(-0.5 * ((self.e - e0 - offset) / math.exp(log_w)) ** 2)
        return np.maximum(self.background + self.scale * edge, 1e-9)

    def nll(self, p: NDArray) -> float:
        mu = self.mu(p)
        return float(np.sum(mu - self.n * np.log(mu)))


def _minimise(
    f: Callable[[NDArray], float], start: NDArray, bounds: list[tuple[float | None, float | None]]
) -> tuple[NDArray, float]:
    res = minimize(f, start, method="L-BFGS-B", bounds=bounds, options={"maxiter": 400})
    return np.asarray(res.x), float(res.fun)


def _fit_near_edge_peaks(
    fit: _Fit, et: float, head: list[tuple[float | None, float | None]], reach_eV: float
) -> tuple[NDArray, float, list[tuple[float | None, float | None]]]:
    """Best fit of a sharp edge with as many near-edge peaks (white lines, pi*) as the counts ask for: one, then
    another at the largest remaining excess above the onset while it improves -2 ln L by ``PEAK_GAIN`` (up to
    ``MAX_PEAKS``). A step with one peak cannot hold the four white lines of Ti-L3,2 and puts its onset on the
    first of them (+1.1 eV on the twin's SrTiO3)."""
    peak_b: list[tuple[float | None, float | None]] = [(0.0, None), (0.3, reach_eV), (math.log(0.4), math.log(3.0))]
    bounds = [*head, *peak_b]
    starts = [np.array([e0, 0.0, 1.0, 0.2, 1.5, 0.0]) for e0 in (et - 1.5, et + 1.5)]
    p, best = min((_minimise(fit.nll, s, bounds) for s in starts), key=lambda t: t[1])
    while (len(bounds) - len(head)) // 3 < MAX_PEAKS:
        mu = fit.mu(p)
        inside = (fit.e > p[0] + 0.3) & (fit.e < p[0] + reach_eV)
        if not inside.any():
            break
        excess = np.where(inside, (fit.n - mu) / np.sqrt(mu), -np.inf)
        k = int(np.argmax(excess))
        extra = np.array([max(float(fit.n[k] - mu[k]), 1.0) / fit.scale, float(fit.e[k] - p[0]), 0.0])
        more = [*bounds, *peak_b]
        start = np.concatenate([p, np.clip(extra, [0.0, 0.3, -0.9], [np.inf, reach_eV, 1.0])])
        q, value = _minimise(fit.nll, start, more)
        if 2.0 * (best - value) < PEAK_GAIN:
            break
        p, best, bounds = q, value, more
    for e0 in (et - 1.0, et, et + 1.0):  # the peaks at their energies, the step moved: another minimum
        q = p.copy()
        q[0], q[2] = e0, 1.0
        q[4::3] = np.clip(p[4::3] + p[0] - e0, 0.3, reach_eV)
        q, value = _minimise(fit.nll, q, bounds)
        if value < best:
            p, best = q, value
    return p, best, bounds


def measure_edge_onset(
    energy_axis_eV: ArrayLike, counts: ArrayLike, element: str, edge: str | None = None
) -> EdgeOnset:
    """Onset energy (eV, with its one-sigma uncertainty) of ``element``'s edge in an EELS spectrum.

    Searched within ``SEARCH_EV`` of the tabulated onset, so chemical shifts of a few eV are measured, not
    assumed. ``reliable`` is false, with the reason, when the edge does not stand 5 sigmas above its background,
    the fit runs to the end of the search range, or the uncertainty exceeds ``MAX_UNCERTAINTY_EV``.
    """
    energy, n = as_spectrum(energy_axis_eV, counts)
    target = pick_edge(element, edge)
    et = target.energy_eV
    lo, hi = et - SEARCH_EV, et + SEARCH_EV
    previous = [e.energy_eV for e in EELS_EDGES if e.energy_eV < lo - 5.0]
    pre_start = max(et - max(0.2 * et, 40.0), (max(previous) + 15.0) if previous else -math.inf, 5.0)
    pre = (energy >= pre_start) & (energy < lo)
    following = [e.energy_eV for e in EELS_EDGES if e.energy_eV > hi + 5.0]
    post_end = min(et + max(target.window_eV, 25.0), (min(following) - 3.0) if following else math.inf)
    window = (energy >= lo - 6.0) & (energy <= post_end)
    if energy[0] > pre_start + 5.0 or energy[-1] < hi + 5.0 or pre.sum() < 5 or window.sum() < 10:
        raise AnalysisError(
            f"the spectrum ({energy[0]:.0f} to {energy[-1]:.0f} eV) does not cover {target.element}-{target.edge} at "
            f"{et:.0f} eV with its pre-edge background.",
            hint="Acquire an EELS spectrum whose energy range holds the edge and 40 eV before it.",
        )
    if n[pre].sum() <= 0:
        raise AnalysisError("the pre-edge window holds no counts.", hint="Use a longer dwell_ms.")
    coef, _ = poisson_power_law(energy[pre], n[pre])
    e = energy[window]
    ratio = SUB_SHELL_RATIO.get(target.edge[0] + target.edge[-1], 0.5)
    steps = ((0.0, 1.0), *((off, ratio) for off in target.sub_onsets_eV if et + off < e[-1] - 3.0))
    background = np.exp(coef[0] + coef[1] * np.log(e))
    above = e > hi
    jump0 = max(float(np.median((n[window] - background)[above])) if above.any() else 1.0, 1.0)
    # a delayed edge keeps the jump in counts: its step width is barely constrained (the rise starts flat), and
    # the fit ends at either bound of it with the same likelihood (S-L2,3: -0.17 or +0.21 eV noise-free); this
    # parametrisation is the one the table's figures were measured with
    delayed = target.delay_eV > 0
    fit = _Fit(e, n[window], background, delayed, steps, 1.0 if delayed else jump0)
    head: list[tuple[float | None, float | None]] = [(lo, hi), (math.log(0.3), math.log(6.0)), (0.0, None)]
    if fit.delayed:
        starts = [np.array([e0, 0.0, jump0, math.log(d)]) for e0 in (et - 2.0, et + 2.0) for d in (5.0, 30.0)]
        bounds = [*head, (math.log(1.0), math.log(80.0))]
        p, best = min((_minimise(fit.nll, s, bounds) for s in starts), key=lambda t: t[1])
    else:
        p, best, bounds = _fit_near_edge_peaks(fit, et, head, steps[-1][0] + PEAK_MAX_OFFSET_EV)
    without = float(np.sum(fit.background - fit.n * np.log(fit.background)))
    significance = math.sqrt(max(2.0 * (without - best), 0.0))
    for _ in range(3):  # a profile point below the best fit is a better fit: restart from it
        sigma, better = _profile_sigma(fit, p, best, bounds)
        if better is None:
            break
        p, best = _minimise(fit.nll, better, bounds)
    sigma = math.sqrt(sigma**2 + float(np.median(np.diff(e))) ** 2 / 12.0 + MODEL_FLOOR_EV**2)
    note = ""
    if significance < DETECTION_SIGMAS:
        note = (
            f"the {target.element}-{target.edge} edge stands only {significance:.1f} sigmas above its background: "
            "there may be no edge; use a longer dwell_ms"
        )
    elif target.delay_eV >= SLOW_RISE_EV:
        note = (
            f"{target.element}-{target.edge} rises slowly over about {target.delay_eV:.0f} eV (delayed maximum): its "
            "onset cannot be placed within a few eV; use a sharp edge of the element if it has one"
        )
    elif min(p[0] - lo, hi - p[0]) < 0.2:
        note = (
            f"the onset runs to the end of the search range ({et:.0f} +- {SEARCH_EV:g} eV): another edge or a "
            "feature sits there, or the rise is too slow to place; check the spectrum"
        )
    elif sigma > MAX_UNCERTAINTY_EV:
        note = f"the onset is uncertain by {sigma:.1f} eV (few counts or a slow, delayed rise); use a longer dwell_ms"
    delay = math.exp(p[3]) if fit.delayed else 0.0
    return EdgeOnset(
        target.element, target.edge, et, float(p[0]), float(sigma), math.exp(p[1]), delay, significance, not note,
        note,
    )  # fmt: skip


def _profile_sigma(
    fit: _Fit, p: NDArray, best: float, bounds: list[tuple[float | None, float | None]]
) -> tuple[float, NDArray | None]:
    """One sigma of e0 from the curvature of its profile likelihood (the other parameters refitted at e0 +- h),
    and the parameters of a profile point that fits better than ``best`` (None when none does)."""
    h = PROFILE_STEP_EV
    values, points = [], []
    for e0 in (p[0] - h, p[0] + h):
        lo_b, hi_b = bounds[0]
        e0 = float(np.clip(e0, lo_b, hi_b))

        def f(q: NDArray, e0: float = e0) -> float:
            return fit.nll(np.concatenate([[e0], q]))

        q, value = _minimise(f, p[1:], bounds[1:])
        values.append(value)
        points.append(np.concatenate([[e0], q]))
    if min(values) < best - 1e-6:
        return math.inf, points[int(np.argmin(values))]
    curvature = (values[0] + values[1] - 2.0 * best) / (h * h)
    return (1.0 / math.sqrt(curvature) if curvature > 0 else math.inf), None
