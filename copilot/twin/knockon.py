"""Displacement cross-sections of atoms under the electron beam, per element and per beam energy.

Knock-on: the McKinley-Feshbach cross-section for transferring more than the displacement threshold ``Td`` to a
nucleus, averaged over the thermal velocity of the struck atom along the beam (Meyer et al., PRL 108, 196102,
2012; Susi et al., Nat. Commun. 7, 13040, 2016). A moving atom can receive more than the static maximum
``E_max = 2 E (E + 2 m c^2) / (M c^2)``: ``E_max(v) = E_max + 2 v sqrt(E (E + 2 m c^2)) / c``; its velocity is
Gaussian with the mean square of a Debye solid at room temperature (zero-point motion included). So pristine
graphene (Td 21.14 eV) is practically stable at 60-80 kV and loses atoms from about 90 kV.

Excitation-assisted knock-on (the ionisation term of a semiconductor such as MoS2): the same electron may first
excite the valence electrons around the atom, which lowers its threshold (6.9 -> 5 eV for S in MoS2, Kretschmer
et al., Nano Lett. 20, 2865, 2020; Speckmann et al., arXiv:2302.10529, 2023). The probability of that
excitation follows the Bethe energy dependence of valence ionisation, ``ln(beta^2 gamma^2 2 m c^2 / E_exc) /
beta^2``, so this term dominates at low voltage and knock-on takes over above about 80 kV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from copilot.twin.electron import ELECTRON_REST_EV, beta2
from copilot.twin.elements import ATOMIC_NUMBER

ATOMIC_MASS_UNIT_EV = 931.494e6
BOHR_RADIUS_A = 0.529177
RYDBERG_EV = 13.6057
FINE_STRUCTURE = 1.0 / 137.036
BOLTZMANN_EV_PER_K = 8.617333e-5
ROOM_TEMPERATURE_K = 293.0
VALENCE_EXCITATION_EV = 10.0
"""Mean energy of a valence excitation (Bethe logarithm of the excitation term)."""
REFERENCE_KV = 80.0
BARN_A2 = 1e-8
"""One barn (1e-24 cm^2) in A^2."""
CRITICAL_FRACTION = 0.01
"""The critical dose displaces this fraction of the most beam-sensitive atoms: -ln(1 - f) / sigma_d."""

ATOMIC_MASS_U: dict[str, float] = {
    "C": 12.011,
    "N": 14.007,
    "O": 15.999,
    "Si": 28.085,
    "S": 32.06,
    "Ti": 47.867,
    "Sr": 87.62,
    "Mo": 95.95,
    "W": 183.84,
    "Re": 186.21,
    "Au": 196.97,
}


@dataclass(frozen=True)
class Binding:
    """How an element is held in one material: its displacement threshold (eV), the Debye temperature of its
    vibration along the beam (K), and optionally the lowered threshold after a valence excitation by the same
    electron with the probability of that excitation at 80 kV."""

    threshold_eV: float
    debye_K: float
    excited_threshold_eV: float = math.inf
    excitation_probability_80kv: float = 0.0


@dataclass(frozen=True)
class DamageModel:
    """Bindings of the elements of a specimen; an element without a binding is never displaced."""

    bindings: dict[str, Binding] = field(default_factory=dict)

    def cross_section_A2(self, element: str, energy_kv: float) -> float:
        """Displacement cross-section (A^2) of one atom of ``element`` at a beam energy of ``energy_kv``."""
        b = self.bindings.get(element)
        if b is None:
            return 0.0
        return displacement_cross_section_A2(element, energy_kv, b)

    def critical_dose_e_per_A2(self, energy_kv: float, elements: tuple[str, ...] | None = None) -> float:
        """Dose (e-/A^2) that displaces ``CRITICAL_FRACTION`` of the atoms of the most sensitive element (of
        ``elements``, default all) at this beam energy, ``-ln(1 - f) / sigma_d(kV)``; infinite when no atom can be
        displaced."""
        among = self.bindings if elements is None else elements
        sigma = max((self.cross_section_A2(el, energy_kv) for el in among), default=0.0)
        return -math.log1p(-CRITICAL_FRACTION) / sigma if sigma > 0.0 else math.inf


def max_transfer_eV(element: str, energy_kv: float) -> float:
    """Largest energy (eV) a beam electron hands to an atom at rest: 2 E (E + 2 m c^2) / (M c^2)."""
    e = energy_kv * 1e3
    return 2.0 * e * (e + 2.0 * ELECTRON_REST_EV) / (ATOMIC_MASS_U[element] * ATOMIC_MASS_UNIT_EV)


def mean_square_velocity_c2(element: str, debye_K: float, temperature_K: float = ROOM_TEMPERATURE_K) -> float:
    """<v^2>/c^2 along one axis of an atom in a Debye solid: the mean of (hbar w / 2) coth(hbar w / 2kT) over the
    Debye spectrum, divided by M c^2."""
    x = np.linspace(1e-6, 1.0, 2001)
    per_mode = 1.5 * x**3 / np.tanh(x * debye_K / (2.0 * temperature_K))
    energy = BOLTZMANN_EV_PER_K * debye_K * float(np.sum((per_mode[1:] + per_mode[:-1]) * np.diff(x)) / 2.0)
    return energy / (ATOMIC_MASS_U[element] * ATOMIC_MASS_UNIT_EV)


def mckinley_feshbach_A2(z: int, ratio: np.ndarray, energy_kv: float) -> np.ndarray:
    """McKinley-Feshbach cross-section (A^2) for a transfer above threshold, given E_max / Td (0 below 1)."""
    b2 = beta2(energy_kv)
    b = math.sqrt(b2)
    s0 = 4.0 * math.pi * BOHR_RADIUS_A**2 * z * z * (RYDBERG_EV / ELECTRON_REST_EV) ** 2 * (1.0 - b2) / (b2 * b2)
    x = np.maximum(ratio, 1.0)
    log = np.log(x)
    return s0 * ((x - 1.0) - b2 * log + math.pi * FINE_STRUCTURE * z * b * (2.0 * (np.sqrt(x) - 1.0) - log))


def knock_on_A2(element: str, energy_kv: float, threshold_eV: float, debye_K: float) -> float:
    """Knock-on cross-section (A^2) averaged over the Gaussian thermal velocity of the atom along the beam."""
    e = energy_kv * 1e3
    pc = math.sqrt(e * (e + 2.0 * ELECTRON_REST_EV))
    sigma_v = math.sqrt(mean_square_velocity_c2(element, debye_K))
    v = np.linspace(-9.0, 9.0, 721)
    weights = np.exp(-0.5 * v * v)
    weights /= weights.sum()
    e_max = max_transfer_eV(element, energy_kv) + 2.0 * pc * sigma_v * v
    return float(np.sum(weights * mckinley_feshbach_A2(ATOMIC_NUMBER[element], e_max / threshold_eV, energy_kv)))


def excitation_probability(p_80kv: float, energy_kv: float) -> float:
    """Probability that the same electron excites the atom's surroundings: Bethe scaling from its 80 kV value."""

    def bethe(kv: float) -> float:
        b2 = beta2(kv)
        return math.log(b2 / (1.0 - b2) * 2.0 * ELECTRON_REST_EV / VALENCE_EXCITATION_EV) / b2

    return p_80kv * bethe(energy_kv) / bethe(REFERENCE_KV)


@lru_cache(maxsize=1024)
def displacement_cross_section_A2(element: str, energy_kv: float, binding: Binding) -> float:
    """Total displacement cross-section (A^2): knock-on from the ground state, plus the excitation-assisted
    knock-on with the lowered threshold when the material has one."""
    ground = knock_on_A2(element, energy_kv, binding.threshold_eV, binding.debye_K)
    if binding.excitation_probability_80kv <= 0.0 or not math.isfinite(binding.excited_threshold_eV):
        return ground
    p = excitation_probability(binding.excitation_probability_80kv, energy_kv)
    excited = knock_on_A2(element, energy_kv, binding.excited_threshold_eV, binding.debye_K)
    return (1.0 - p) * ground + p * excited


GRAPHENE_CARBON = Binding(21.14, 1287.0)
"""C in graphene: Td 21.14 eV and the out-of-plane Debye temperature 1287 K (Susi et al. 2016)."""
