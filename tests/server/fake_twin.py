"""A small stand-in for the STEM twin, used only while ``copilot.twin.Microscope`` is not available.

It follows the twin facade (validated setters built on ``copilot.twin.state``, frames and spectra from
``copilot.twin.results``) with a trivial Poisson image, so the server can be tested end to end.
"""

from __future__ import annotations

import dataclasses
import sys
import types
from typing import Any

import numpy as np

from copilot.twin.errors import BeamBlankedError
from copilot.twin.results import AutofocusResult, DoseMap, ImageFrame, Spectrum, SpectrumImage
from copilot.twin.state import STAGE_LIMITS, InstrumentState, check_bool, check_int, check_real

E_C = 1.602176634e-19
SPECIMENS = {"graphene": "monolayer graphene (fake)", "SrTiO3": "SrTiO3 [001] (fake)"}


def real_twin_available() -> bool:
    """True once the real STEM twin facade can be imported."""
    try:
        from copilot.twin import STEM_SPECIMENS, Microscope  # type: ignore[attr-defined]  # noqa: F401
    except ImportError:
        return False
    return True


class FakeMicroscope:
    """Validated settings, a dose map and Poisson frames; no physics."""

    def __init__(self, name: str, seed: int = 0) -> None:
        self.state = InstrumentState()
        self.rng = np.random.default_rng(seed)
        self.dose = np.zeros((200, 200))
        self.specimen = types.SimpleNamespace(name=name, critical_dose_e_per_A2=1e4 if name == "SrTiO3" else None)

    def snapshot(self) -> dict[str, Any]:
        return self.state.snapshot()

    def _replace(self, part: str, **values: Any) -> dict[str, Any]:
        self.state = dataclasses.replace(self.state, **{part: dataclasses.replace(getattr(self.state, part), **values)})
        return self.snapshot()[part]

    def set_beam(self, **kw: Any) -> dict[str, Any]:
        checked = {k: check_bool(k, v) if k == "blanked" else check_real(k, v) for k, v in kw.items()}
        return self._replace("beam", **checked)

    def set_optics(self, **kw: Any) -> dict[str, Any]:
        return self._replace("optics", **{k: check_real(k, v) for k, v in kw.items()})

    def set_scan(self, **kw: Any) -> dict[str, Any]:
        return self._replace(
            "scan", **{k: check_int(k, v) if k == "pixels" else check_real(k, v) for k, v in kw.items()}
        )

    def move_stage(self, relative: bool = False, **kw: Any) -> dict[str, Any]:
        current = self.snapshot()["stage"]
        target = {k: check_real(k, current[k] + v if relative else v, STAGE_LIMITS) for k, v in kw.items()}
        return self._replace("stage", **target)

    def planned_dose_e_per_A2(self) -> float:
        scan = self.state.scan
        return self.state.beam.current_pa * 1e-12 * scan.dwell_us * 1e-6 / E_C / (scan.pixel_size_nm * 10) ** 2

    def acquire_image(self, detector: str = "HAADF", progress: Any = None) -> ImageFrame:
        if self.state.beam.blanked:
            raise BeamBlankedError("The beam is blanked.")
        scan = self.state.scan
        data = self.rng.poisson(100.0, (scan.pixels, scan.pixels)).astype(np.float32)
        if progress is not None:
            progress(1.0)
        dose = self.planned_dose_e_per_A2()
        self.dose[90:110, 90:110] += dose
        self.state = dataclasses.replace(self.state, clock_s=self.state.clock_s + scan.frame_time_s)
        return ImageFrame(
            data,
            detector,
            scan.fov_nm,
            scan.pixels,
            scan.pixel_size_nm,
            (0.0, 0.0),
            scan.rotation_deg,
            dose,
            scan.frame_time_s,
            0.0,
            self.snapshot(),
        )

    def acquire_spectrum(self, kind: str, x_nm: float, y_nm: float, dwell_ms: float) -> Spectrum:
        energy = np.linspace(0.0, 2000.0, 2048)
        counts = self.rng.poisson(50.0, energy.size).astype(np.float64)
        return Spectrum(kind, energy, counts, x_nm, y_nm, 10.0, dwell_ms / 1e3, self.snapshot())

    def acquire_spectrum_image(
        self, kind: str, x_nm: float, y_nm: float, width_nm: float, height_nm: float, pixels: int, dwell_ms: float
    ) -> SpectrumImage:
        energy = np.linspace(0.0, 2000.0, 256)
        counts = self.rng.poisson(5.0, (pixels, pixels, energy.size)).astype(np.float64)
        region = {"x_nm": x_nm, "y_nm": y_nm, "width_nm": width_nm, "height_nm": height_nm}
        return SpectrumImage(kind, energy, counts, region, 5.0, pixels * pixels * dwell_ms / 1e3, self.snapshot())

    def autofocus(self, range_nm: float = 50.0, steps: int = 11) -> AutofocusResult:
        return AutofocusResult(True, 0.0, {-range_nm / 2: 1.0, 0.0: 2.0, range_nm / 2: 1.0}, 10.0, 0.1, "focused")

    def dose_map(self) -> DoseMap:
        return DoseMap(self.dose.copy(), (-1000.0, 1000.0, -1000.0, 1000.0))


def install() -> None:
    """Expose the fake as ``copilot.twin.Microscope`` / ``STEM_SPECIMENS`` and an empty ``copilot.twin.afm``."""
    import copilot.twin as twin

    twin.Microscope = FakeMicroscope  # type: ignore[attr-defined]
    twin.STEM_SPECIMENS = SPECIMENS  # type: ignore[attr-defined]
    try:
        import copilot.twin.afm as afm

        if not hasattr(afm, "AFM_SURFACES"):
            afm.AFM_SURFACES = {}  # type: ignore[attr-defined]
    except ImportError:
        afm_module = types.ModuleType("copilot.twin.afm")
        afm_module.AFM_SURFACES = {}  # type: ignore[attr-defined]
        sys.modules["copilot.twin.afm"] = afm_module
