"""Crystal lattice from the Fourier transform: two reciprocal basis vectors refined on every indexed peak."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from copilot.analysis._validate import as_image, positive
from copilot.analysis.errors import NoLatticeError
from copilot.analysis.fft import FFTPeak, _radial_background, find_peaks, frequency_axes, power_spectrum

INDEX_TOLERANCE = 0.12  # largest distance of a peak from an integer (h, k), in units of the basis
CANDIDATES = 8  # shortest peaks tried as basis vectors
STRONG_SHARE = 0.05  # peaks this strong (share of the strongest's power) choose the net


@dataclass(frozen=True)
class Lattice:
    """A 2-D lattice in the image plane (FOV frame: x along columns, y down the rows).

    ``a_nm``, ``b_nm`` and ``gamma_deg`` describe the real-space primitive cell; ``d_spacings_nm`` are the plane
    spacings of the two basis reflections (equal to a and b for a rectangular cell). The uncertainties are one
    standard deviation from the scatter of the indexed peaks about the fitted lattice. ``reliable`` is false, with
    the reason, when the cell looks like a square or hexagonal one sheared by drift along the slow scan axis (y).
    """

    a_nm: float
    b_nm: float
    gamma_deg: float
    d_spacings_nm: tuple[float, float]
    a_vector_nm: tuple[float, float]
    b_vector_nm: tuple[float, float]
    g_vectors_per_nm: tuple[tuple[float, float], tuple[float, float]]
    n_peaks_indexed: int
    a_uncertainty_nm: float = math.nan
    b_uncertainty_nm: float = math.nan
    reliable: bool = True
    reliability_note: str = ""


def _reduce(g1: NDArray[np.float64], g2: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lagrange-Gauss reduction: the shortest basis of the same 2-D lattice, |g1| <= |g2|."""
    while True:
        if g1 @ g1 > g2 @ g2:
            g1, g2 = g2, g1
        m = round(float(g1 @ g2) / float(g1 @ g1))
        if m == 0:
            return g1, g2
        g2 = g2 - m * g1


