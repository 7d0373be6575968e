"""The electron probe: wavelength, aberration function and the probe kernel used to blur images.

The probe intensity is ``|IFFT(A(k) exp(-i chi(k)))|^2`` with the low-order aberration function

    chi = 2 pi / lambda * (C1 t^2 / 2 + A1 t^2 cos(2 (phi - phi_A1)) / 2 + B2 t^3 cos(phi - phi_B2) / 3 + C3 t^4 / 4)

(t = lambda k the scattering angle). It is computed on a grid fine enough to hold the aperture, binned onto the
image pixels when those are coarser, and its Fourier transform is cached per optics state and canvas shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft as sfft

from copilot.twin.dose import ELECTRON_CHARGE_C as _E
from copilot.twin.grid import soft_inside

_H = 6.62607015e-34
_M0 = 9.1093837015e-31
_C = 299792458.0
_MAX_FINE_N = 1024
FFT_WORKERS = 1
"""Threads per FFT. One: scipy's FFT thread pool is shut down around every fork (its pthread_atfork handlers), so an
FFT running in another session's thread while a cancellable acquisition forks failed with "Work item submitted
after shutdown"; on 2 cores the pool gave no measurable speed (HAADF 1024 x 1024 66 ms either way)."""


def relativistic_gamma(energy_kv: float) -> float:
    """Relativistic mass factor 1 + eV / (m0 c^2) of the beam electrons."""
    return 1.0 + _E * energy_kv * 1e3 / (_M0 * _C**2)


def wavelength_nm(energy_kv: float) -> float:
    """Relativistic electron wavelength in nm (2.51 pm at 200 kV)."""
    v = energy_kv * 1e3
    return _H / math.sqrt(2 * _M0 * _E * v * (1 + _E * v / (2 * _M0 * _C**2))) * 1e9


@dataclass(frozen=True)
class Aberrations:
    """Effective aberrations seen by the specimen, with angles in the scan (canvas) frame."""

    c1_nm: float
    a1_nm: float
    a1_deg: float
    b2_nm: float
    b2_deg: float
    c3_nm: float


FOCAL_NODES = 7
"""Gauss-Hermite nodes used to average over the chromatic focal spread."""


def focal_spread_nodes(focal_spread_nm: float) -> tuple[np.ndarray, np.ndarray]:
    """Defocus offsets (nm) and weights (summing to 1) for a Gaussian focal spread of rms ``focal_spread_nm``."""
    if focal_spread_nm <= 0:
        return np.zeros(1), np.ones(1)
    x, w = np.polynomial.hermite_e.hermegauss(FOCAL_NODES)
    return x * focal_spread_nm, w / w.sum()


def chi_rad(ab: Aberrations, lam_nm: float, kx: np.ndarray, ky: np.ndarray) -> np.ndarray:
    """Aberration function chi (rad) at spatial frequencies (kx, ky) in 1/nm."""
    theta = lam_nm * np.hypot(kx, ky)
    phi = np.arctan2(ky, kx)
    return (2 * np.pi / lam_nm) * (
        0.5 * ab.c1_nm * theta**2
        + 0.5 * ab.a1_nm * theta**2 * np.cos(2 * (phi - np.deg2rad(ab.a1_deg)))
        + ab.b2_nm / 3 * theta**3 * np.cos(phi - np.deg2rad(ab.b2_deg))
        + 0.25 * ab.c3_nm * theta**4
    )


def geometric_radius_nm(ab: Aberrations, alpha_rad: float) -> float:
    """Radius of the geometric ray disc of the aberrated probe."""
    return (
        abs(ab.c1_nm) * alpha_rad
        + abs(ab.a1_nm) * alpha_rad
        + abs(ab.b2_nm) * alpha_rad**2
        + abs(ab.c3_nm) * alpha_rad**3
    )


def probe_size_nm(ab: Aberrations, energy_kv: float, alpha_rad: float) -> float:
    """Approximate probe diameter: diffraction limit and geometric aberration disc added in quadrature."""
    d_diff = 1.22 * wavelength_nm(energy_kv) / alpha_rad
    return float(math.hypot(d_diff, 2 * geometric_radius_nm(ab, alpha_rad)))


