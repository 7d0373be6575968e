"""Drift between two images of the same area by phase correlation with sub-pixel upsampling, unwrapped on
crystals: a lattice repeats, so its correlation fixes the shift only modulo a lattice vector; the part of the
images that does not repeat (defects, contamination, edges, the amorphous support) picks the lattice vector."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from skimage.registration import phase_cross_correlation

from copilot.analysis._validate import as_image, positive
from copilot.analysis.errors import AnalysisError, NoLatticeError
from copilot.analysis.lattice import measure_lattice

MIN_CONFIDENCE = 0.3  # of the non-repeating part's correlation, to pick the lattice vector
MAX_RELATIVE_UNCERTAINTY = 0.1  # a shift known to worse than this (1 sigma) does not give the rate to 15 %
PEAK_MASK_BINS = 3  # Fourier bins blanked around every lattice reflection


@dataclass(frozen=True)
class Drift:
    """Displacement of the features from image A to image B (FOV frame) and its rate.

    ``confidence`` in [0, 1] compares the correlation peak with the best other peak: near 0 when the shift is
    ambiguous (e.g. a perfect crystal moved by more than half a cell), near 1 when it is unique. ``direction_deg``
    is the direction of motion from +x (y downwards, as in the image). ``reliable`` is false, with the reason, when
    the shift is known only modulo a lattice vector or the images do not correlate.
    """

    dx_nm: float
    dy_nm: float
    shift_nm: float
    rate_x_nm_per_s: float
    rate_y_nm_per_s: float
    rate_nm_per_s: float
    confidence: float
    direction_deg: float = 0.0
    uncertainty_nm: float = 0.0
    reliable: bool = True
    reliability_note: str = ""


def _surface(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    cross = np.fft.fft2(a) * np.conj(np.fft.fft2(b))
    return np.asarray(np.fft.ifft2(cross / np.maximum(np.abs(cross), 1e-12)).real, dtype=np.float64)


def _confidence(a: np.ndarray, b: np.ndarray) -> float:
    """1 - (second peak / first peak) of the phase-correlation surface, second taken outside 3 px of the first."""
    surface = _surface(a, b)
    first = np.unravel_index(np.argmax(surface), surface.shape)
    peak = surface[first]
    masked = np.roll(np.roll(surface, -first[0], axis=0), -first[1], axis=1)
    masked[:4, :4] = masked[:4, -3:] = masked[-3:, :4] = masked[-3:, -3:] = -np.inf
    second = float(masked.max())
    return float(np.clip(1.0 - max(second, 0.0) / peak, 0.0, 1.0)) if peak > 0 else 0.0


def _shift_px(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[float, float]:
    """(dy, dx) in px by which the features of ``a`` moved in ``b``."""
    shift, _, _ = phase_cross_correlation(a, b, upsample_factor=50, normalization=None)
    return -float(shift[0]), -float(shift[1])


def _without_lattice(image: NDArray[np.float64], g: NDArray[np.float64], px: float) -> NDArray[np.float64]:
    """``image`` with every reflection h g1 + k g2 of the lattice blanked in its Fourier transform."""
    ny, nx = image.shape
    f = np.fft.fft2(image)
    ky, kx = np.meshgrid(np.fft.fftfreq(ny, px), np.fft.fftfreq(nx, px), indexing="ij")
    nyq = 0.5 / px
    reach = int(np.ceil(math.sqrt(2) * nyq / min(np.linalg.norm(g, axis=1)))) + 1
    r_bins = PEAK_MASK_BINS / (min(nx, ny) * px)
    for h in range(-reach, reach + 1):
        for k in range(-reach, reach + 1):
            if h == 0 and k == 0:
                continue
            q = h * g[0] + k * g[1]
            if abs(q[0]) > nyq + r_bins or abs(q[1]) > nyq + r_bins:
                continue
            f[np.hypot(kx - q[0], ky - q[1]) < r_bins] = 0.0
    f[np.hypot(kx, ky) < r_bins] = 0.0
    return np.asarray(np.fft.ifft2(f).real, dtype=np.float64)


def split_half_sigma_px(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """One standard deviation (px, per axis) of the shift of ``a`` to ``b`` from its noise: the shifts measured
    on the even and the odd rows (and columns) are independent halves of the data; their difference has twice
    the variance of a half and four times that of the whole."""
    diffs = []
    for axis in (0, 1):
        even = (
            np.take(a, range(0, a.shape[axis] - 1, 2), axis=axis),
            np.take(b, range(0, b.shape[axis] - 1, 2), axis=axis),
        )
        odd = np.take(a, range(1, a.shape[axis], 2), axis=axis), np.take(b, range(1, b.shape[axis], 2), axis=axis)
        se, so = np.array(_shift_px(*even)), np.array(_shift_px(*odd))
        scale = np.array([2.0, 1.0]) if axis == 0 else np.array([1.0, 2.0])  # back to full-image pixels
        diffs.append((se - so) * scale)
    d = np.array(diffs)
    return float(np.sqrt(np.mean(d**2)) / 2.0)


def estimate_drift(image_a: ArrayLike, image_b: ArrayLike, pixel_size_nm: float, dt_s: float) -> Drift:
    """How far the specimen moved between two frames taken ``dt_s`` seconds apart.

    Both images are mean-subtracted, then registered by cross-correlation upsampled 50x; ``confidence`` comes from
    the phase-correlation surface. On a crystal the registration is unwrapped: of the shifts that differ by a
    lattice vector, the one nearest the shift of the non-repeating part of the images (lattice reflections
    removed) is taken; if that part does not correlate, ``reliable`` is false. ``uncertainty_nm`` is the larger
    of the split-half noise estimate (:func:`split_half_sigma_px`) and a tenth of a pixel over the confidence;
    a shift known to worse than 10 % is not reliable. Positive ``dx_nm`` means features moved to the right (+x)
    in image B.
    """
    a, b = as_image(image_a, "image_a"), as_image(image_b, "image_b")
    if a.shape != b.shape:
        raise AnalysisError(f"the two images differ in shape ({a.shape} vs {b.shape}); acquire both with one setting.")
    px = positive("pixel_size_nm", pixel_size_nm)
    dt = positive("dt_s", dt_s)
    wa, wb = a - a.mean(), b - b.mean()
    dy_px, dx_px = _shift_px(wa, wb)
    confidence = _confidence(wb, wa)
    note = ""
    try:
        lattice = measure_lattice(wa, px)
    except NoLatticeError:
        lattice = None
    if lattice is not None:
        g = np.array(lattice.g_vectors_per_nm)
        ra, rb = _without_lattice(wa, g, px), _without_lattice(wb, g, px)
        coarse = np.array(_shift_px(ra, rb))[::-1] * px  # (dx, dy) nm
        coarse_confidence = _confidence(rb, ra)
        vectors = np.array([lattice.a_vector_nm, lattice.b_vector_nm])
        fine = np.array([dx_px, dy_px]) * px
        m = np.arange(-4, 5)
        cands = fine + (m[:, None, None] * vectors[0] + m[None, :, None] * vectors[1]).reshape(-1, 2)
        if coarse_confidence >= MIN_CONFIDENCE:
            best = cands[np.argmin(np.linalg.norm(cands - coarse, axis=1))]
            dx_px, dy_px = best[0] / px, best[1] / px
        else:  # the shortest of the shifts the lattice allows, and the verdict says so
            confidence = min(confidence, coarse_confidence)
            note = (
                "the images show a lattice with no other feature that correlates: the shift is known only modulo a "
                f"lattice vector ({lattice.a_nm:.3g} x {lattice.b_nm:.3g} nm); register on a coarser frame with "
                "contamination or an edge, or take the frames closer in time"
            )
    if not note and confidence < MIN_CONFIDENCE:
        note = "the two images barely correlate: they may not show the same area"
    dx, dy = dx_px * px, dy_px * px
    shift = math.hypot(dx, dy)
    sigma_nm = max(split_half_sigma_px(wa, wb) * px, 0.1 * px / max(confidence, 0.05))
    if not note and sigma_nm > MAX_RELATIVE_UNCERTAINTY * shift:
        note = (
            f"the shift ({shift:.3g} nm) is known only to +-{sigma_nm:.2g} nm at this signal (even and odd lines "
            "disagree): the rate is uncertain by more than 10 %; take the frames further apart in time, or with "
            "more dose per frame"
        )
    return Drift(
        dx, dy, shift, dx / dt, dy / dt, shift / dt, confidence,
        direction_deg=math.degrees(math.atan2(dy, dx)) % 360.0,
        uncertainty_nm=sigma_nm,
        reliable=not note, reliability_note=note,
    )  # fmt: skip
