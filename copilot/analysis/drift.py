"""Drift between two images of the same area by phase correlation with sub-pixel upsampling, unwrapped on
crystals: a lattice repeats, so its correlation fixes the shift only modulo a lattice vector; the part of the
images that does not repeat (defects, contamination, edges, the amorphous support) picks the lattice vector; when
it does not (a pristine crystal), the shift is reported as ambiguous rather than guessed. The registration reads
the periodic component of each frame (:func:`periodic_component`): a frame's FFT joins its opposite edges, and the
jumps there (particles cut by the frame edge) stay put while the specimen moves, pulling the peak towards zero."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import gaussian_filter
from skimage.registration import phase_cross_correlation

from copilot.analysis._validate import as_image, positive
from copilot.analysis.errors import AnalysisError, NoLatticeError
from copilot.analysis.lattice import Lattice, measure_lattice

MIN_CONFIDENCE = 0.3  # of the phase correlation (top peak against the next one), for the images to correlate
MAX_RIVAL_RATIO = 0.6
"""The non-repeating part's correlation at the best lattice-allowed shift must beat the strongest other one (a
lattice vector or a pseudo-translation away) by this ratio: on the twin's pristine SrTiO3 (6 seeds, 0.3-3 nm/s)
the rival reaches 0.67-0.99 of the best; on its MoS2 with vacancies 0.11-0.33 (shifts of 1-4 cells found to
1.5 %), on a synthetic perovskite with ten clusters 0.14-0.46."""
MIN_PEAK_SIGMAS = 8.0  # the best lattice-allowed shift must stand this far above the correlation's noise
PEAK_TOLERANCE = 0.15  # of the shortest cell edge: the non-repeating part's own peak must lie this near it
MAX_RELATIVE_UNCERTAINTY = 0.1  # a shift known to worse than this (1 sigma) does not give the rate to 15 %
PEAK_MASK_BINS = 3  # Fourier bins blanked around every lattice reflection
ALIAS_ORDERS = 2.0  # reflections up to this many times the Nyquist frequency (folded back) are blanked
ALIAS_POWER_FACTOR = 5.0  # ... when their power exceeds this multiple of the spectrum's median


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


def periodic_component(image: NDArray[np.float64]) -> NDArray[np.float64]:
    """The periodic part of ``image`` (Moisan's periodic-plus-smooth decomposition), mean-subtracted: ``image``
    minus the smooth image (harmonic inside, Laplacian equal to the jumps between opposite edges) that carries all
    of its edge discontinuities. Use before registering frames by FFT: the periodic continuation of a raw frame
    has lines along its edges that do not move with the specimen, a correlation peak at zero shift that pulls the
    registered shift towards zero (on the twin's gold frames by up to 0.28 nm of a 0.32 nm shift); unlike a
    window, it keeps the content near the edges."""
    ny, nx = image.shape
    jumps = np.zeros_like(image)
    jumps[0, :] += image[-1, :] - image[0, :]
    jumps[-1, :] += image[0, :] - image[-1, :]
    jumps[:, 0] += image[:, -1] - image[:, 0]
    jumps[:, -1] += image[:, 0] - image[:, -1]
    denominator = (
        2.0 * np.cos(2.0 * np.pi * np.arange(ny) / ny)[:, None] + 2.0 * np.cos(2.0 * np.pi * np.arange(nx) / nx) - 4.0
    )
    denominator[0, 0] = 1.0
    smooth_ft = np.fft.fft2(jumps) / denominator
    smooth_ft[0, 0] = 0.0
    periodic = image - np.fft.ifft2(smooth_ft).real
    return np.asarray(periodic - periodic.mean(), dtype=np.float64)


def _shift_px(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[float, float]:
    """(dy, dx) in px by which the features of ``a`` moved in ``b``."""
    shift, _, _ = phase_cross_correlation(a, b, upsample_factor=50, normalization=None)
    return -float(shift[0]), -float(shift[1])


def _without_lattice(image: NDArray[np.float64], g: NDArray[np.float64], px: float) -> NDArray[np.float64]:
    """``image`` (Hann-windowed) with every reflection h g1 + k g2 of the lattice that stands above the noise
    blanked in its Fourier transform, including the reflections beyond the Nyquist frequency folded back into
    the band (an incommensurate pixel grid puts them off the lattice: a residue that repeats)."""
    ny, nx = image.shape
    f = np.fft.fft2(image * np.outer(np.hanning(ny), np.hanning(nx)))
    power = np.abs(f) ** 2
    floor = ALIAS_POWER_FACTOR * float(np.median(power))
    nyq = 0.5 / px
    reach = int(np.ceil(ALIAS_ORDERS * math.sqrt(2) * nyq / min(np.linalg.norm(g, axis=1)))) + 1
    r = PEAK_MASK_BINS
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
    disc = dy**2 + dx**2 < r * r
    dy, dx = dy[disc], dx[disc]
    h, k = np.meshgrid(np.arange(-reach, reach + 1), np.arange(-reach, reach + 1), indexing="ij")
    q = h.ravel()[:, None] * g[0] + k.ravel()[:, None] * g[1]
    q = q[np.hypot(q[:, 0], q[:, 1]) <= ALIAS_ORDERS * math.sqrt(2) * nyq]
    for qx, qy in q:
        iy = (round(qy * ny * px) + dy) % ny
        ix = (round(qx * nx * px) + dx) % nx
        if (qx, qy) == (0.0, 0.0) or power[iy, ix].max() > floor:
            f[iy, ix] = 0.0
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


WHITENING = 0.5  # the non-repeating part's cross-power is divided by its square root (1: phase correlation)
SURFACE_SMOOTHING_PX = 1.0


def _coarse_surface(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cross-correlation of ``a`` and ``b`` with the cross-power spectrum divided by its square root."""
    cross = np.fft.fft2(a) * np.conj(np.fft.fft2(b))
    return np.asarray(np.fft.ifft2(cross / np.maximum(np.abs(cross), 1e-12) ** WHITENING).real, dtype=np.float64)


def _climb(surface: NDArray[np.float64], iy: int, ix: int) -> tuple[int, int]:
    """The local maximum of a periodic ``surface`` reached by steepest ascent from pixel (iy, ix)."""
    ny, nx = surface.shape
    iy, ix = iy % ny, ix % nx
    for _ in range(ny + nx):
        rows, cols = (iy + np.arange(-1, 2)) % ny, (ix + np.arange(-1, 2)) % nx
        block = surface[np.ix_(rows, cols)]
        r, c = np.unravel_index(int(np.argmax(block)), block.shape)
        if (r, c) == (1, 1):
            break
        iy, ix = int(rows[r]), int(cols[c])
    return iy, ix


def _candidates(
    fine_nm: NDArray[np.float64], vectors: NDArray[np.float64], reach: int = 6
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Shifts (n, 2) nm the lattice allows: ``fine_nm`` plus every lattice vector and every half-cell
    pseudo-translation (a/2, b/2, (a+b)/2: a Sr and a Ti-O column look alike to the full-image registration), and
    which of them differ from ``fine_nm`` by whole lattice vectors."""
    m = np.arange(-2 * reach, 2 * reach + 1)
    m1, m2 = (x.ravel() for x in np.meshgrid(m, m, indexing="ij"))
    steps = (m1[:, None] * vectors[0] + m2[:, None] * vectors[1]) / 2.0
    return fine_nm + steps, (m1 % 2 == 0) & (m2 % 2 == 0)


def _unwrap(
    wa: NDArray[np.float64], wb: NDArray[np.float64], px: float, lattice: Lattice, fine_nm: NDArray[np.float64]
) -> tuple[NDArray[np.float64], float, str]:
    """(the shift nm, rival ratio, reason it is ambiguous or "") on a lattice: of the lattice-allowed shifts, the
    one at which the non-repeating part of the images (lattice reflections removed, Hann-windowed so the lattice's
    truncation at the frame edges leaves no periodic residue) correlates best.

    A periodic image correlates as well at every candidate one lattice vector apart: the shift is taken only when
    the non-repeating part's own peak lies on the best candidate, stands ``MIN_PEAK_SIGMAS`` above the noise of
    the correlation surface, and beats every other candidate by ``MAX_RIVAL_RATIO``; otherwise the shortest
    allowed shift is returned with the reason.
    """
    g = np.array(lattice.g_vectors_per_nm)
    vectors = np.array([lattice.a_vector_nm, lattice.b_vector_nm])
    ra, rb = _without_lattice(wa, g, px), _without_lattice(wb, g, px)
    # peaks at minus the shift of the features from a to b; smoothed so that noise leaves no local maxima
    surface = gaussian_filter(_coarse_surface(ra, rb), SURFACE_SMOOTHING_PX, mode="wrap")
    ny, nx = surface.shape
    noise = 1.4826 * float(np.median(np.abs(surface - np.median(surface))))
    cands, whole = _candidates(fine_nm, vectors)
    peaks = [_climb(surface, int(iy), int(ix)) for ix, iy in np.rint(-cands / px).astype(int)]
    shortest = cands[whole][int(np.argmin(np.linalg.norm(cands[whole], axis=1)))]  # by whole lattice vectors
    top = np.unravel_index(int(np.argmax(surface)), surface.shape)
    top_peak = (int(top[0]), int(top[1]))
    peak_nm = -np.array([(top[1] + nx // 2) % nx - nx // 2, (top[0] + ny // 2) % ny - ny // 2]) * px
    height = float(surface[top_peak])
    # a rival is another peak that a lattice-allowed shift climbs to (one on the flank of the top peak is not)
    rivals = [float(surface[p]) for p in set(peaks) if p != top_peak]
    rival = float(np.clip(max(rivals, default=0.0) / height, 0.0, 1.0)) if height > 0 else 1.0
    on_top = [k for k, p in enumerate(peaks) if p == top_peak]
    tolerance = max(PEAK_TOLERANCE * min(lattice.a_nm, lattice.b_nm), 1.5 * px)
    best = cands[min(on_top, key=lambda k: float(np.linalg.norm(cands[k] - peak_nm)))] if on_top else shortest
    if not on_top or np.linalg.norm(best - peak_nm) > tolerance:
        return shortest, rival, "the non-repeating part of the images peaks at no shift the lattice allows"
    sigmas = height / max(noise, 1e-12)
    if sigmas < MIN_PEAK_SIGMAS:
        return shortest, rival, f"the non-repeating part of the images correlates at only {sigmas:.1f} sigmas"
    if rival > MAX_RIVAL_RATIO:
        return (
            shortest,
            rival,
            (f"the correlation one lattice vector away reaches {rival:.2f} of the best (competing peaks)"),
        )
    return best, rival, ""


def estimate_drift(image_a: ArrayLike, image_b: ArrayLike, pixel_size_nm: float, dt_s: float) -> Drift:
    """How far the specimen moved between two frames taken ``dt_s`` seconds apart.

    The periodic components of both images (:func:`periodic_component`) are registered by cross-correlation
    upsampled 50x; ``confidence`` comes from the phase-correlation surface of the mean-subtracted images. On a
    crystal the registration is unwrapped (:func:`_unwrap`): of the shifts that differ by a lattice vector or a
    half-cell pseudo-translation, the one at which the non-repeating part of the images (lattice reflections
    removed) correlates best is taken, and ``confidence`` is 1 minus the ratio of the strongest competing peak to
    it. A periodic image correlates as well one lattice vector away: when the non-repeating part does not single
    one shift out, ``reliable`` is false ("periodic image ... ambiguous modulo a lattice vector") and the shortest
    shift by whole lattice vectors is returned. ``uncertainty_nm`` is the larger of the split-half noise estimate
    (:func:`split_half_sigma_px`, on the periodic components) and a tenth of a pixel over the confidence; a shift
    known to worse than 10 % is not reliable. Positive ``dx_nm`` means features moved to the right (+x) in
    image B.
    """
    a, b = as_image(image_a, "image_a"), as_image(image_b, "image_b")
    if a.shape != b.shape:
        raise AnalysisError(f"the two images differ in shape ({a.shape} vs {b.shape}); acquire both with one setting.")
    px = positive("pixel_size_nm", pixel_size_nm)
    dt = positive("dt_s", dt_s)
    wa, wb = a - a.mean(), b - b.mean()
    pa, pb = periodic_component(wa), periodic_component(wb)  # registered without the edges' static jumps
    dy_px, dx_px = _shift_px(pa, pb)
    confidence = _confidence(wb, wa)
    note = ""
    try:
        lattice = measure_lattice(wa, px)
    except NoLatticeError:
        lattice = None
    if lattice is not None:
        unwrapped, rival, why = _unwrap(wa, wb, px, lattice, np.array([dx_px, dy_px]) * px)
        dx_px, dy_px = unwrapped[0] / px, unwrapped[1] / px
        confidence = 1.0 - rival  # the full image's second peak is a lattice vector away: uniqueness is the pick's
        if why:
            note = (
                f"periodic image: the shift is ambiguous modulo a lattice vector ({lattice.a_nm:.3g} x "
                f"{lattice.b_nm:.3g} nm) because {why}; register on a coarser frame with contamination or an "
                "edge, or take the frames closer in time"
            )
    if not note and confidence < MIN_CONFIDENCE:
        note = "the two images barely correlate: they may not show the same area"
    dx, dy = dx_px * px, dy_px * px
    shift = math.hypot(dx, dy)
    sigma_nm = max(split_half_sigma_px(pa, pb) * px, 0.1 * px / max(confidence, 0.05))
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
