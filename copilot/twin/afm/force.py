"""Force-distance curves: quasi-static cantilever over a sample with van der Waals attraction and DMT contact.

Piezo position ``z`` (nm) is measured from the point where the undeflected tip would just touch the surface
(positive: above). The cantilever (spring constant ``k``) deflects by ``F / k``; the tip sits at ``z + F / k``.

- Out of contact the tip feels ``F = -H R / (6 d^2)``; the approach follows it until its gradient exceeds ``k``
  (``d_snap = (H R / 3k)^(1/3)``), where the tip snaps into contact.
- In contact (indentation ``delta``) the DMT force is ``F = 4/3 E* sqrt(R) delta^1.5 - 2 pi R W``; the retract
  follows it down to ``delta = 0`` where the pull-off (adhesion) force ``2 pi R W`` is reached, then the tip
  jumps out. Hysteresis between the two branches is the adhesion loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HAMAKER_J = 1.0e-19
SPRING_N_PER_M = 2.8
THERMAL_FORCE_NOISE_NN = 0.1  # thermal deflection noise sqrt(kT/k) * k at room temperature for 2.8 N/m


@dataclass(frozen=True)
class ForceCurve:
    """Approach and retract force (nN) against piezo position ``z_nm``, with the features read off them."""

    z_nm: np.ndarray
    force_approach_nN: np.ndarray
    force_retract_nN: np.ndarray
    adhesion_nN: float
    snap_in_nm: float
    x_nm: float = 0.0
    y_nm: float = 0.0
    spring_constant_N_per_m: float = SPRING_N_PER_M


def tapping_indentation_nm(modulus_gpa: np.ndarray, setpoint_ratio: float) -> np.ndarray:
    """How far the tapping tip presses into the surface on average: Hertzian, ``(F / E*)^(2/3)``, with the
    mean tapping force growing as the setpoint ratio falls. 0.25 nm into 1 GPa at a ratio of 0.7, so soft
    domains look lower than they are and can even invert their contrast under hard tapping."""
    force_scale = max(1.0 - setpoint_ratio, 0.0) / 0.3
    return 0.25 * (force_scale / np.asarray(modulus_gpa)) ** (2.0 / 3.0)


def _contact_force_nN(z_nm: np.ndarray, radius_nm: float, modulus_gpa: float, adhesion_nn: float) -> np.ndarray:
    """Force on the contact branch: solve ``k (-z - delta) = F_DMT(delta)`` for ``delta`` by vector bisection."""
    k = SPRING_N_PER_M  # N/m = nN/nm
    stiffness = 4.0 / 3.0 * modulus_gpa * math.sqrt(radius_nm)  # GPa * nm^0.5 -> nN / nm^1.5

    def residual(delta: np.ndarray) -> np.ndarray:
        return k * (-z_nm - delta) - (stiffness * delta**1.5 - adhesion_nn)

    low = np.zeros_like(z_nm)
    high = np.maximum(-z_nm + adhesion_nn / k, 0.0) + 1.0
    for _ in range(50):  # residual falls monotonically in delta
        mid = 0.5 * (low + high)
        positive = residual(mid) > 0.0
        low = np.where(positive, mid, low)
        high = np.where(positive, high, mid)
    delta = 0.5 * (low + high)
    return stiffness * delta**1.5 - adhesion_nn


def force_curve(
    radius_nm: float,
    modulus_gpa: float,
    adhesion_work_j_per_m2: float,
    rng: np.random.Generator,
    start_nm: float = 30.0,
    indent_to_nm: float = -10.0,
    points: int = 400,
) -> ForceCurve:
    """Approach from ``start_nm`` down to ``indent_to_nm`` and retract back, for a tip of apex ``radius_nm``."""
    k = SPRING_N_PER_M
    z = np.linspace(start_nm, indent_to_nm, points)
    radius_m = radius_nm * 1e-9
    adhesion_nn = 2.0 * math.pi * radius_m * adhesion_work_j_per_m2 * 1e9
    snap_nm = (HAMAKER_J * radius_m / (3.0 * k)) ** (1.0 / 3.0) * 1e9
    d = np.maximum(z, snap_nm)
    van_der_waals = -HAMAKER_J * radius_m / (6.0 * (d * 1e-9) ** 2) * 1e9
    contact = _contact_force_nN(z, radius_nm, modulus_gpa, adhesion_nn)
    approach = np.where(z > snap_nm, van_der_waals, contact)
    pull_off_z = adhesion_nn / k  # contact branch ends where delta = 0: z = F_ad / k
    retract = np.where(z <= pull_off_z, contact, van_der_waals)
    approach = approach + rng.normal(0.0, THERMAL_FORCE_NOISE_NN, points)
    retract = retract + rng.normal(0.0, THERMAL_FORCE_NOISE_NN, points)
    return ForceCurve(
        z_nm=z,
        force_approach_nN=approach,
        force_retract_nN=retract,
        adhesion_nN=float(-retract.min()),
        snap_in_nm=float(snap_nm),
    )