def _index(k: NDArray[np.float64], basis: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Fractional (h, k) of every peak vector in ``k`` (n, 2) and whether it lies near an integer pair."""
    hk = np.linalg.solve(basis.T, k.T).T
    return np.round(hk), np.all(np.abs(hk - np.round(hk)) < INDEX_TOLERANCE, axis=1)


def reciprocal_basis(peaks: list[FFTPeak]) -> tuple[NDArray[np.float64], int]:
    """The reciprocal basis (2x2, rows g1, g2 in 1/nm) that indexes most peaks, refined by least squares.

    Each pair of the shortest strong peaks (at least ``STRONG_SHARE`` of the strongest's power) is tried; the
    winner indexes the most strong peaks (ties: the larger reciprocal cell, i.e. no spurious sub-lattice). Weak
    peaks do not choose the net: reflections of higher orders folded back past the Nyquist limit, and the
    sidebands of scan jitter, would otherwise make a spuriously fine reciprocal net index them; a weak reflection
    of a real superstructure is found by :func:`primitive_basis` instead. Both Friedel mates enter the fit so the
    basis is centred.
    """
    if len(peaks) < 2:
        raise NoLatticeError(f"found {len(peaks)} significant Fourier peak(s); a lattice needs at least two.")
    half = np.array([[p.kx_per_nm, p.ky_per_nm] for p in peaks])
    k = np.vstack([half, -half])
    strength = np.array([p.strength for p in peaks])
    strong = half[strength >= STRONG_SHARE * strength.max()]
    if len(strong) < 2:
        strong = half[np.argsort(strength)[::-1][:2]]
    k_strong = np.vstack([strong, -strong])
    shortest = strong[np.argsort(np.hypot(strong[:, 0], strong[:, 1]))[:CANDIDATES]]
    best: tuple[int, float, NDArray[np.float64]] | None = None
    for g1, g2 in itertools.combinations(shortest, 2):
        area = abs(g1[0] * g2[1] - g1[1] * g2[0])
        if area < 0.2 * np.linalg.norm(g1) * np.linalg.norm(g2):  # nearly collinear
            continue
        basis = np.array([g1, g2])
        n_indexed = int(_index(k_strong, basis)[1].sum())
        if best is None or (n_indexed, area) > (best[0], best[1]):
            best = (n_indexed, area, basis)
    if best is None:
        raise NoLatticeError("the Fourier peaks are all collinear: this is a 1-D pattern, not a 2-D lattice.")
    basis = best[2]
    for _ in range(2):
        hk, ok = _index(k, basis)
        basis = np.linalg.lstsq(hk[ok], k[ok], rcond=None)[0]
    g1, g2 = _reduce(basis[0], basis[1])
    return np.array([g1, g2]), int(_index(k, np.array([g1, g2]))[1].sum() // 2)


def with_uncertainty(lattice: Lattice, peaks: list[FFTPeak]) -> Lattice:
    """``lattice`` with the 1-sigma errors of a and b from the scatter of the indexed peaks about it."""
    g = np.array(lattice.g_vectors_per_nm)
    half = np.array([[p.kx_per_nm, p.ky_per_nm] for p in peaks])
    k = np.vstack([half, -half])
    hk, ok = _index(k, g)
    if ok.sum() < 3:
        return lattice
    resid = k[ok] - hk[ok] @ g
    dof = max(int(ok.sum()) - 2, 1)
    sigma_k = float(np.sqrt(np.sum(resid**2) / (2 * dof)))
    var_g = sigma_k**2 * np.diag(np.linalg.pinv(hk[ok].T @ hk[ok]))
    rel = np.sqrt(var_g) / np.linalg.norm(g, axis=1)
    return replace(
        lattice, a_uncertainty_nm=float(lattice.a_nm * rel[0]), b_uncertainty_nm=float(lattice.b_nm * rel[1])
    )


SUPERCELL_STRENGTH = 12.0
"""A reflection looked for at a few given positions (half-integer indices of the found net) is real when its power
stands this many background powers high: exponential speckle exceeds it at one of the ~40 bins searched with
probability 40 e^-12 ~ 2.5e-4."""


def _ratio_map(power: NDArray[np.float64], px: float) -> tuple[NDArray[np.float64], NDArray, NDArray]:
    fx, fy = frequency_axes(power.shape, px)
    kx, ky = np.meshgrid(fx, fy)
    dk = max(fx[1] - fx[0], fy[1] - fy[0])
    return power / _radial_background(power, np.hypot(kx, ky), dk), fx, fy


def _strength_at(ratio: NDArray[np.float64], fx: NDArray, fy: NDArray, k: NDArray[np.float64]) -> float:
    """Largest background-relative power within one bin of the reciprocal vector ``k`` (1/nm)."""
    c = round(float((k[0] - fx[0]) / (fx[1] - fx[0])))
    r = round(float((k[1] - fy[0]) / (fy[1] - fy[0])))
    ny, nx = ratio.shape
    if not (1 <= r < ny - 1 and 1 <= c < nx - 1):
        return 0.0
    return float(ratio[r - 1 : r + 2, c - 1 : c + 2].max())


def primitive_basis(power: NDArray[np.float64], px: float, g: NDArray[np.float64]) -> NDArray[np.float64]:
    """The reciprocal basis of the primitive cell: when columns of two kinds alternate (Sr and TiO in SrTiO3
    [001]), the reflections of the full cell are weak beside those of the net of all columns, which is a/sqrt(2)
    or a/2. The half-integer positions (g1/2, g2/2, (g1 +- g2)/2) are looked at directly, where a much lower
    level is significant than in a search of the whole spectrum; a reflection found there halves the reciprocal
    cell (doubles the real one)."""
    ratio, fx, fy = _ratio_map(power, px)
    g1, g2 = g  # one halving: a net of all columns is at most twice as fine as the primitive one

    def real(half: NDArray[np.float64]) -> bool:
        if 1.0 / np.linalg.norm(half) > 0.5 * min(power.shape) * px:
            return False  # longer than half the field of view: not measurable
        return _strength_at(ratio, fx, fy, half) >= SUPERCELL_STRENGTH

    pairs = ((0.5 * g1, 0.5 * g2), (0.5 * (g1 + g2), 0.5 * (g1 - g2)))
    square = _is_square(g1, g2)
    found = next((h for pair in pairs for h in pair if real(h) and (not square or all(real(p) for p in pair))), None)
    if found is None:
        return g
    other = g2 if abs(found[0] * g1[1] - found[1] * g1[0]) < 1e-12 else g1
    basis = np.array([found, other])
    if abs(np.linalg.det(basis)) < 0.4 * abs(np.linalg.det(g)):
        basis = np.array([found, g2 if other is g1 else g1])
    return np.array(_reduce(basis[0], basis[1]))


def _is_square(g1: NDArray[np.float64], g2: NDArray[np.float64]) -> bool:
    """Whether the net is square (within 5 % and 5 deg). On a square net a superstructure reflection is taken as
    real only when its 90 deg partner is there too: a mains-frequency line jitter draws sidebands along k_y only, and
    at some line times (4 us x 256 px) they fall exactly on one half-integer position, where a crystal seen down a
    four-fold axis would show both."""
    n1, n2 = float(np.linalg.norm(g1)), float(np.linalg.norm(g2))
    cos = abs(float(np.dot(g1, g2))) / (n1 * n2)
    return abs(n1 - n2) <= 0.05 * max(n1, n2) and cos <= math.sin(math.radians(5.0))


SYMMETRIC_ANGLES_DEG = (60.0, 90.0, 120.0)
SHEAR_BAND = (0.004, 0.15)  # relative misfit from a square/hexagonal cell that drift, not the crystal, explains


def shear_verdict(lattice: Lattice) -> Lattice:
    """``lattice`` judged for drift shear: a cell within a few % (but more than the noise) of square or hexagonal
    is a symmetric cell distorted along the slow scan axis, and is not reliable."""
    length = abs(lattice.a_nm - lattice.b_nm) / max(lattice.a_nm, lattice.b_nm)
    angle = min(abs(lattice.gamma_deg - s) for s in SYMMETRIC_ANGLES_DEG) / 90.0
    misfit = max(length, angle)
    lo, hi = SHEAR_BAND
    if not lo < misfit < hi:
        return lattice
    return replace(
        lattice,
        reliable=False,
        reliability_note=(
            f"the cell is {100 * misfit:.1f} % from square or hexagonal: likely drift shear along the slow scan "
            "axis (y); spacings along the fast axis (x) are true. Acquire the same area with set_scan "
            "rotation_deg 90 and pass both ids for a drift-corrected cell"
        ),
    )


def lattice_from_basis(g: NDArray[np.float64], n_indexed: int) -> Lattice:
    """Real-space cell (a_i . g_j = delta_ij) and spacings from a reciprocal basis."""
    real = np.linalg.inv(g).T
    a1, a2 = real[0], real[1]
    cos_gamma = float(a1 @ a2 / (np.linalg.norm(a1) * np.linalg.norm(a2)))
    return Lattice(
        a_nm=float(np.linalg.norm(a1)),
        b_nm=float(np.linalg.norm(a2)),
        gamma_deg=math.degrees(math.acos(np.clip(cos_gamma, -1.0, 1.0))),
        d_spacings_nm=(float(1.0 / np.linalg.norm(g[0])), float(1.0 / np.linalg.norm(g[1]))),
        a_vector_nm=(float(a1[0]), float(a1[1])),
        b_vector_nm=(float(a2[0]), float(a2[1])),
        g_vectors_per_nm=((float(g[0, 0]), float(g[0, 1])), (float(g[1, 0]), float(g[1, 1]))),
        n_peaks_indexed=n_indexed,
    )


def measure_lattice(image: ArrayLike, pixel_size_nm: float, min_strength: float | None = None) -> Lattice:
    """Lattice spacings and angle of a crystalline image from its Fourier peaks.

    The power spectrum is Hann-windowed, peaks are located to sub-pixel precision (parabola on log power), a basis
    is chosen that indexes most peaks and refined by least squares on all indexed peaks, so higher orders sharpen
    the result. The image's x axis is the fast scan axis: drift during the frame shears and stretches the cell
    along y only (:func:`copilot.analysis.lattice_drift.corrected_lattice` removes it with a second frame).

    Parameters
    ----------
    image : array_like, 2-D
        Atomic-resolution image.
    pixel_size_nm : float
        Pixel size in nm.
    min_strength : float, optional
        Least peak-to-background power ratio of a usable peak (default: a noise-safe level).

    Returns
    -------
    Lattice
        ``a_nm``, ``b_nm``, ``gamma_deg`` of the primitive cell, the basis plane spacings and the vectors.

    Raises
    ------
    NoLatticeError
        If fewer than two non-collinear significant peaks exist.
    """
    img = as_image(image)
    px = positive("pixel_size_nm", pixel_size_nm)
    power = power_spectrum(img)
    peaks = find_peaks(power, px, max_peaks=40, min_strength=min_strength)
    g, n_indexed = reciprocal_basis(peaks)
    primitive = primitive_basis(power, px, g)
    if not np.allclose(primitive, g):
        g = _refine(primitive, peaks, power, px)
        n_indexed = int(_index(np.vstack([_vectors(peaks), -_vectors(peaks)]), g)[1].sum() // 2)
    return shear_verdict(with_uncertainty(lattice_from_basis(g, n_indexed), peaks))


def _vectors(peaks: list[FFTPeak]) -> NDArray[np.float64]:
    return np.array([[p.kx_per_nm, p.ky_per_nm] for p in peaks])


def _refine(g: NDArray[np.float64], peaks: list[FFTPeak], power: NDArray[np.float64], px: float) -> NDArray[np.float64]:
    """``g`` refined by least squares on every peak it indexes (the strong peaks of the finer net index as
    integers of the primitive basis too)."""
    k = np.vstack([_vectors(peaks), -_vectors(peaks)])
    basis = np.asarray(g, dtype=np.float64)
    for _ in range(2):
        hk, ok = _index(k, basis)
        if ok.sum() >= 3:
            basis = np.asarray(np.linalg.lstsq(hk[ok], k[ok], rcond=None)[0], dtype=np.float64)
    g1, g2 = _reduce(basis[0], basis[1])
    return np.array([g1, g2])
