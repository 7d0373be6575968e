"""Uncertainties and reliability verdicts of the AFM measurements (levelling, roughness, steps, double tips,
domains, gratings), from the statistics of the height map itself.

Neighbouring AFM pixels are not independent: the tip and the feedback smooth the surface over a correlation
length, so every standard error here counts independent patches (pixels over the correlation area), not pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from copilot.analysis._validate import noise_sigma
from copilot.analysis.domains import DomainFractions
from copilot.analysis.grating import GratingPitch
from copilot.analysis.level import Levelled
from copilot.analysis.steps import StepHeight
from copilot.analysis.tipcheck import MIN_PAIRS, TOLERANCE_PX, TipCheck

MIN_FLAT_FRACTION = 0.2  # a plane fitted on less of the map than this may follow the features, not the tilt
MIN_PATCHES = 50  # independent patches a roughness needs for a standard error near 10 %
MIN_STEP_NOISE = 3.0  # a step this many height-noise sigmas high stands out of the terrace noise
STEP_FLOOR_FRACTION = 0.01
"""Error of the terrace levels that the levelling leaves (a residual tilt moves whole terraces): measured on the
AFM twin's Si(111) steps, 0.1 to 0.9 % of the step; added in quadrature to the scatter of the levels."""
MAX_MULTIPLE_MISFIT = 0.25  # levels this far (in steps) off a whole multiple are not one step's multiples
MIN_FEATURES = 2 * MIN_PAIRS  # features a double-tip verdict needs (pairs at one offset among them)
MIN_CLASS_SEPARATION = 2.0  # class means this many within-class spreads apart: distinct phases
MIN_GRATING_EDGES = 4


@dataclass(frozen=True)
class Verdict:
    """A standard error (in the units of the quantity named by the caller) and the reliability verdict."""

    uncertainty: float
    reliable: bool
    note: str


def _verdict(uncertainty: float, note: str) -> Verdict:
    return Verdict(float(uncertainty), not note, note)


def correlation_area_px(values: NDArray[np.float64]) -> float:
    """Area (pixels) over which the mean-free map stays correlated: the pixels where its autocorrelation
    exceeds 1/e, at least 1."""
    v = values - values.mean()
    if not np.any(v):
        return 1.0
    power = np.abs(np.fft.fft2(v)) ** 2
    acf = np.fft.ifft2(power).real
    acf /= acf[0, 0]
    return max(float(np.sum(acf > math.exp(-1.0))), 1.0)


def independent_patches(values: NDArray[np.float64], pixels: int) -> float:
    """``pixels`` of the map counted in independent patches (pixels over the correlation area)."""
    return max(pixels / correlation_area_px(values), 1.0)


def level_verdict(lev: Levelled) -> Verdict:
    """Standard error of the removed background (nm): the residual rms over the square root of the independent
    flat patches it was fitted on; unreliable when little of the map is flat."""
    residual = np.where(lev.flat_mask, lev.height_nm, 0.0)
    flat = int(lev.flat_mask.sum())
    patches = independent_patches(residual, max(flat, 1))
    note = ""
    fraction = flat / lev.flat_mask.size
    if fraction < MIN_FLAT_FRACTION:
        note = (
            f"only {100 * fraction:.0f} % of the map is flat: the background is fitted on little of it and may "
            "follow the features; level a larger scan, or lower the order"
        )
    return _verdict(lev.residual_rms_nm / math.sqrt(patches), note)


def roughness_verdict(region_nm: NDArray[np.float64], rq_nm: float) -> Verdict:
    """Standard error of Rq (nm) from the independent patches of the region (Rq / sqrt(2 n)); unreliable with
    fewer than ``MIN_PATCHES`` of them."""
    patches = independent_patches(region_nm, region_nm.size)
    note = ""
    if patches < MIN_PATCHES:
        note = (
            f"the region holds about {patches:.0f} independent patches of the surface (its features are wide for "
            "it): roughness varies from region to region; measure a larger region"
        )
    return _verdict(rq_nm / math.sqrt(2.0 * patches), note)


