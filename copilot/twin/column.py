"""The electron-optical column: fixed properties (chromatic aberration, energy spread, source size) and the
hidden intrinsic aberrations the operator's settings compensate.

On a real column the stigmator, the coma corrector and the defocus knob act on top of unknown intrinsic values:
the probe feels ``intrinsic + setting`` (as vectors for the twofold astigmatism and the coma). The status shows
the settings only; the intrinsic values are ground truth, reachable in process for scorers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from copilot.twin.probe import Aberrations

FWHM_PER_SIGMA = 2.3548


@dataclass(frozen=True)
class Column:
    """Fixed column properties and hidden intrinsic aberrations (angles in the specimen frame)."""

    cc_mm: float = 1.6
    """Chromatic aberration coefficient."""
    energy_spread_eV: float = 0.33
    """Full width at half maximum of the source's energy spread (a cold field emitter)."""
    source_size_nm: float = 0.02
    """Root-mean-square size of the demagnified source image at the specimen."""
    defocus_offset_nm: float = 0.0
    astig_nm: float = 0.0
    astig_angle_deg: float = 0.0
    coma_nm: float = 0.0
    coma_angle_deg: float = 0.0

    @classmethod
    def drawn(cls, rng: np.random.Generator) -> Column:
        """A column with seeded intrinsic aberrations: defocus offset up to 10 nm, twofold astigmatism 3-15 nm,
        axial coma 20-150 nm, in random directions."""
        return cls(
            defocus_offset_nm=float(rng.uniform(-10.0, 10.0)),
            astig_nm=float(rng.uniform(3.0, 15.0)),
            astig_angle_deg=float(rng.uniform(-90.0, 90.0)),
            coma_nm=float(rng.uniform(20.0, 150.0)),
            coma_angle_deg=float(rng.uniform(-180.0, 180.0)),
        )

    @classmethod
    def coherent(cls) -> Column:
        """An ideal column: no intrinsic aberrations, no energy spread, a point source."""
        return cls(cc_mm=0.0, energy_spread_eV=0.0, source_size_nm=0.0)

    def focal_spread_nm(self, energy_kv: float) -> float:
        """Root-mean-square chromatic defocus spread: Cc * dE / E with dE the FWHM, over 2.355 (6.6 nm FWHM,
        2.8 nm rms at 80 kV)."""
        return self.cc_mm * 1e6 * self.energy_spread_eV / (energy_kv * 1e3) / FWHM_PER_SIGMA

    def compensating_astig(self) -> tuple[float, float]:
        """Stigmator setting (nm, deg) that cancels the intrinsic twofold astigmatism."""
        return self.astig_nm, _wrap(self.astig_angle_deg + 90.0, 180.0)

    def compensating_coma(self) -> tuple[float, float]:
        """Coma-corrector setting (nm, deg) that cancels the intrinsic axial coma."""
        return self.coma_nm, _wrap(self.coma_angle_deg + 180.0, 360.0)

    def residual(
        self,
        defocus_nm: float,
        astig: tuple[float, float],
        coma: tuple[float, float],
        cs_nm: float,
        rotation_deg: float,
    ) -> Aberrations:
        """Aberrations the probe feels for these settings (``defocus_nm`` already relative to the specimen),
        angles turned into the scan frame."""
        a1, a1_deg = _add(astig, (self.astig_nm, self.astig_angle_deg), 2)
        b2, b2_deg = _add(coma, (self.coma_nm, self.coma_angle_deg), 1)
        return Aberrations(defocus_nm, a1, a1_deg - rotation_deg, b2, b2_deg - rotation_deg, cs_nm)


def _add(a: tuple[float, float], b: tuple[float, float], fold: int) -> tuple[float, float]:
    """Sum of two ``fold``-fold aberrations given as (magnitude, angle in degrees)."""
    za = a[0] * np.exp(1j * fold * math.radians(a[1]))
    zb = b[0] * np.exp(1j * fold * math.radians(b[1]))
    z = za + zb
    mag = float(abs(z))
    return (round(mag, 6), math.degrees(float(np.angle(z))) / fold if mag > 1e-9 else 0.0)


def _wrap(angle_deg: float, period: float) -> float:
    """Angle folded into (-period / 2, period / 2]."""
    return float((angle_deg + period / 2) % period - period / 2)
