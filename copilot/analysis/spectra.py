"""Element identification in EELS (edge jumps over a power-law background) and EDS (fitted line intensities)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.interpolate import BSpline
from scipy.optimize import minimize

from copilot.analysis.elements import EDS_LINES, EELS_EDGES, Line
from copilot.analysis.errors import AnalysisError
from copilot.twin.eds import EDS_WINDOW_KEV, SDD_SI_THICKNESS_CM, SI_DENSITY_G_PER_CM3, SI_MU_RHO_10KEV_CM2_PER_G

DETECTION_SIGMAS = 5.0
EXPONENT_PRIOR, EXPONENT_PRIOR_SD = 3.0, 1.5  # EELS background power law E^-r
FWHM_MN_KA_EV = 130.0  # EDS detector resolution at Mn Ka (5.895 keV)
CONTINUUM_MIN_EV = 100.0  # the EDS continuum is fitted on the channels above (below: cut off by the window)
CONTINUUM_BEAM_KEV = 200.0  # thin-target shape of the continuum model (its ln factor changes slowly with kV)
KNOT_STEP_LN_E = 0.25  # spline knots of the continuum correction, in ln E (a factor 1.28 in energy)
CONTINUUM_SMOOTHING = 30.0  # penalty on the second differences of the spline coefficients
WINDOW_PRIOR_SD = 0.3  # prior of the window cut-off strength: 1 +- 0.3 (E_w within ~10 % of the detector's)


@dataclass(frozen=True)
class ElementEvidence:
    """Evidence for one element at one edge or line: significance in sigmas, confidence in [0, 1]."""

    element: str
    feature: str  # edge or line name, e.g. "K" or "La"
    energy_eV: float
    significance: float
    confidence: float
    present: bool
    observed_counts: float = 0.0  # EELS: counts in the edge's signal window
    background_counts: float = 0.0  # EELS: the extrapolated background there
    background_var: float = 0.0  # EELS: variance of that background (extrapolation)
    window_eV: tuple[float, float] = (0.0, 0.0)  # EELS: the signal window


@dataclass(frozen=True)
class Elements:
    """Every candidate edge/line inside the energy range, and the elements judged present."""

    kind: Literal["EELS", "EDS"]
    evidence: tuple[ElementEvidence, ...]

    @property
    def present(self) -> tuple[str, ...]:
        """Elements with at least one significant edge or line, in order of energy."""
        return tuple(dict.fromkeys(e.element for e in self.evidence if e.present))


def _confidence(significance: float) -> float:
    """Logistic map of significance, 0.5 at the detection threshold and ~0.98 four sigmas above it."""
    return 1.0 / (1.0 + math.exp(-(significance - DETECTION_SIGMAS)))


def poisson_power_law(energy: NDArray[np.float64], counts: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """Power law A E^-r fitted to Poisson counts by maximum a posteriori (IRLS, log link); (coef, covariance).

    Unlike a least-squares fit of log counts it needs no positive counts and is unbiased at a few counts per
    channel. The exponent has a Gaussian prior r = 3 +- 1.5 (EELS backgrounds fall as E^-2 to E^-6), which only
    matters when the window holds too few counts to fix the slope. The covariance is inflated by the Pearson
    dispersion when the window is not a pure power law.
    """
    x = np.column_stack([np.ones_like(energy), np.log(energy)])
    prior = np.diag([0.0, 1.0 / EXPONENT_PRIOR_SD**2])
    coef = np.array([math.log(max(float(counts.mean()), 0.5)) + EXPONENT_PRIOR * float(np.log(energy).mean()),
                     -EXPONENT_PRIOR])  # fmt: skip
    for _ in range(50):
        mu = np.exp(x @ coef)
        normal = x.T @ (x * mu[:, None]) + prior
        step = np.linalg.solve(normal, x.T @ (counts - mu) - prior @ (coef + np.array([0.0, EXPONENT_PRIOR])))
        coef = coef + step
        if np.max(np.abs(step)) < 1e-9:
            break
    mu = np.exp(x @ coef)
    dispersion = float(np.sum((counts - mu) ** 2 / mu)) / max(len(counts) - 2, 1)
    return coef, np.linalg.inv(x.T @ (x * mu[:, None]) + prior) * max(dispersion, 1.0)


def excess_significance(observed: float, background: float, background_var: float) -> float:
    """Signed significance (sigmas) of ``observed`` Poisson counts over an uncertain ``background``.

    Profile-likelihood formula for a Poisson count over a background known to +-sqrt(background_var) (Cowan et
    al., Eur. Phys. J. C 71, 1554): exact at a few counts, where (n - b) / sqrt(n) is not, and (n - b) /
    sqrt(b + var) at many.
    """
    n, b, v = observed, max(background, 1e-9), max(background_var, 1e-12)
    if n <= 0:
        return -math.sqrt(2.0 * b) if b * b / v > 1e6 else -b / math.sqrt(b + v)
    lr = n * math.log(n * (b + v) / (b * b + n * v)) - b * b / v * math.log1p(v * (n - b) / (b * (b + v)))
    return math.copysign(math.sqrt(max(2.0 * lr, 0.0)), n - b)


def _eels(energy: NDArray[np.float64], counts: NDArray[np.float64]) -> list[ElementEvidence]:
    """Jump of each edge over a power law fitted before it, in order of energy.

    The fit window runs over max(20 % of the onset, 40 eV) before the onset and stops short of the last edge
    found present (an absent edge does not disturb the background); the signal window runs over the edge's
    integration window and stops short of the next tabulated edge.
    """
    edges = [e for e in EELS_EDGES if energy[0] < e.energy_eV < energy[-1]]
    out: list[ElementEvidence] = []
    last_present = -math.inf
    for i, edge in enumerate(edges):
        e0 = edge.energy_eV
        next_e = edges[i + 1].energy_eV if i + 1 < len(edges) else math.inf
        start = max(e0 - max(0.2 * e0, 40.0), last_present)
        pre = (energy >= start) & (energy <= e0 - max(0.01 * e0, 2.0))
        post = (energy >= e0 + 0.005 * e0) & (energy <= min(e0 + edge.window_eV, next_e - 0.005 * next_e))
        if pre.sum() < 5 or post.sum() < 3 or counts[pre].sum() <= 0:
            continue
        coef, cov = poisson_power_law(energy[pre], counts[pre])
        xp = np.column_stack([np.ones(post.sum()), np.log(energy[post])])
        background = np.exp(xp @ coef)
        gradient = background @ xp  # d(sum of background)/d(coef)
        observed, expected = float(counts[post].sum()), float(background.sum())
        jump = observed - expected
        sig = excess_significance(observed, expected, float(gradient @ cov @ gradient))
        present = sig >= DETECTION_SIGMAS and jump > 0.01 * float(background.sum())
        if present:
            last_present = e0 + max(0.05 * e0, 20.0)
        window = (float(energy[post][0]), float(energy[post][-1]))
        out.append(
            ElementEvidence(edge.element, edge.edge, e0, sig, _confidence(sig), present, observed, expected,
                            float(gradient @ cov @ gradient), window)
        )  # fmt: skip
    return out


def _fwhm_eV(energy_eV: NDArray[np.float64]) -> NDArray[np.float64]:
    """EDS detector resolution (Fano-limited Si), floored at 40 eV."""
    return np.sqrt(np.maximum(FWHM_MN_KA_EV**2 + 2.53 * (energy_eV - 5895.0), 40.0**2))


def _continuum_shape(energy_eV: NDArray[np.float64]) -> NDArray[np.float64]:
    """Log of the thin-target bremsstrahlung a detector records, before its window: Bethe-Heitler
    ln((sqrt(T) + sqrt(T - E))^2 / E) / E at ``CONTINUUM_BEAM_KEV``, times the absorption in the silicon crystal
    (what escapes it at high energy is not counted). The fitted continuum is this shape times a smooth correction."""
    t = CONTINUUM_BEAM_KEV
    e_kev = np.minimum(energy_eV / 1000.0, 0.999 * t)
    thin_target = np.log((math.sqrt(t) + np.sqrt(t - e_kev)) ** 2 / e_kev) / e_kev
    mu_t = SI_MU_RHO_10KEV_CM2_PER_G * (10.0 / e_kev) ** 2.8 * SI_DENSITY_G_PER_CM3 * SDD_SI_THICKNESS_CM
    return np.asarray(np.log(thin_target) + np.log(-np.expm1(-mu_t)), dtype=np.float64)


def _continuum_basis(energy_eV: NDArray[np.float64], span_eV: tuple[float, float]) -> NDArray[np.float64]:
    """Cubic B-splines in ln E with knots every ~``KNOT_STEP_LN_E`` over ``span_eV`` (they sum to 1; constant
    outside the span)."""
    lo, hi = math.log(span_eV[0] / 1000.0), math.log(span_eV[1] / 1000.0)
    segments = max(math.ceil((hi - lo) / KNOT_STEP_LN_E), 1)
    knots = lo + (hi - lo) / segments * np.arange(-3, segments + 4)
    u = np.clip(np.log(energy_eV / 1000.0), lo, hi)
    return np.asarray(BSpline.design_matrix(u, knots, 3).toarray(), dtype=np.float64)


@dataclass(frozen=True)
class _ContinuumModel:
    """Poisson model of EDS counts: continuum exp(shape + B beta - c w) plus line families design @ amp.

    ``w`` = (E_w / E)^3 is the window cut-off (c = 1: the detector's window, c = 0: none), ``penalty`` the
    roughness penalty on beta (second differences) and the window prior, ``prior`` the parameters it pulls to.
    """

    counts: NDArray[np.float64]
    shape: NDArray[np.float64]
    basis: NDArray[np.float64]
    w: NDArray[np.float64]
    design: NDArray[np.float64]
    penalty: NDArray[np.float64]
    prior: NDArray[np.float64]
    floor: float

    def continuum(self, theta: NDArray) -> NDArray[np.float64]:
        nb = self.basis.shape[1]
        return np.exp(np.minimum(self.shape + self.basis @ theta[:nb] - theta[nb] * self.w, 700.0))

    def mean(self, theta: NDArray) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        cont = self.continuum(theta)
        return cont, cont + self.design @ theta[self.basis.shape[1] + 1 :] + self.floor

    def nll(self, theta: NDArray) -> float:
        q = theta - self.prior
        mu = self.mean(theta)[1]
        return float(np.sum(mu - self.counts * np.log(mu))) + 0.5 * float(q @ self.penalty @ q)

    def gradient_and_information(self, theta: NDArray) -> tuple[NDArray, NDArray]:
        """Gradient of the penalised NLL and its Fisher information (expected Hessian)."""
        cont, mu = self.mean(theta)
        jac = np.column_stack([self.basis * cont[:, None], -(self.w * cont)[:, None], self.design])
        grad = jac.T @ (1.0 - self.counts / mu) + self.penalty @ (theta - self.prior)
        return grad, jac.T @ (jac / mu[:, None]) + self.penalty


def _projected_newton(model: _ContinuumModel, theta: NDArray, lower: NDArray, iterations: int = 200) -> NDArray:
    """Minimum of the model's NLL over theta >= lower by Fisher scoring on the parameters off their bounds, with a
    backtracking line search along the projected path."""
    f = model.nll(theta)
    for _ in range(iterations):
        grad, info = model.gradient_and_information(theta)
        free = ~((theta <= lower) & (grad > 0))
        h = info[np.ix_(free, free)]
        step = np.zeros_like(theta)
        step[free] = -np.linalg.solve(h + 1e-10 * np.trace(h) / max(len(h), 1) * np.eye(len(h)), grad[free])
        t, new, f_new = 1.0, theta, f
        while t > 1e-10:
            new = np.maximum(theta + t * step, lower)
            f_new = model.nll(new)
            if f_new <= f + 1e-4 * float(grad @ (new - theta)):
                break
            t *= 0.5
        if not f_new < f:
            break
        converged = f - f_new < 1e-10 * max(1.0, abs(f))
        theta, f = new, f_new
        if converged:
            break
    return theta


def eds_continuum(energy: NDArray[np.float64], counts: NDArray[np.float64], design: NDArray) -> NDArray[np.float64]:
    """EDS continuum (counts per channel) fitted by Poisson maximum likelihood jointly with the line families.

    The model is thin-target bremsstrahlung seen through the detector (:func:`_continuum_shape`), cut off by a
    window exp(-c (E_w/E)^3) of free strength c (prior 1 +- ``WINDOW_PRIOR_SD``, 0 allowed), times exp of a cubic
    spline in ln E whose curvature is penalised: with few counts the continuum keeps the physical shape and only
    its level and slope are fitted; with many counts it follows any smooth continuum (a synthetic exponential, a
    flat one). The families (``design``, counts per channel per unit amplitude) have non-negative amplitudes.
    Every channel above ``CONTINUUM_MIN_EV`` counts, so no minimum or percentile of noisy counts enters: unlike
    clipping (SNIP), the estimate is unbiased at a fraction of a count per channel.
    """
    fit = energy >= CONTINUUM_MIN_EV
    if fit.sum() < 8:
        fit = energy > 0.0
    e, n = energy[fit], np.maximum(counts[fit], 0.0)
    span = (float(e[0]), float(e[-1]))
    basis = _continuum_basis(e, span)
    nb, nf = basis.shape[1], design.shape[1]
    second = np.diff(np.eye(nb), 2, axis=0)
    penalty = np.zeros((nb + 1 + nf, nb + 1 + nf))
    penalty[:nb, :nb] = CONTINUUM_SMOOTHING * second.T @ second
    penalty[nb, nb] = 1.0 / WINDOW_PRIOR_SD**2
    prior = np.zeros(nb + 1 + nf)
    prior[nb] = 1.0
    model = _ContinuumModel(n, _continuum_shape(e), basis, (1000.0 * EDS_WINDOW_KEV / e) ** 3, design[fit],
                            penalty, prior, 1e-9 * max(float(n.mean()), 1e-3))  # fmt: skip
    theta = prior.copy()
    theta[:nb] = math.log(max(float(n.sum()), 1.0) / float(model.continuum(theta).sum()))
    lower = np.full(len(theta), -np.inf)
    lower[nb:] = 0.0
    theta = _projected_newton(model, theta, lower)
    at = np.maximum(energy, span[0])  # below the fitted channels: the continuum at the first of them, cut off
    cut = (1000.0 * EDS_WINDOW_KEV / np.maximum(energy, 1.0)) ** 3
    full = _ContinuumModel(np.zeros(len(energy)), _continuum_shape(at), _continuum_basis(at, span), cut, design,
                           penalty, prior, 0.0)  # fmt: skip
    return full.continuum(theta)


def _poisson_nll(amp: NDArray, design: NDArray, background: NDArray, counts: NDArray) -> tuple[float, NDArray]:
    """Poisson negative log-likelihood of background + design @ amp, and its gradient."""
    mu = background + design @ amp
    return float(np.sum(mu - counts * np.log(mu))), design.T @ (1.0 - counts / mu)


def line_fit(
    design: NDArray, background: NDArray, counts: NDArray, free: NDArray[np.bool_]
) -> tuple[float, NDArray[np.float64]]:
    """Minimum Poisson NLL of background + design @ amp with non-negative amplitudes of the free families (the
    others held at 0), and the amplitudes."""
    amp = np.zeros(design.shape[1])
    if not free.any():
        return _poisson_nll(amp, design, background, counts)[0], amp
    d = design[:, free]
    start = np.full(d.shape[1], max(float(np.sum(counts - background)), 1.0) / max(float(d.sum()), 1.0))
    res = minimize(_poisson_nll, start, args=(d, background, counts), jac=True, method="L-BFGS-B",
                   bounds=[(0.0, None)] * d.shape[1])  # fmt: skip
    amp[free] = res.x
    return float(res.fun), amp


@dataclass(frozen=True)
class EdsFit:
    """The EDS line fit: the line families in range (element, shell letter), the channels near any line with
    their counts and continuum, the design (counts per channel of each family for a unit peak height of its
    main line), the best-fit amplitudes, NLL and each family's likelihood-ratio significance."""

    lines: tuple[Line, ...]
    families: tuple[tuple[str, str], ...]
    energy_eV: NDArray[np.float64]
    counts: NDArray[np.float64]
    background: NDArray[np.float64]
    design: NDArray[np.float64]
    amplitudes: NDArray[np.float64]
    nll: float
    significance: NDArray[np.float64]

    def area(self, k: int) -> float:
        """Counts of family ``k`` per unit amplitude: its lines' full Gaussian areas, weighted."""
        step = float(np.median(np.diff(self.energy_eV))) if len(self.energy_eV) > 1 else 1.0
        mine = [ln for ln in self.lines if (ln.element, ln.family) == self.families[k]]
        return sum(ln.weight * math.sqrt(2 * math.pi) * _fwhm_eV(np.array([1e3 * ln.energy_keV]))[0] / 2.3548
                   for ln in mine) / step  # fmt: skip


def eds_fit(energy: NDArray[np.float64], counts: NDArray[np.float64]) -> EdsFit | None:
    """Families of Gaussian lines fitted by Poisson likelihood over a continuum fitted jointly with them
    (:func:`eds_continuum`); each family's significance is the likelihood ratio with and without it, the other
    families refitted over that continuum (None: no line in range)."""
    lines = [ln for ln in EDS_LINES if energy[0] < 1000 * ln.energy_keV < energy[-1]]
    if not lines:
        return None
    families = list(dict.fromkeys((ln.element, ln.family) for ln in lines))
    centres = np.array([1000 * ln.energy_keV for ln in lines])
    sigma = _fwhm_eV(centres) / 2.3548
    peaks = np.exp(-0.5 * ((energy[:, None] - centres[None, :]) / sigma[None, :]) ** 2)
    member = np.array([[(ln.element, ln.family) == f for f in families] for ln in lines], dtype=np.float64)
    design = peaks @ (member * np.array([ln.weight for ln in lines])[:, None])
    background = np.maximum(eds_continuum(energy, counts, design), 1e-9 * max(float(np.mean(counts)), 1e-3))
    near = np.any(np.abs(energy[:, None] - centres[None, :]) < 3 * sigma[None, :], axis=1)
    n, b, d = counts[near], background[near], design[near]
    everything = np.ones(len(families), dtype=bool)
    best, amplitudes = line_fit(d, b, n, everything)
    sigs = []
    for k in range(len(families)):
        without = everything.copy()
        without[k] = False
        sigs.append(math.sqrt(2.0 * max(line_fit(d, b, n, without)[0] - best, 0.0)))
    return EdsFit(tuple(lines), tuple(families), energy[near], n, b, d, amplitudes, best, np.array(sigs))


def _eds(energy: NDArray[np.float64], counts: NDArray[np.float64]) -> list[ElementEvidence]:
    """Families of Gaussian lines fitted by Poisson likelihood over a fitted continuum; likelihood-ratio sigmas."""
    fit = eds_fit(energy, counts)
    if fit is None:
        return []
    out = []
    for k, (element, family) in enumerate(fit.families):
        main = next(ln for ln in fit.lines if (ln.element, ln.family) == (element, family))
        sig = float(fit.significance[k])
        out.append(
            ElementEvidence(element, main.line, 1000 * main.energy_keV, sig, _confidence(sig), sig >= DETECTION_SIGMAS)
        )
    return out


def as_spectrum(energy_axis_eV: ArrayLike, counts: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The energy axis and counts as float arrays, checked: 1-D, equal length >= 16, finite, energy increasing."""
    energy = np.asarray(energy_axis_eV, dtype=np.float64)
    n = np.asarray(counts, dtype=np.float64)
    if energy.ndim != 1 or n.shape != energy.shape or energy.size < 16:
        raise AnalysisError(f"energy axis and counts must be 1-D of equal length >= 16, got {energy.shape}, {n.shape}.")
    if not (np.all(np.isfinite(energy)) and np.all(np.isfinite(n)) and np.all(np.diff(energy) > 0)):
        raise AnalysisError("the energy axis must be finite and strictly increasing, and counts finite.")
    return energy, n


def identify_elements(energy_axis_eV: ArrayLike, counts: ArrayLike, kind: Literal["EELS", "EDS"] = "EELS") -> Elements:
    """Which elements a spectrum shows, with a significance and a confidence for each edge or line.

    EELS: for each tabulated edge inside the range, a power law is fitted (weighted, log-log) on a window before
    the onset that stops short of the previous edge, extrapolated over a window after it that stops short of the
    next edge; the jump over that background divided by its Poisson and extrapolation uncertainty is the
    significance. EDS: the continuum (bremsstrahlung through the detector window, with a smooth fitted
    correction) and all tabulated lines are fitted at once by Poisson likelihood, the lines as Gaussians of
    the detector resolution, so overlapping lines (Mo La 2.293 / S Ka 2.307 keV) share their counts according to
    the peak shape and the other lines of each element (Mo Lb1, Mo Ka, S Kb); an overlap that cannot be split
    shows as low significance on both. Present = at least 5 sigma.

    Parameters
    ----------
    energy_axis_eV : array_like, 1-D
        Energy of every channel in eV, increasing.
    counts : array_like, 1-D
        Counts per channel.
    kind : {"EELS", "EDS"}
    """
    energy, n = as_spectrum(energy_axis_eV, counts)
    if kind == "EELS":
        return Elements("EELS", tuple(_eels(energy, n)))
    if kind == "EDS":
        return Elements("EDS", tuple(_eds(energy, n)))
    raise AnalysisError(f"kind must be 'EELS' or 'EDS', got {kind!r}.")