def probe_intensity(
    ab: Aberrations, energy_kv: float, alpha_rad: float, dp_nm: float, n: int, focal_spread_nm: float = 0.0
) -> np.ndarray:
    """Probe intensity on an n x n grid of spacing ``dp_nm``, centred on pixel [0, 0] (wrapped), summing to 1.

    With ``focal_spread_nm`` > 0 it is the incoherent average over the chromatic defocus spread (partial
    temporal coherence); the finite source size is a Gaussian blur the caller adds.
    """
    lam = wavelength_nm(energy_kv)
    k = sfft.fftfreq(n, dp_nm)
    kx, ky = np.meshgrid(k, k, indexing="xy")
    chi = chi_rad(ab, lam, kx, ky)
    d_theta = lam / (n * dp_nm)
    aperture = np.clip((alpha_rad - lam * np.hypot(kx, ky)) / d_theta + 0.5, 0.0, 1.0)
    defocus_phase = (np.pi * lam) * (kx**2 + ky**2)  # chi of 1 nm of defocus
    intensity = np.zeros((n, n))
    for dz, w in zip(*focal_spread_nodes(focal_spread_nm), strict=True):
        psi = sfft.ifft2(aperture * np.exp(-1j * (chi + dz * defocus_phase)), workers=FFT_WORKERS)
        intensity += w * (psi.real**2 + psi.imag**2)
    return intensity / intensity.sum()


def _fold(canvas_shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A canvas-size kernel with ``weights`` at wrapped integer offsets (rows, cols)."""
    flat = (rows % canvas_shape[0]) * canvas_shape[1] + cols % canvas_shape[1]
    kernel = np.bincount(flat, weights=weights, minlength=canvas_shape[0] * canvas_shape[1])
    return kernel.astype(np.float32).reshape(canvas_shape)


def _kernel_real(
    ab: Aberrations, energy_kv: float, alpha_rad: float, px_nm: float, shape: tuple[int, int], focal_spread_nm: float
) -> np.ndarray:
    lam = wavelength_nm(energy_kv)
    radius = geometric_radius_nm(ab, alpha_rad) + 2.5 * focal_spread_nm * alpha_rad
    extent = 2.0 * radius + 12.0 * lam / alpha_rad
    dp = min(px_nm, lam / (2.5 * alpha_rad))
    n = sfft.next_fast_len(max(64, math.ceil(extent / dp)))
    if n > _MAX_FINE_N:
        # Far from focus the probe is the geometric image of the aperture: a uniform disc.
        reach = math.ceil(radius / px_nm) + 2
        off = np.arange(-reach, reach + 1)
        r_idx, c_idx = np.meshgrid(off, off, indexing="ij")
        w = soft_inside(np.hypot(r_idx, c_idx) * px_nm, radius, px_nm / 2).ravel()
        return _fold(shape, r_idx.ravel(), c_idx.ravel(), w / w.sum())
    fine = np.fft.fftshift(probe_intensity(ab, energy_kv, alpha_rad, dp, n, focal_spread_nm))
    off = (np.arange(n) - n // 2) * dp
    idx = np.rint(off / px_nm).astype(np.int64)
    r_idx, c_idx = np.meshgrid(idx, idx, indexing="ij")
    return _fold(shape, r_idx.ravel(), c_idx.ravel(), fine.ravel())


@lru_cache(maxsize=6)
def kernel_ft(
    ab: Aberrations,
    energy_kv: float,
    alpha_rad: float,
    px_nm: float,
    shape: tuple[int, int],
    blur_nm: float,
    focal_spread_nm: float = 0.0,
) -> np.ndarray:
    """rFFT (complex64, shape (rows, cols // 2 + 1)) of the probe kernel on a canvas, times a Gaussian of
    standard deviation ``blur_nm`` (source size, thermal smearing of the atoms and column tilt)."""
    kernel = _kernel_real(ab, energy_kv, alpha_rad, px_nm, shape, focal_spread_nm)
    ft = sfft.rfft2(kernel, workers=FFT_WORKERS)
    ky = sfft.fftfreq(shape[0], px_nm)[:, None]
    kx = sfft.rfftfreq(shape[1], px_nm)[None, :]
    c = -2.0 * np.pi**2 * blur_nm**2  # the Gaussian factorises into a row and a column part
    ft *= np.exp(c * ky**2).astype(np.float32)
    ft *= np.exp(c * kx**2).astype(np.float32)
    return ft
