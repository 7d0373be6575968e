"""EELS: material-specific low loss, core-loss edges with kV- and angle-dependent cross-sections, plural scattering.

Single scattering per electron and eV, ``P1(E)``, is the sum of

- the valence response of each material under the probe: Drude-Lorentz energy-loss functions at the plasmon
  energies from the literature (below), weighted by the Bethe angular factor ``ln(1 + (beta/theta_E)^2)`` and
  normalised to ``t / lambda`` with the Malis mean free path ``lambda = 106 F E0 / (Em ln(2 beta E0 / Em))``
  (nm, E0 keV, beta mrad, ``Em = 7.6 Z_eff^0.36`` eV; Malis, Cheng and Egerton, JEMT 8, 193, 1988), so a thin
  film shows its plasmon weakly and the intensity follows the voltage and the collection angle;
- the core-loss edges of :mod:`copilot.twin.edges`: the atoms' footprint-weighted areal density times the edge's
  differential cross-section, in the dipole (Bethe) form ``dsigma/dE ~ (1/T) df/dE ln(1 + (beta/theta_E)^2)``
  (``T = m v^2 / 2``, ``theta_E = E / (2 gamma T)``, the angle capped at the Bethe-ridge cut-off
  ``sqrt(2 theta_E)``), scaled from its value at 100 kV and 10 mrad (C-K: 5e-6 A^2/eV at the onset, as the
  hydrogenic cross-section gives). This is the hydrogenic-shape approximation; eXSpy's tabulated GOS (GOSH)
  needs a downloaded HDF5 file, which the twin may not read.

Plural scattering is exact for Poisson statistics: the recorded spectrum is the zero-loss peak convolved with
``exp(-tau) * sum_n P1^{*n} / n!`` (weights ``(t/lambda)^n / n!``), computed as ``IFFT(exp(FFT(P1) - tau))``.

Plasmon energies (eV; the strongest peak first):
graphene monolayer: pi+sigma 14.6, pi 4.7 (Eberlein et al., PRB 77, 233406, 2008);
MoS2 monolayer: 14.0 and 8.3 (Nerl et al., npj 2D Mater. Appl. 1, 2, 2017);
SrTiO3: volume plasmon 30.0, interband 13.5 (van Benthem, Elsaesser and French, J. Appl. Phys. 90, 6156, 2001);
gold: 25.0 (strongly damped), 6.0 interband (Egerton 2011, ch. 3 and appendix);
amorphous carbon (support, contamination): 25.0, pi 6.5 (Egerton 2011, appendix D).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft
from scipy.special import erf

from copilot.twin.edges import EELS_EDGES, Edge
from copilot.twin.electron import gamma, kinetic_T_eV

EELS_ENERGY_EV = np.arange(-20.0, 3000.0, 1.0)
ZERO_LOSS_FWHM_EV = 0.8
EELS_EFFICIENCY = 0.5
"""Fraction of the electrons through the spectrometer that the detector records."""
ONSET_NM2_PER_EV = 5.0e-8
"""C-K differential cross-section per atom just above the onset at 100 kV and 10 mrad (5e-6 A^2/eV)."""
REFERENCE_KV, REFERENCE_MRAD = 100.0, 10.0
AU_ATOMS_PER_NM3 = 4.0 / 0.4078**3
VALENCE_CONTINUUM = 6.0
"""Weight of the interband continuum of the valence loss against the peaks (weights summing to 1)."""


@dataclass(frozen=True)
class LowLoss:
    """Valence response of a material: Drude-Lorentz peaks (energy eV, width eV, weight) and its effective Z.

    The Drude energies sit a few tenths of an eV from the literature maxima listed above so that the recorded
    maxima (shifted by the angular factor and the overlap of neighbouring peaks) fall on them."""

    peaks: tuple[tuple[float, float, float], ...]
    z_eff: float

    @property
    def plasmon_eV(self) -> float:
        """Drude energy of the strongest peak."""
        return max(self.peaks, key=lambda p: p[2])[0]


GRAPHENE = LowLoss(((15.0, 5.0, 0.75), (4.5, 1.2, 0.25)), 6.0)
MOS2 = LowLoss(((14.6, 5.0, 0.6), (8.4, 2.5, 0.4)), 26.5)
SRTIO3 = LowLoss(((30.8, 10.0, 0.75), (13.5, 5.0, 0.25)), 19.3)
GOLD = LowLoss(((26.0, 10.0, 0.8), (6.0, 4.0, 0.2)), 79.0)
AMORPHOUS_CARBON = LowLoss(((26.0, 10.0, 0.85), (6.6, 3.0, 0.15)), 6.0)

SUBSTRATE: dict[str, LowLoss] = {
    "graphene": GRAPHENE,
    "grain_boundary": GRAPHENE,
    "mos2": MOS2,
    "srtio3": SRTIO3,
    "gold_nanoparticles": AMORPHOUS_CARBON,
}
"""Specimen name -> the material of its base layer."""


def mean_free_path_nm(z_eff: float, energy_kv: float, collection_mrad: float) -> float:
    """Total inelastic mean free path (Malis et al. 1988) for a collection semi-angle ``collection_mrad``."""
    em = 7.6 * z_eff**0.36
    f = (1.0 + energy_kv / 1022.0) / (1.0 + energy_kv / 511.0) ** 2
    return 106.0 * f * energy_kv / (em * math.log(2.0 * collection_mrad * energy_kv / em))


def angular_factor(energy_eV: np.ndarray, energy_kv: float, collection_mrad: float) -> np.ndarray:
    """Bethe factor ``ln(1 + (beta/theta_E)^2)`` of a loss, with beta capped at the Bethe-ridge angle."""
    theta_e = np.maximum(energy_eV, 0.1) / (2.0 * gamma(energy_kv) * kinetic_T_eV(energy_kv))
    beta = np.minimum(collection_mrad * 1e-3, np.sqrt(2.0 * theta_e))
    return np.log1p((beta / theta_e) ** 2)


def _drude(e: np.ndarray, energy: float, width: float) -> np.ndarray:
    return e * width * energy**2 / ((e * e - energy**2) ** 2 + (e * width) ** 2)


def valence_shape(material: LowLoss, energy_kv: float, collection_mrad: float, e: np.ndarray) -> np.ndarray:
    """Single-scattering valence distribution per eV, unit area, on the loss axis ``e`` (eV, >= 0): the peaks
    plus the interband continuum ``E Ep^3 / (E^2 + Ep^2)^2``, which carries the energy-loss function on as E^-3
    beyond the plasmon (a few % of the peak at 50 eV, as in carbon)."""
    ep = material.plasmon_eV
    elf = sum(w * _drude(e, energy, width) for energy, width, w in material.peaks)
    elf = elf + VALENCE_CONTINUUM * e * ep**3 / (e * e + ep * ep) ** 2
    shape = np.asarray(elf) * angular_factor(e, energy_kv, collection_mrad)
    return shape / shape.sum()


def _gauss(x: np.ndarray, mu: float, fwhm: float) -> np.ndarray:
    """Unit-area Gaussian per 1 eV channel."""
    sigma = fwhm / 2.355
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def edge_profile(e: np.ndarray, edge: Edge) -> np.ndarray:
    """Edge shape, 1 just above a sharp onset: a step smoothed by a Gaussian of FWHM ~ ``onset_width_eV``, the
    power-law tail, the delayed rise of M4,5 edges, and the white lines."""
    step = 0.5 * (1.0 + erf((e - edge.onset_eV) / (math.sqrt(2.0) * edge.onset_width_eV / 2.0)))
    shape = step * (np.maximum(e, 1.0) / edge.onset_eV) ** -edge.exponent
    if edge.delay_eV > 0:
        x = np.clip(e - edge.onset_eV, 0.0, None) / edge.delay_eV
        shape *= x * x / (1.0 + x * x)
    for wl in edge.white_lines:
        shape = shape + wl.area_eV * _gauss(e, wl.energy_eV, wl.fwhm_eV)
    return shape


def edge_cross_section_nm2_per_eV(edge: Edge, e: np.ndarray, energy_kv: float, collection_mrad: float) -> np.ndarray:
    """Differential cross-section (nm^2/eV per atom) of an edge at a beam energy and collection angle."""
    ref = angular_factor(np.array([edge.onset_eV]), REFERENCE_KV, REFERENCE_MRAD)[0] / kinetic_T_eV(REFERENCE_KV)
    scale = angular_factor(e, energy_kv, collection_mrad) / kinetic_T_eV(energy_kv) / ref
    return ONSET_NM2_PER_EV * edge.strength * edge_profile(e, edge) * scale


def edge_list() -> list[tuple[str, Edge]]:
    """Every (element, edge) the twin draws, sorted by element."""
    return [(el, edge) for el in sorted(EELS_EDGES) for edge in EELS_EDGES[el]]


def eels_per_electron(
    specimen_name: str,
    thickness_nm: np.ndarray,
    grown_nm: np.ndarray,
    densities: np.ndarray,
    energy_kv: float,
    collection_mrad: float,
) -> np.ndarray:
    """Expected counts per electron per channel of ``EELS_ENERGY_EV`` at N points (N, n_E).

    ``densities`` (N, F) are the footprint-weighted areal densities (atoms/nm^2) of the elements of
    :func:`edge_list`, in that order; ``grown_nm`` is the beam-grown contamination within ``thickness_nm``.
    """
    n_neg = int(np.sum(EELS_ENERGY_EV < 0))
    n_pos = len(EELS_ENERGY_EV) - n_neg
    loss = np.arange(n_pos, dtype=np.float64)  # loss axis from 0 eV in 1 eV channels
    edges = edge_list()
    au = [i for i, (el, _) in enumerate(edges) if el == "Au"][:1]
    t_au = densities[:, au[0]] / AU_ATOMS_PER_NM3 if au else np.zeros(len(thickness_nm))
    t_au = np.minimum(t_au, thickness_nm)
    t_sub = np.clip(thickness_nm - grown_nm - t_au, 0.0, None)
    p1 = np.zeros((len(thickness_nm), n_pos))
    for material, t in ((SUBSTRATE[specimen_name], t_sub), (GOLD, t_au), (AMORPHOUS_CARBON, grown_nm)):
        tau = t / mean_free_path_nm(material.z_eff, energy_kv, collection_mrad)
        p1 += tau[:, None] * valence_shape(material, energy_kv, collection_mrad, loss)[None, :]
    templates = np.array([edge_cross_section_nm2_per_eV(ed, loss, energy_kv, collection_mrad) for _, ed in edges])
    p1 += densities @ templates
    n_fft = sfft.next_fast_len(2 * (n_pos + n_neg), real=True)
    offset = np.minimum(np.arange(n_fft), n_fft - np.arange(n_fft))  # channels from 0 eV, both ways round
    zero_loss = np.exp(-0.5 * (offset / (ZERO_LOSS_FWHM_EV / 2.355)) ** 2)
    zero_loss = sfft.rfft(zero_loss / zero_loss.sum())
    spec = sfft.rfft(p1, n=n_fft, axis=1)
    spec -= p1.sum(axis=1, keepdims=True)
    out = sfft.irfft(zero_loss * np.exp(spec), n=n_fft, axis=1)
    return EELS_EFFICIENCY * np.clip(np.concatenate([out[:, -n_neg:], out[:, :n_pos]], axis=1), 0.0, None)
