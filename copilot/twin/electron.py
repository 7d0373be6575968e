"""Kinematics of the beam electrons at an accelerating voltage: one place for the rest energy and its relatives."""

from __future__ import annotations

ELECTRON_REST_EV = 510998.95


def gamma(energy_kv: float) -> float:
    """Lorentz factor of the beam electrons."""
    return 1.0 + energy_kv * 1e3 / ELECTRON_REST_EV


def beta2(energy_kv: float) -> float:
    """(v/c)^2 of the beam electrons."""
    return 1.0 - 1.0 / gamma(energy_kv) ** 2


def kinetic_T_eV(energy_kv: float) -> float:
    """``T = m0 v^2 / 2`` (eV), the energy the non-relativistic Bethe formulae take: 76.7 keV at 100 kV.

    >>> round(kinetic_T_eV(100.0))
    76789
    """
    return 0.5 * ELECTRON_REST_EV * beta2(energy_kv)


def pv_eV(energy_kv: float) -> float:
    """Momentum times velocity (eV), ``gamma m v^2``: 344 keV at 200 kV."""
    t = energy_kv * 1e3
    return t * (t + 2 * ELECTRON_REST_EV) / (t + ELECTRON_REST_EV)