def step_verdict(s: StepHeight) -> Verdict:
    """Standard error of the step (nm): the scatter of the levels about whole multiples where there are three
    or more levels, else the terrace noise over the two levels, with the levelling's floor; unreliable when the
    step is near the noise or the levels are not whole multiples of one step."""
    scatter = s.step_std_nm if math.isfinite(s.step_std_nm) else s.noise_nm / math.sqrt(2.0)
    uncertainty = math.hypot(scatter, STEP_FLOOR_FRACTION * s.step_nm)
    note = ""
    misfit = max(abs(lv / s.step_nm - m) for lv, m in zip(s.levels_nm, s.multiples, strict=True))
    if s.step_nm < MIN_STEP_NOISE * s.noise_nm:
        note = (
            f"the step is only {s.step_nm / s.noise_nm:.1f} x the height noise of the terraces: levels may be "
            "noise; average more lines (slower scan) or image larger terraces"
        )
    elif misfit > MAX_MULTIPLE_MISFIT:
        note = (
            f"a terrace level lies {misfit:.2f} steps off a whole multiple of {s.step_nm:.3g} nm: the terraces are "
            "not all steps of one height (mixed step heights or a poor levelling)"
        )
    return _verdict(uncertainty, note)


def tip_verdict(c: TipCheck, pixel_size_nm: float) -> Verdict:
    """Standard error of the ghost offset (nm): the pairing tolerance over the square root of the pairs;
    unreliable with too few features to tell a repeated offset from chance."""
    note = ""
    if c.features < MIN_FEATURES:
        note = (
            f"only {c.features} features stand out: too few to tell a double tip from chance; image an area with "
            "more particles or defects"
        )
    return _verdict(TOLERANCE_PX * pixel_size_nm / math.sqrt(max(c.pairs, 1)), note)


def domain_verdict(d: DomainFractions, values: NDArray[np.float64]) -> tuple[list[float], bool, str]:
    """Standard error of each class's area fraction: half the share of pixels within one noise sigma of a
    class boundary (a different noise draw could put them on either side); unreliable when two neighbouring
    classes overlap (means closer than ``MIN_CLASS_SEPARATION`` within-class spreads)."""
    sigma = noise_sigma(values)
    labels = d.labels
    n = labels.size
    out = []
    for c in range(len(d.fractions)):
        near = np.zeros(labels.shape, dtype=bool)
        for t in d.thresholds:
            near |= np.abs(values - t) < sigma
        out.append(0.5 * float(np.sum(near & (labels == c))) / n)
    note = ""
    for c in range(len(d.fractions) - 1):
        a, b = values[labels == c], values[labels == c + 1]
        if a.size < 2 or b.size < 2:
            note = f"class {c if a.size < 2 else c + 1} holds almost no pixels: fewer classes are in view"
            break
        spread = math.sqrt(0.5 * (float(a.var()) + float(b.var())))
        if spread > 0 and (float(b.mean()) - float(a.mean())) < MIN_CLASS_SEPARATION * spread:
            note = (
                f"classes {c} and {c + 1} overlap (means {(float(b.mean()) - float(a.mean())) / spread:.1f} "
                "spreads apart): the split is arbitrary; try fewer classes or another channel"
            )
            break
    return out, not note, note


def grating_verdict(g: GratingPitch) -> Verdict:
    """Standard error of the pitch (nm, from the fit of the edge positions); unreliable with fewer than
    ``MIN_GRATING_EDGES`` edges."""
    note = ""
    if g.edges < MIN_GRATING_EDGES or not math.isfinite(g.pitch_std_nm):
        note = f"only {g.edges} line edges in view: scan at least two full periods more for a checked pitch"
    return _verdict(g.pitch_std_nm if math.isfinite(g.pitch_std_nm) else math.nan, note)
