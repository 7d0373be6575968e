"""The STEM facade: instrument state with validated setters, imaging, dose bookkeeping, faults and ground truth.

Every setter validates all of its arguments before it changes anything; every acquisition checks that it can
run (beam unblanked, no pending scan fault) before it touches the clock, the dose ledger or any generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from copilot.twin import autofocus, spectroscopy
from copilot.twin.column import Column
from copilot.twin.damage import atoms_lost, defects_after_damage, surviving_atoms
from copilot.twin.dose import (
    DoseLedger,
    Exposure,
    dose_e_per_A2,
    electrons,
)
from copilot.twin.drift import Drift
from copilot.twin.errors import BeamBlankedError, InvalidSettingError, ScanAbortedError
from copilot.twin.imaging import Scan, Scene, frame_geometry, max_dose_in_region, scan_frame
from copilot.twin.probe import Aberrations
from copilot.twin.render import FrameGeometry
from copilot.twin.results import Atoms, AutofocusResult, DoseMap, ImageFrame, Spectrum, SpectrumImage
from copilot.twin.specimens import PointDefect, Specimen, make_specimen
from copilot.twin.state import STAGE_LIMITS, InstrumentState, check_bool, check_int, check_real

DETECTORS = ("HAADF", "BF")
FAULTS = ("scan_abort", "beam_blank", "drift")


class Microscope:
    """A digital-twin STEM with a loaded specimen.

    Parameters
    ----------
    specimen : name from ``STEM_SPECIMENS``.
    seed : seeds the specimen, the drift path and the detector noise.
    noise : False gives noise-free frames (no shot noise, read noise or line jitter).
    drift_nm_per_s : initial drift speed.
    jitter_nm : amplitude of the line jitter along the fast scan (50 Hz stray field plus 30 % random per line).
    focused : start aligned: the defocus at the true focus of the starting position, the stigmator and the coma
        corrector at the settings that cancel the column's intrinsic astigmatism and coma.
    column : the column's fixed properties and hidden intrinsic aberrations (default: drawn from the seed).
    """

    def __init__(
        self,
        specimen: str | Specimen = "graphene",
        seed: int = 0,
        *,
        noise: bool = True,
        drift_nm_per_s: float = 0.3,
        jitter_nm: float = 0.01,
        focused: bool = True,
        column: Column | None = None,
    ) -> None:
        self.specimen = specimen if isinstance(specimen, Specimen) else make_specimen(specimen, seed)
        noise_seq, drift_seq, column_seq = np.random.SeedSequence([int(seed), 0x57E3]).spawn(3)
        self.column = column if column is not None else Column.drawn(np.random.default_rng(column_seq))
        self._rng = np.random.default_rng(noise_seq)
        self._drift = Drift(np.random.default_rng(drift_seq), check_real("drift_nm_per_s", drift_nm_per_s))
        self.noise = check_bool("noise", noise)
        self.jitter_nm = check_real("jitter_nm", jitter_nm)
        self.ledger = DoseLedger()
        self._scan_abort_pending = False
        state = InstrumentState()
        defaults = self.specimen.default_settings
        state = replace(
            state,
            beam=replace(state.beam, **defaults.get("beam", {})),
            optics=replace(state.optics, **defaults.get("optics", {})),
            scan=replace(state.scan, **defaults.get("scan", {})),
        )
        self._state = state
        if focused:
            (a1, a1_deg), (b2, b2_deg) = self.column.compensating_astig(), self.column.compensating_coma()
            aligned = replace(
                state.optics,
                defocus_nm=round(self.true_focus_defocus_nm(), 2),
                astig_nm=round(a1, 2),
                astig_angle_deg=round(a1_deg, 2),
                coma_nm=round(b2, 1),
                coma_angle_deg=round(b2_deg, 1),
            )
            self._state = replace(state, optics=aligned)

    # ----- state ----------------------------------------------------------------------------------------------
    @property
    def state(self) -> InstrumentState:
        """The current (frozen) instrument state."""
        return self._state

    def snapshot(self) -> dict[str, Any]:
        """Every setting as a JSON-friendly dict (units in the keys), plus the specimen name. Settings only: the
        residual aberrations and the drift are for the user to measure (see the ``ground_truth_*`` methods)."""
        snap = self._state.snapshot()
        snap["specimen"] = self.specimen.name
        return snap

    def set_beam(self, energy_kv: Any = None, current_pa: Any = None, blanked: Any = None) -> dict[str, Any]:
        """Set accelerating voltage (60-300 kV), probe current (pA) and blanker; returns the new snapshot."""
        beam = self._state.beam
        changes: dict[str, Any] = {}
        if energy_kv is not None:
            changes["energy_kv"] = check_real("energy_kv", energy_kv)
        if current_pa is not None:
            changes["current_pa"] = check_real("current_pa", current_pa)
        if blanked is not None:
            changes["blanked"] = check_bool("blanked", blanked)
        self._state = replace(self._state, beam=replace(beam, **changes))
        return self.snapshot()

    def set_optics(
        self,
        defocus_nm: Any = None,
        astig_nm: Any = None,
        astig_angle_deg: Any = None,
        coma_nm: Any = None,
        coma_angle_deg: Any = None,
        cs_um: Any = None,
        convergence_mrad: Any = None,
    ) -> dict[str, Any]:
        """Set defocus C1, astigmatism A1 (and angle), coma B2 (and angle), C3 and the convergence semi-angle
        (below the HAADF inner angle)."""
        given = {
            "defocus_nm": defocus_nm,
            "astig_nm": astig_nm,
            "astig_angle_deg": astig_angle_deg,
            "coma_nm": coma_nm,
            "coma_angle_deg": coma_angle_deg,
            "cs_um": cs_um,
            "convergence_mrad": convergence_mrad,
        }
        changes = {k: check_real(k, v) for k, v in given.items() if v is not None}
        optics = replace(self._state.optics, **changes)
        _check_annulus_clears_the_cone(optics.convergence_mrad, self._state.detectors.haadf_inner_mrad)
        self._state = replace(self._state, optics=optics)
        return self.snapshot()

    def set_scan(
        self,
        fov_nm: Any = None,
        pixels: Any = None,
        dwell_us: Any = None,
        rotation_deg: Any = None,
        flyback_us: Any = None,
    ) -> dict[str, Any]:
        """Set field of view (0.5-20000 nm), pixels per side (16-4096), dwell (us), scan rotation and flyback."""
        changes: dict[str, Any] = {}
        for name, value in (
            ("fov_nm", fov_nm),
            ("dwell_us", dwell_us),
            ("rotation_deg", rotation_deg),
            ("flyback_us", flyback_us),
        ):
            if value is not None:
                changes[name] = check_real(name, value)
        if pixels is not None:
            changes["pixels"] = check_int("pixels", pixels)
        self._state = replace(self._state, scan=replace(self._state.scan, **changes))
        return self.snapshot()

    def set_detectors(
        self,
        haadf_inner_mrad: Any = None,
        haadf_outer_mrad: Any = None,
        bf_outer_mrad: Any = None,
        eels_collection_mrad: Any = None,
    ) -> dict[str, Any]:
        """Set the HAADF annulus (inner and outer collection semi-angles), the bright-field disc and the EELS
        collection semi-angle (mrad). The annulus must lie outside the probe cone."""
        given = {
            "haadf_inner_mrad": haadf_inner_mrad,
            "haadf_outer_mrad": haadf_outer_mrad,
            "bf_outer_mrad": bf_outer_mrad,
            "eels_collection_mrad": eels_collection_mrad,
        }
        changes = {k: check_real(k, v) for k, v in given.items() if v is not None}
        detectors = replace(self._state.detectors, **changes)
        if detectors.haadf_inner_mrad >= detectors.haadf_outer_mrad:
            raise InvalidSettingError(
                f"The HAADF inner angle ({detectors.haadf_inner_mrad:g} mrad) must be below the outer angle "
                f"({detectors.haadf_outer_mrad:g} mrad)."
            )
        _check_annulus_clears_the_cone(self._state.optics.convergence_mrad, detectors.haadf_inner_mrad)
        self._state = replace(self._state, detectors=detectors)
        return self.snapshot()

    def move_stage(
        self,
        x_um: Any = None,
        y_um: Any = None,
        z_um: Any = None,
        alpha_deg: Any = None,
        beta_deg: Any = None,
        relative: bool = False,
    ) -> dict[str, Any]:
        """Move the stage (absolute, or by the given amounts with ``relative=True``); StageLimitError past a limit."""
        check_bool("relative", relative)
        stage = self._state.stage
        changes: dict[str, float] = {}
        for name, value in (
            ("x_um", x_um),
            ("y_um", y_um),
            ("z_um", z_um),
            ("alpha_deg", alpha_deg),
            ("beta_deg", beta_deg),
        ):
            if value is None:
                continue
            if relative:
                step = check_real(name, value, {name: replace(STAGE_LIMITS[name], lo=-math.inf, hi=math.inf)})
                value = getattr(stage, name) + step
            changes[name] = check_real(name, value, STAGE_LIMITS)
        self._state = replace(self._state, stage=replace(stage, **changes))
        return self.snapshot()

    def inject_fault(self, kind: str, **params: Any) -> None:
        """Evaluation faults: ``scan_abort`` (next acquisition fails), ``beam_blank``, ``drift`` (drift_nm_per_s=)."""
        if kind not in FAULTS:
            raise InvalidSettingError(f"Unknown fault {kind!r}; choose one of {list(FAULTS)}.")
        if kind == "drift":
            speed = check_real("drift_nm_per_s", params.get("drift_nm_per_s", 10.0))
        extra = set(params) - ({"drift_nm_per_s"} if kind == "drift" else set())
        if extra:
            raise InvalidSettingError(f"Fault {kind!r} takes no parameters {sorted(extra)}.")
        if kind == "scan_abort":
            self._scan_abort_pending = True
        elif kind == "beam_blank":
            self._state = replace(self._state, beam=replace(self._state.beam, blanked=True))
        else:
            self._drift.set_speed(self._state.clock_s, speed)

    def set_drift(self, drift_nm_per_s: Any) -> None:
        """Set the drift speed from now on (nm/s)."""
        self._drift.set_speed(self._state.clock_s, check_real("drift_nm_per_s", drift_nm_per_s))

    def resume(self, state: InstrumentState, delivered: list[Exposure]) -> None:
        """Continue an earlier session of this specimen and seed: its settings and clock, and the exposures it
        delivered (so the damage and the dose map are as it left them). Only on a fresh instrument."""
        if self.ledger.exposures or self._state.clock_s:
            raise InvalidSettingError("Only a fresh instrument can resume an earlier session.")
        for exposure in delivered:
            self.ledger.add(exposure)
        self._state = state

    # ----- coordinates and ground truth -----------------------------------------------------------------------
    def _geometry(self, t_s: float) -> FrameGeometry:
        return frame_geometry(self._state, self._drift, t_s)

    def fov_to_specimen(self, x_nm: Any, y_nm: Any, at_s: float | None = None) -> tuple[Any, Any]:
        """Specimen coordinates (nm) of FOV coordinates, with the drift up to now (or up to instrument time
        ``at_s``, e.g. a frame's ``started_s``)."""
        geo = self._geometry(self._state.clock_s if at_s is None else at_s)
        half = geo.fov_nm / 2
        uv = np.stack([np.asarray(x_nm, dtype=np.float64) - half, np.asarray(y_nm, dtype=np.float64) - half])
        xy = np.tensordot(geo.axes(), uv, axes=1) + np.asarray(geo.center_nm).reshape((2,) + (1,) * (uv.ndim - 1))
        return (float(xy[0]), float(xy[1])) if xy.ndim == 1 else (xy[0], xy[1])

    def specimen_to_fov(self, x_nm: Any, y_nm: Any, at_s: float | None = None) -> tuple[Any, Any]:
        """FOV coordinates (nm) of specimen coordinates; the inverse of :meth:`fov_to_specimen`."""
        geo = self._geometry(self._state.clock_s if at_s is None else at_s)
        d = np.stack([np.asarray(x_nm, dtype=np.float64), np.asarray(y_nm, dtype=np.float64)])
        d = d - np.asarray(geo.center_nm).reshape((2,) + (1,) * (d.ndim - 1))
        uv = np.tensordot(np.linalg.inv(geo.axes()), d, axes=1) + geo.fov_nm / 2
        return (float(uv[0]), float(uv[1])) if uv.ndim == 1 else (uv[0], uv[1])

    def true_focus_defocus_nm(self) -> float:
        """The defocus setting that is sharpest at the current position: specimen height plus stage z."""
        cx, cy = self._geometry(self._state.clock_s).center_nm
        height = float(self.specimen.height_nm(cx, cy)) + self._state.stage.z_um * 1000.0
        return height + self.column.defocus_offset_nm

    def ground_truth_atoms(self, x0_nm: float, y0_nm: float, x1_nm: float, y1_nm: float) -> Atoms:
        """Columns inside a specimen box, with the beam damage so far applied (knocked-out columns removed)."""
        return surviving_atoms(self.specimen, self.ledger, (x0_nm, y0_nm, x1_nm, y1_nm))

    def ground_truth_defects(self, x0_nm: float, y0_nm: float, x1_nm: float, y1_nm: float) -> list[PointDefect]:
        """Point defects inside a specimen box now: the grown-in ones and the vacancies the beam has made."""
        return defects_after_damage(self.specimen, self.ledger, (x0_nm, y0_nm, x1_nm, y1_nm))

    def atoms_lost(self) -> int:
        """Atoms the beam has displaced so far, over the whole specimen (ground truth)."""
        return atoms_lost(self.specimen, self.ledger)

    def critical_dose_e_per_A2(self) -> float:
        """Critical dose (e-/A^2) at the beam energy now set: the dose that displaces 1 % of the specimen's most
        beam-sensitive atoms (knock-on, and excitation-assisted knock-on where the material has it); infinite
        when the beam cannot displace any atom."""
        return self.specimen.critical_dose_at(self._state.beam.energy_kv)

    def dose_map(self, cells: int = 400, extent_nm: tuple[float, float, float, float] | None = None) -> DoseMap:
        """Accumulated dose (e-/A^2) averaged over cells of a grid over the specimen (x0, x1, y0, y1)."""
        h = self.specimen.half_extent_nm
        return self.ledger.dose_map(extent_nm or (-h, h, -h, h), cells)

    # ----- imaging --------------------------------------------------------------------------------------------
    def aberrations(self) -> Aberrations:
        """Residual aberrations the probe feels at the current position (intrinsic plus settings), angles in the
        scan frame (ground truth)."""
        o = self._state.optics
        return self.column.residual(
            round(5 * (o.defocus_nm - self.true_focus_defocus_nm())) / 5,  # 0.2 nm steps (<< depth of field)
            (o.astig_nm, o.astig_angle_deg),
            (o.coma_nm, o.coma_angle_deg),
            o.cs_um * 1000.0,
            self._state.scan.rotation_deg,
        )

    def ground_truth_aberrations(self) -> dict[str, float]:
        """Residual defocus, twofold astigmatism and coma the probe feels now (nm, degrees in the specimen
        frame), for scorers and tests; no tool reports them."""
        o = self._state.optics
        ab = self.column.residual(
            o.defocus_nm - self.true_focus_defocus_nm(),
            (o.astig_nm, o.astig_angle_deg),
            (o.coma_nm, o.coma_angle_deg),
            o.cs_um * 1000.0,
            0.0,
        )
        return {
            "defocus_nm": ab.c1_nm,
            "astig_nm": ab.a1_nm,
            "astig_angle_deg": ab.a1_deg,
            "coma_nm": ab.b2_nm,
            "coma_angle_deg": ab.b2_deg,
        }

    def ground_truth_drift_nm_per_s(self) -> float:
        """The specimen's drift speed now (nm/s), for scorers and tests; no tool reports it."""
        return self._drift.speed_nm_per_s

    def planned_dose_e_per_A2(self) -> float:
        """Dose the next image would deliver with the current settings (also when the beam is blanked)."""
        scan = self._state.scan
        n = electrons(self._state.beam.current_pa, scan.dwell_us * 1e-6)
        return dose_e_per_A2(n, scan.pixel_size_nm**2)

    def _ready(self) -> None:
        """Raise if nothing can be acquired now; a pending scan fault fires once and clears."""
        if self._state.beam.blanked:
            raise BeamBlankedError("The beam is blanked; nothing was acquired.")
        if self._scan_abort_pending:
            self._scan_abort_pending = False
            raise ScanAbortedError("The scan was aborted by an instrument interlock; nothing was acquired.")

    def acquire_image(
        self,
        detector: str = "HAADF",
        progress: Callable[[float], None] | None = None,
        noise: bool | None = None,
    ) -> ImageFrame:
        """Scan one frame with the current settings; advances the clock and the dose ledger."""
        if detector not in DETECTORS:
            raise InvalidSettingError(f"Unknown detector {detector!r}; choose one of {list(DETECTORS)}.")
        self._ready()
        return self._scan(detector, progress, self.noise if noise is None else check_bool("noise", noise))

    def _scan(
        self, detector: str, progress: Callable[[float], None] | None, noisy: bool, pixels: int | None = None
    ) -> ImageFrame:
        kv = self._state.beam.energy_kv
        coherence = (self.column.focal_spread_nm(kv), self.column.source_size_nm)
        rng = self._rng if noisy else None
        how = Scan(self.aberrations(), coherence, rng, self.jitter_nm, self.snapshot(), pixels=pixels)
        scene = Scene(self.specimen, self.ledger, self._drift)
        frame, entries = scan_frame(self._state, scene, how, detector, progress)
        self._advance(entries)
        return frame

    def max_dose_in_region(self, x_nm: Any, y_nm: Any, width_nm: Any, height_nm: Any) -> float:
        """Highest dose (e-/A^2) delivered so far anywhere in a FOV rectangle (top-left x, y; exact)."""
        region = (x_nm, y_nm, width_nm, height_nm)
        fov = self._state.scan.fov_nm
        return max_dose_in_region(self.ledger, fov, self.fov_to_specimen, self.specimen_to_fov, region)

    def planned_spot_dose_e_per_A2(self, dwell_ms: Any) -> float:
        """Dose a spectrum with the probe parked for ``dwell_ms`` delivers at its spot (exact)."""
        return spectroscopy.planned_spot_dose(self._state, self.aberrations(), dwell_ms)

    # ----- spectroscopy and alignment -------------------------------------------------------------------------
    def acquire_spectrum(self, kind: str, x_nm: Any, y_nm: Any, dwell_ms: Any = 100.0) -> Spectrum:
        """EELS or EDS spectrum with the probe parked at FOV (x_nm, y_nm) for ``dwell_ms``."""
        request = spectroscopy.plan_point(self._state.scan.fov_nm, kind, x_nm, y_nm, dwell_ms)
        self._ready()
        spectrum, entries = spectroscopy.point(self._state, self._scene(), self._spectrometer(), request)
        self._advance(entries)
        return spectrum

    def acquire_line_spectrum(
        self, kind: str, x0_nm: Any, y0_nm: Any, x1_nm: Any, y1_nm: Any, points: Any = 32, dwell_ms: Any = 20.0
    ) -> SpectrumImage:
        """Spectra at ``points`` evenly spaced positions from (x0, y0) to (x1, y1) in FOV nm."""
        fov = self._state.scan.fov_nm
        request = spectroscopy.plan_line(fov, kind, x0_nm, y0_nm, x1_nm, y1_nm, points, dwell_ms)
        self._ready()
        spectra, entries = spectroscopy.line(self._state, self._scene(), self._spectrometer(), request)
        self._advance(entries)
        return spectra

    def acquire_spectrum_image(
        self, kind: str, x_nm: Any, y_nm: Any, width_nm: Any, height_nm: Any, pixels: Any = 16, dwell_ms: Any = 10.0
    ) -> SpectrumImage:
        """Spectrum image over a FOV rectangle with top-left (x_nm, y_nm); ``pixels`` along the width."""
        fov = self._state.scan.fov_nm
        request = spectroscopy.plan_area(fov, kind, x_nm, y_nm, width_nm, height_nm, pixels, dwell_ms)
        self._ready()
        spectra, entries = spectroscopy.area(self._state, self._scene(), self._spectrometer(), request)
        self._advance(entries)
        return spectra

    def _scene(self) -> Scene:
        return Scene(self.specimen, self.ledger, self._drift)

    def _spectrometer(self) -> spectroscopy.Spectrometer:
        return spectroscopy.Spectrometer(self.aberrations(), self._rng if self.noise else None, self.snapshot())

    def autofocus(self, range_nm: Any = 100.0, steps: Any = 11, pixels: Any = 128) -> AutofocusResult:
        """Through-focus series of small fast frames around the current defocus; sets the best defocus."""
        start = self._state.optics.defocus_nm
        defoci, px = autofocus.plan_series(start, range_nm, steps, pixels)
        self._ready()

        def acquire(defocus_nm: float) -> ImageFrame:
            self._set_defocus(defocus_nm)
            return self._scan("HAADF", None, self.noise, pixels=px)

        result = autofocus.run_series(start, defoci, acquire)
        self._set_defocus(result.defocus_nm)
        return result

    def planned_autofocus_dose_e_per_A2(self, steps: Any = 11, pixels: Any = 128) -> float:
        """Dose an autofocus series with these arguments delivers to the field of view (exact)."""
        return autofocus.planned_dose(self._state, steps, pixels)

    def _set_defocus(self, defocus_nm: float) -> None:
        self._state = replace(self._state, optics=replace(self._state.optics, defocus_nm=defocus_nm))

    def _advance(self, entries: list[Exposure]) -> None:
        """Record an acquisition's ledger entries and advance the clock by their time."""
        for e in entries:
            self.ledger.add(e)
        self._state = replace(self._state, clock_s=self._state.clock_s + sum(e.time_s for e in entries))


def _check_annulus_clears_the_cone(convergence_mrad: float, haadf_inner_mrad: float) -> None:
    """The HAADF annulus starts outside the probe cone (the twin has no direct beam on the annulus)."""
    if haadf_inner_mrad <= convergence_mrad:
        raise InvalidSettingError(
            f"The HAADF inner angle ({haadf_inner_mrad:g} mrad) must exceed the convergence semi-angle "
            f"({convergence_mrad:g} mrad): the direct beam would fall on the annulus."
        )
