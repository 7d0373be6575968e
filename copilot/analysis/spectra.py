"""Element identification in EELS (edge jumps over a power-law background) and EDS (fitted line intensities)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import gaussian_filter1d

from copilot.analysis.elements import EDS_LINES, EELS_EDGES
from copilot.analysis.errors import AnalysisError

DETECTION_SIGMAS = 5.0
FWHM_MN_KA_EV = 130.0  # EDS detector resolution at Mn Ka (5.895 keV)


@dataclass(frozen=True)
class ElementEvidence:
    """Evidence for one element at one edge or line: significance in sigmas, confidence in [0, 1]."""

    element: str
    feature: str  # edge or line name, e.g. "K" or "La"
    energy_eV: float
    significance: float
    confidence: float
    present: bool


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


def _eels(energy: NDArray[np.float64], counts: NDArray[np.float64]) -> list[ElementEvidence]:
    """Jump of each edge above a power law A E^-r fitted (weighted, in log-log) just before it."""
    edges = [e for e in EELS_EDGES if energy[0] < e.energy_eV < energy[-1]]
    out = []
    for i, edge in enumerate(edges):
        e0 = edge.energy_eV
        prev_e = edges[i - 1].energy_eV if i > 0 else 0.0
        next_e = edges[i + 1].energy_eV if i + 1 < len(edges) else math.inf
        pre = (energy >= max(0.85 * e0, prev_e + 0.01 * e0)) & (energy <= e0 - 0.01 * e0) & (counts > 0)
        post = (energy >= e0 + 0.005 * e0) & (energy <= min(1.10 * e0, next_e - 0.005 * e0))
        if pre.sum() < 5 or post.sum() < 3:
            continue
        x, y = np.log(energy[pre]), np.log(counts[pre])
        w = counts[pre]  # var(log N) ~ 1/N
        design = np.column_stack([np.ones_like(x), x])
        normal = design.T @ (design * w[:, None])
        coef = np.linalg.solve(normal, design.T @ (w * y))
        chi2 = float(np.sum(w * (y - design @ coef) ** 2)) / max(len(x) - 2, 1)
        cov = np.linalg.inv(normal) * max(chi2, 1.0)
        xp = np.column_stack([np.ones(post.sum()), np.log(energy[post])])
        background = np.exp(xp @ coef)
        var_log = np.einsum("ij,jk,ik->i", xp, cov, xp)
        jump = float(np.sum(counts[post] - background))
        var = float(np.sum(np.maximum(counts[post], 1.0))) + float(np.sum(background * np.sqrt(var_log))) ** 2
        sig = jump / math.sqrt(var)
        present = sig >= DETECTION_SIGMAS and jump > 0.01 * float(background.sum())
        out.append(ElementEvidence(edge.element, edge.edge, e0, sig, _confidence(sig), present))
    return out


def _snip(counts: NDArray[np.float64], half_width: int, iterations: int = 24) -> NDArray[np.float64]:
    """SNIP background (clipping in log-log-sqrt space), windows shrinking from ``half_width`` to 1 channel."""
    v = np.log(np.log(np.sqrt(np.maximum(counts, 0.0) + 1.0) + 1.0) + 1.0)
    n = len(v)
    for w in np.linspace(half_width, 1, iterations).astype(int):
        if w < 1 or 2 * w >= n:
            continue
        mean = 0.5 * (v[: n - 2 * w] + v[2 * w :])
        v[w : n - w] = np.minimum(v[w : n - w], mean)
    return (np.exp(np.exp(v) - 1.0) - 1.0) ** 2 - 1.0


def _eds(energy: NDArray[np.float64], counts: NDArray[np.float64]) -> list[ElementEvidence]:
    """Weighted least-squares amplitudes of Gaussian lines (detector-resolution widths) on the net spectrum."""
    lines = [ln for ln in EDS_LINES if energy[0] < 1000 * ln.energy_keV < energy[-1]]
    if not lines:
        return []
    step = float(np.median(np.diff(energy)))
    centres = np.array([1000 * ln.energy_keV for ln in lines])
    fwhm = np.sqrt(FWHM_MN_KA_EV**2 + 2.53 * (centres - 5895.0))  # Fano-limited Si detector
    sigma = fwhm / 2.3548
    # SNIP on raw Poisson counts follows the noise minima; on a smoothed spectrum it follows the continuum.
    smoothed = gaussian_filter1d(counts, max(1.0, 0.5 * FWHM_MN_KA_EV / step))
    net = counts - np.maximum(_snip(smoothed, max(2, int(2.5 * FWHM_MN_KA_EV / step))), 0.0)
    near = np.any(np.abs(energy[:, None] - centres[None, :]) < 3 * sigma[None, :], axis=1)
    design = np.exp(-0.5 * ((energy[near, None] - centres[None, :]) / sigma[None, :]) ** 2)
    w = 1.0 / np.maximum(counts[near], 1.0)
    normal = design.T @ (design * w[:, None]) + 1e-9 * np.eye(len(lines))
    amp = np.linalg.solve(normal, design.T @ (w * net[near]))
    err = np.sqrt(np.diag(np.linalg.inv(normal)))
    out = []
    for ln, c, a, s in zip(lines, centres, amp, err, strict=True):
        sig = float(a / s)
        out.append(ElementEvidence(ln.element, ln.line, float(c), sig, _confidence(sig), sig >= DETECTION_SIGMAS))
    return out


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
    energy = np.asarray(energy_axis_eV, dtype=np.float64)
    n = np.asarray(counts, dtype=np.float64)
    if energy.ndim != 1 or n.shape != energy.shape or energy.size < 16:
        raise AnalysisError(f"energy axis and counts must be 1-D of equal length >= 16, got {energy.shape}, {n.shape}.")
    if not (np.all(np.isfinite(energy)) and np.all(np.isfinite(n)) and np.all(np.diff(energy) > 0)):
        raise AnalysisError("the energy axis must be finite and strictly increasing, and counts finite.")
    if kind == "EELS":
        return Elements("EELS", tuple(_eels(energy, n)))
    if kind == "EDS":
        return Elements("EDS", tuple(_eds(energy, n)))
    raise AnalysisError(f"kind must be 'EELS' or 'EDS', got {kind!r}.")
