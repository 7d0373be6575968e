"""Element identification in EELS (edge jumps over a power-law background) and EDS (fitted line intensities)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import gaussian_filter1d
from scipy.optimize import minimize

from copilot.analysis.elements import EDS_LINES, EELS_EDGES, Line
from copilot.analysis.errors import AnalysisError

DETECTION_SIGMAS = 5.0
EXPONENT_PRIOR, EXPONENT_PRIOR_SD = 3.0, 1.5  # EELS background power law E^-r
FWHM_MN_KA_EV = 130.0  # EDS detector resolution at Mn Ka (5.895 keV)
LOW_CONTINUUM_EV = 1500.0  # below: a fitted window-absorbed continuum; above: SNIP


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


def _snip(counts: NDArray[np.float64], half_width: NDArray[np.int_], iterations: int = 24) -> NDArray[np.float64]:
    """SNIP background (clipping in log-log-sqrt space) with a window per channel, shrinking to 1 channel.

    The window follows the detector resolution, so the continuum keeps its shape where peaks are narrow (at low
    energy, near the window cut-off) and wide peaks are still clipped at high energy.
    """
    v = np.log(np.log(np.sqrt(np.maximum(counts, 0.0) + 1.0) + 1.0) + 1.0)
    i = np.arange(len(v))
    for scale in np.linspace(1.0, 0.0, iterations):
        w = np.maximum(np.rint(scale * half_width).astype(int), 1)
        inside = (i - w >= 0) & (i + w < len(v))
        j = i[inside]
        mean = 0.5 * (v[j - w[inside]] + v[j + w[inside]])
        v[j] = np.minimum(v[j], mean)
    return (np.exp(np.exp(v) - 1.0) - 1.0) ** 2 - 1.0


def _low_energy_continuum(energy: NDArray, counts: NDArray, centres: NDArray, sigma: NDArray) -> NDArray:
    """Continuum below ``LOW_CONTINUUM_EV`` fitted as exp(-(E_w/E)^3) ((a + c ln E)/E + b): bremsstrahlung
    (Bethe-Heitler ~ ln(E0/E)/E) cut off by the detector window, by Poisson likelihood on the channels away
    from every tabulated line.

    SNIP clips the concave rise and maximum of the continuum there (it takes the mean of neighbours as an upper
    bound), which leaves a false C Ka or O Ka peak on any spectrum with enough counts.
    """
    fit = (energy > 100.0) & (energy < LOW_CONTINUUM_EV)
    fit &= np.all(np.abs(energy[:, None] - centres[None, :]) > 2.5 * sigma[None, :], axis=1)
    e, n = energy[fit] / 1000.0, counts[fit]
    scale = max(float(n.mean()), 1e-3)

    def model(p: NDArray, x_keV: NDArray) -> NDArray:
        shape = np.maximum((p[0] + p[3] * np.log(x_keV)) / x_keV + p[1], 1e-9)
        return scale * np.exp(-((p[2] / x_keV) ** 3)) * shape

    def nll(p: NDArray) -> float:
        mu = np.maximum(model(p, e), 1e-12 * scale)  # the window cut-off underflows to 0 at low energy
        return float(np.sum(mu - n * np.log(mu)))

    res = minimize(nll, np.array([1.0, 0.1, 0.3, 0.0]), method="Nelder-Mead",
                   options={"xatol": 1e-6, "fatol": 1e-6, "maxiter": 4000})  # fmt: skip
    res = minimize(nll, res.x, method="L-BFGS-B", bounds=[(0.0, None), (0.0, None), (0.05, 1.0), (None, None)])
    return model(res.x, energy / 1000.0)


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
    """Families of Gaussian lines fitted by Poisson likelihood over a SNIP continuum (None: no line in range)."""
    lines = [ln for ln in EDS_LINES if energy[0] < 1000 * ln.energy_keV < energy[-1]]
    if not lines:
        return None
    step = float(np.median(np.diff(energy)))
    families = list(dict.fromkeys((ln.element, ln.family) for ln in lines))
    centres = np.array([1000 * ln.energy_keV for ln in lines])
    sigma = _fwhm_eV(centres) / 2.3548
    fwhm_ch = _fwhm_eV(energy) / step
    # SNIP on raw Poisson counts follows the noise minima; on a smoothed spectrum it follows the continuum.
    smoothed = gaussian_filter1d(counts, max(1.0, 0.5 * FWHM_MN_KA_EV / step))
    background = np.maximum(_snip(smoothed, np.maximum(2, np.rint(1.5 * fwhm_ch)).astype(int)), 1e-3)
    if energy[0] < LOW_CONTINUUM_EV / 2 and np.sum(counts[energy < LOW_CONTINUUM_EV]) > 0:
        low = np.clip((LOW_CONTINUUM_EV - energy) / (LOW_CONTINUUM_EV / 3), 0.0, 1.0)  # 1 below 2/3 of the limit
        background = low * _low_energy_continuum(energy, counts, centres, sigma) + (1 - low) * background
    near = np.any(np.abs(energy[:, None] - centres[None, :]) < 3 * sigma[None, :], axis=1)
    peaks = np.exp(-0.5 * ((energy[near, None] - centres[None, :]) / sigma[None, :]) ** 2)
    member = np.array([[(ln.element, ln.family) == f for f in families] for ln in lines], dtype=np.float64)
    design = peaks @ (member * np.array([ln.weight for ln in lines])[:, None])
    n, b = counts[near], background[near]
    everything = np.ones(len(families), dtype=bool)
    best, amplitudes = line_fit(design, b, n, everything)
    sigs = []
    for k in range(len(families)):
        without = everything.copy()
        without[k] = False
        sigs.append(math.sqrt(2.0 * max(line_fit(design, b, n, without)[0] - best, 0.0)))
    return EdsFit(tuple(lines), tuple(families), energy[near], n, b, design, amplitudes, best, np.array(sigs))


def _eds(energy: NDArray[np.float64], counts: NDArray[np.float64]) -> list[ElementEvidence]:
    """Families of Gaussian lines fitted by Poisson likelihood over a SNIP continuum; likelihood-ratio sigmas."""
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
    significance. EDS: a SNIP background is removed and all tabulated lines are fitted at once as Gaussians of
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
