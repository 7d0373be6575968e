"""Bright-field STEM: coherent phase contrast of a weak phase object seen by an axial disc detector.

For a probe ``psi0(K) = A(K) exp(-i chi(K))`` and a specimen phase ``phi(r)`` (weak: exp(i phi) ~ 1 + i phi), the
intensity on a detector disc D is ``I0 + IFT[Phi(k) H(k)](R)`` with

    H(k) = C(k) + C*(-k),    C(k) = i int_D psi0*(K) psi0(K - k) dK / int |psi0|^2 dK,

so the contrast of an atom depends on the aberrations (it reverses through focus) and on the detector size. The
focal spread averages ``C`` over defocus and the source size damps it with a Gaussian envelope. ``I0`` is the
fraction of the unscattered beam inside the disc; electrons scattered beyond the probe cone leave it (the
absorptive part, applied by the renderer).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import scipy.fft as sfft
from scipy.ndimage import map_coordinates

from copilot.twin.detector import ATOM_BLUR_NM
from copilot.twin.grid import Grid, deposit
from copilot.twin.probe import FFT_WORKERS, Aberrations, chi_rad, focal_spread_nodes, wavelength_nm
from copilot.twin.results import Atoms
from copilot.twin.scattering import phase_form_factor_nm2

_N = 256
PHASE_SATURATION_ATOMS = 2.0
"""A column's phase stops growing linearly past a few atoms (the weak-phase picture fails beyond)."""


@lru_cache(maxsize=8)
def _transfer_grid(
    ab: Aberrations, energy_kv: float, alpha_rad: float, bf_rad: float, focal_spread_nm: float, source_nm: float
) -> tuple[np.ndarray, float, float]:
    """H on a centred n x n grid of spacing dk (1/nm), dk, and the vacuum fraction I0 inside the disc."""
    lam = wavelength_nm(energy_kv)
    k_alpha, k_beta = alpha_rad / lam, bf_rad / lam
    dk = 2.5 * (k_alpha + k_beta) / _N
    k = (np.arange(_N) - _N // 2) * dk
    kx, ky = np.meshgrid(k, k, indexing="xy")
    kr = np.hypot(kx, ky)
    aperture = np.clip((k_alpha - kr) / dk + 0.5, 0.0, 1.0)
    disc = np.clip((k_beta - kr) / dk + 0.5, 0.0, 1.0)
    chi = chi_rad(ab, lam, kx, ky)
    defocus_phase = np.pi * lam * kr**2
    norm = float((aperture**2).sum())
    c = np.zeros((_N, _N), dtype=np.complex128)
    for dz, w in zip(*focal_spread_nodes(focal_spread_nm), strict=True):
        psi = aperture * np.exp(-1j * (chi + dz * defocus_phase))
        # C(k) = i sum_K (D psi*)(K) psi(K - k): a cross-correlation, done with FFTs on the centred grid.
        u = sfft.fft2(sfft.ifftshift(disc * np.conj(psi)), workers=FFT_WORKERS)
        v = sfft.fft2(sfft.ifftshift(np.conj(psi)), workers=FFT_WORKERS)
        c += w * 1j * sfft.fftshift(sfft.ifft2(u * np.conj(v), workers=FFT_WORKERS))
    c /= norm
    flipped = np.roll(c[::-1, ::-1], 1, axis=(0, 1))  # C(-k) on the centred grid
    h = c + np.conj(flipped)
    h *= np.exp(-2.0 * math.pi**2 * source_nm**2 * kr**2)
    vacuum = float((disc * aperture**2).sum()) / norm
    return h, dk, vacuum


def vacuum_fraction(energy_kv: float, alpha_rad: float, bf_rad: float) -> float:
    """Fraction of the unscattered probe that falls inside the bright-field disc."""
    zero = Aberrations(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return _transfer_grid(zero, energy_kv, alpha_rad, bf_rad, 0.0, 0.0)[2]


@lru_cache(maxsize=4)
def phase_transfer(
    ab: Aberrations,
    energy_kv: float,
    alpha_rad: float,
    bf_rad: float,
    focal_spread_nm: float,
    source_nm: float,
    px_nm: float,
    shape: tuple[int, int],
) -> np.ndarray:
    """H(k) (complex64) on the rFFT frequencies of a canvas of ``shape`` with pixels of ``px_nm``."""
    h, dk, _ = _transfer_grid(ab, energy_kv, alpha_rad, bf_rad, focal_spread_nm, source_nm)
    ky = sfft.fftfreq(shape[0], px_nm)[:, None] / dk + _N // 2
    kx = sfft.rfftfreq(shape[1], px_nm)[None, :] / dk + _N // 2
    coords = np.array(np.broadcast_arrays(ky, kx))
    re = map_coordinates(h.real, coords, order=1, cval=0.0)
    im = map_coordinates(h.imag, coords, order=1, cval=0.0)
    return (re + 1j * im).astype(np.complex64)


@lru_cache(maxsize=16)
def _phase_form(element: str, energy_kv: float, px_nm: float, shape: tuple[int, int]) -> np.ndarray:
    """An atom's projected-phase form factor (nm^2) on the rFFT frequencies of a canvas, thermally damped."""
    ky = sfft.fftfreq(shape[0], px_nm)[:, None]
    kx = sfft.rfftfreq(shape[1], px_nm)[None, :]
    k = np.hypot(kx, ky)
    damping = np.exp(-2.0 * math.pi**2 * ATOM_BLUR_NM**2 * k**2)  # thermal vibration (Debye-Waller)
    return (phase_form_factor_nm2(element, energy_kv, k) * damping).astype(np.float32)


def phase_spectrum(
    atoms: Atoms,
    grid: Grid,
    ab: Aberrations,
    energy_kv: float,
    alpha_rad: float,
    bf_rad: float,
    coherence: tuple[float, float],
) -> np.ndarray:
    """rFFT of the bright-field phase contrast on a canvas: the columns' projected phase times H(k).

    ``coherence`` is (focal spread, source size) in nm. Columns of many atoms saturate at a phase of about
    ``PHASE_SATURATION_ATOMS`` atoms.
    """
    shape, px = grid.shape, grid.px_nm
    cols, rows = grid.to_pixel(atoms.xy_nm)
    n_eff = PHASE_SATURATION_ATOMS * np.tanh(atoms.count / PHASE_SATURATION_ATOMS)
    spec = np.zeros((shape[0], shape[1] // 2 + 1), dtype=np.complex64)
    for el in np.unique(atoms.elements):
        sel = atoms.elements == el
        canvas = deposit(shape, cols[sel], rows[sel], n_eff[sel])
        canvas *= np.float32(1.0 / grid.pixel_area_nm2)
        spec += sfft.rfft2(canvas, workers=FFT_WORKERS) * _phase_form(str(el), energy_kv, px, shape)
    spec *= phase_transfer(ab, energy_kv, alpha_rad, bf_rad, *coherence, px, shape)
    return spec
