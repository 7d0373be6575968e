"""The cases of the accuracy benchmark and what each measured: a frame of the grid (specimen, field of view,
dwell, defocus) and the outcome of one tool on it against the truth and its target."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from copilot.twin import Microscope


@dataclass(frozen=True)
class Case:
    """One frame of the grid: a specimen imaged at a field of view, dwell (dose) and defocus error."""

    specimen: str
    fov_nm: float = 8.0
    pixels: int = 512
    dwell_us: float | None = None  # None: the specimen's default
    current_pa: float | None = None  # None: the specimen's default
    defocus_error_nm: float = 0.0
    seed: int = 0
    drift_nm_per_s: float = 0.3

    def scope(self) -> Microscope:
        m = Microscope(self.specimen, seed=self.seed, drift_nm_per_s=self.drift_nm_per_s)
        m.set_scan(
            fov_nm=self.fov_nm, pixels=self.pixels, **({} if self.dwell_us is None else {"dwell_us": self.dwell_us})
        )
        if self.current_pa is not None:
            m.set_beam(current_pa=self.current_pa)
        if self.defocus_error_nm:
            m.set_optics(defocus_nm=m.true_focus_defocus_nm() + self.defocus_error_nm)
        return m

    @property
    def label(self) -> str:
        dwell = "default" if self.dwell_us is None else f"{self.dwell_us:g} us"
        if self.current_pa is not None:
            dwell += f" x {self.current_pa:g} pA"
        focus = f", df {self.defocus_error_nm:+g} nm" if self.defocus_error_nm else ""
        return f"{self.specimen} {self.fov_nm:g} nm/{self.pixels} px, {dwell}{focus}"


@dataclass
class Outcome:
    """What one tool measured on one case, against the truth and the case's target."""

    tool: str
    case: str
    dose_e_per_A2: float
    truth: float
    measured: float
    error: float  # relative (count, size, lattice), or as named in ``unit``
    unit: str = "%"
    precision: float | None = None
    recall: float | None = None
    reliable: bool | None = None
    target: str = ""
    ok: bool | None = None
    extra: dict[str, float] = field(default_factory=dict)


def rel(measured: float, truth: float) -> float:
    """Relative error in %."""
    return 100.0 * (measured - truth) / truth if truth else math.nan
