"""Element data the twin needs: atomic numbers and EDS lines with their physical strengths (EELS edges are in
:mod:`copilot.twin.edges`).

Line energies are the values listed in the project's physics notes (PHYSICS.md), extended with Re, W, Sr and Au.
EDS lines carry what an ionisation cross-section (Bethe) needs: the edge energy, the product n_s b_s of the
shell, and the fluorescence yield times the fraction of the shell's emission in that line.
"""

from __future__ import annotations

from dataclasses import dataclass

ATOMIC_NUMBER: dict[str, int] = {
    "C": 6,
    "N": 7,
    "O": 8,
    "Si": 14,
    "S": 16,
    "Ti": 22,
    "Sr": 38,
    "Mo": 42,
    "W": 74,
    "Re": 75,
    "Au": 79,
}

HAADF_Z_EXPONENT = 1.7
"""Exponent n of the HAADF column intensity ~ sum of Z^n (published 1.6-2)."""

BF_Z_EXPONENT = 1.0
"""Bright-field attenuation grows roughly linearly with Z (low-angle elastic scattering)."""


@dataclass(frozen=True)
class XrayLine:
    """A characteristic X-ray line: label, energy, the ionisation edge that feeds it (keV), n_s b_s of that shell
    (Bethe cross-section parameters) and the photons emitted in this line per ionisation (fluorescence yield
    times line fraction)."""

    label: str
    energy_keV: float
    edge_keV: float
    shell_nb: float
    photons_per_ionisation: float


K_NB = 2 * 0.35
"""n_s b_s of a K shell (two electrons, b_s = 0.35)."""
L3_NB = 4 * 0.25
L2_NB = 2 * 0.25
M5_NB = 6 * 0.25

EDS_LINES: dict[str, tuple[XrayLine, ...]] = {
    "C": (XrayLine("C Ka", 0.277, 0.284, K_NB, 0.0026),),
    "N": (XrayLine("N Ka", 0.392, 0.402, K_NB, 0.0045),),
    "O": (XrayLine("O Ka", 0.525, 0.532, K_NB, 0.0071),),
    "Si": (XrayLine("Si Ka", 1.740, 1.839, K_NB, 0.046),),
    "S": (XrayLine("S Ka", 2.307, 2.472, K_NB, 0.074), XrayLine("S Kb", 2.464, 2.472, K_NB, 0.004)),
    "Ti": (XrayLine("Ti Ka", 4.511, 4.966, K_NB, 0.19), XrayLine("Ti Kb", 4.932, 4.966, K_NB, 0.026)),
    "Sr": (XrayLine("Sr La", 1.806, 1.940, L3_NB, 0.022), XrayLine("Sr Ka", 14.165, 16.105, K_NB, 0.59)),
    "Mo": (
        XrayLine("Mo La", 2.293, 2.520, L3_NB, 0.054),
        XrayLine("Mo Lb1", 2.395, 2.625, L2_NB, 0.061),
        XrayLine("Mo Ka", 17.479, 20.000, K_NB, 0.63),
    ),
    "W": (XrayLine("W Ma", 1.775, 1.809, M5_NB, 0.015), XrayLine("W La", 8.398, 10.207, L3_NB, 0.20)),
    "Re": (XrayLine("Re Ma", 1.842, 1.883, M5_NB, 0.016), XrayLine("Re La", 8.652, 10.535, L3_NB, 0.21)),
    "Au": (XrayLine("Au Ma", 2.123, 2.206, M5_NB, 0.025), XrayLine("Au La", 9.713, 11.919, L3_NB, 0.26)),
}


def z_weight(element: str, exponent: float = HAADF_Z_EXPONENT) -> float:
    """Scattering weight Z**exponent of one atom of ``element``."""
    return float(ATOMIC_NUMBER[element]) ** exponent
