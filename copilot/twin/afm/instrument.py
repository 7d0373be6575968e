"""The AFM facade: validated settings, the instrument clock, the tip's life and the acquisitions.

Every setter validates before it changes anything, so a rejected call leaves the state as it was. A crash is not
a rejected call but an instrument event: the tip is damaged, the probe withdrawn by the safety interlock, the
crash recorded in ``crash_log``; the unsafe settings that caused it are not kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from copilot.twin.afm import feedback as loop
from copilot.twin.afm.force import ForceCurve, force_curve
from copilot.twin.afm.grid import point_grid, scan_grid
from copilot.twin.afm.imaging import CHANNEL_UNITS, PIEZO_CHANNELS, AFMFrame, TipEvent, render_frame
from copilot.twin.afm.state import (
    FREE_AMPLITUDE_NM,
    UNSAFE_SETPOINT_RATIO,
    AFMState,
    FeedbackSettings,
    ScanSettings,
    TipState,
    replace_checked,
)
from copilot.twin.afm.surfaces import has_piezoresponse, make_surface
from copilot.twin.afm.tip import worn_radius_nm
from copilot.twin.errors import (
    InvalidSettingError,
    ProbeEngagedError,
    ProbeNotEngagedError,
    SpecimenError,
    TipCrashError,
)

APPROACH_TIME_S = 20.0
WITHDRAW_TIME_S = 2.0
TIP_EXCHANGE_TIME_S = 300.0
FORCE_CURVE_TIME_S = 2.0
#: Mean scanned distance between spontaneous tip changes (a picked-up particle or a broken apex).
TIP_EVENT_MEAN_UM = 20000.0
CREEP_FRACTION = 0.12  # fraction of an offset move still to come right after it
CREEP_TAU_S = 40.0
FAULTS = ("tip_change", "drift")


class AFM:
    """A tapping-mode atomic force microscope over one procedural surface.

    >>> afm = AFM("afm_grating", seed=1)
    >>> _ = afm.approach()
    >>> frame = afm.acquire_afm_image(("height",))
    >>> sorted(frame.channels)
    ['height_retrace', 'height_trace']
    """

    def __init__(self, surface: str, seed: int | np.random.Generator | None = 0) -> None:
        surface_rng, self._rng = np.random.default_rng(seed).spawn(2)
        self.surface = make_surface(surface, surface_rng)
        speed = self._rng.uniform(1.0, 4.0) / 60.0  # 1-4 nm/min
        heading = self._rng.uniform(0.0, 2.0 * math.pi)
        self._drift_nm_per_s = np.array([speed * math.cos(heading), speed * math.sin(heading)])
        self._creep_moves: list[tuple[float, float, float]] = []  # (clock_s, dx_nm, dy_nm)
        self._pending_faults: set[str] = set()
        self.crash_log: list[dict[str, Any]] = []
        self._state = AFMState(FeedbackSettings(), ScanSettings(), self._fresh_tip())

    # ----- state -------------------------------------------------------------------------------------------
    @property
    def state(self) -> AFMState:
        return self._state

    @property
    def clock_s(self) -> float:
        """The instrument clock (s): advanced by approaches, scans, force curves and tip changes."""
        return self._state.clock_s

    def snapshot(self) -> dict[str, Any]:
        """Every setting and the tip, JSON-friendly, units in the keys."""
        s = self._state
        return {
            "instrument": "afm",
            "specimen": self.surface.name,
            "engaged": s.engaged,
            "clock_s": round(s.clock_s, 3),
            "feedback": {**s.feedback.as_dict(), "safe": self._is_safe(s.feedback)},
            "scan": s.scan.as_dict(),
            "tip": s.tip.as_dict(),
            "drift_nm_per_min": round(float(np.hypot(*self._drift_nm_per_s)) * 60.0, 3),
            "crashes": len(self.crash_log),
        }

    def ground_truth_offset_nm(self, clock_s: float | None = None) -> tuple[float, float]:
        """Ground truth: how far (x, y nm) the specimen has moved under the scanner by drift and creep at
        ``clock_s`` (now when None). A feature at specimen ``p`` is imaged at scan position ``p - offset``."""
        when = self._state.clock_s if clock_s is None else clock_s
        dx, dy = self._displacement_nm(np.array([when]))[0]
        return float(dx), float(dy)

    def tip_state(self) -> dict[str, Any]:
        """The tip as the operator sees it, with the crash history."""
        return {**self._state.tip.as_dict(), "crash_log": list(self.crash_log)}

    # ----- probe ---------------------------------------------------------------------------------------------
    def approach(self) -> dict[str, Any]:
        """Bring the tip onto the surface under feedback. Crashes (and raises) if the feedback is unsafe."""
        if self._state.engaged:
            raise ProbeEngagedError("the tip is already engaged on the surface.", hint="Withdraw first to re-approach.")
        reason = self._unsafe_reason(self._state.feedback)
        if reason:
            self._crash(f"approach with unsafe feedback: {reason}")
        self._state = replace(self._state, engaged=True, clock_s=self._state.clock_s + APPROACH_TIME_S)
        return {"engaged": True, "clock_s": self._state.clock_s, "tip_damaged": self._state.tip.damaged}

    def withdraw(self) -> dict[str, Any]:
        """Lift the tip off the surface (harmless when already withdrawn)."""
        if self._state.engaged:
            self._state = replace(self._state, engaged=False, clock_s=self._state.clock_s + WITHDRAW_TIME_S)
        return {"engaged": False, "clock_s": self._state.clock_s}

    def change_tip(self) -> dict[str, Any]:
        """Mount a fresh tip (only while withdrawn); clears damage, wear and double tips."""
        if self._state.engaged:
            raise ProbeEngagedError("the tip cannot be changed while it is engaged on the surface.")
        self._pending_faults.discard("tip_change")
        tip = self._fresh_tip()
        self._state = replace(self._state, tip=tip, clock_s=self._state.clock_s + TIP_EXCHANGE_TIME_S)
        return {"tip": tip.as_dict(), "clock_s": self._state.clock_s}

    # ----- settings ------------------------------------------------------------------------------------------
    def set_feedback(
        self, setpoint: float | None = None, p_gain: float | None = None, i_gain: float | None = None
    ) -> dict[str, Any]:
        """Set the amplitude setpoint (nm), P gain and I gain (1/ms). Unsafe values crash an engaged tip."""
        new = replace_checked(self._state.feedback, setpoint_nm=setpoint, p_gain=p_gain, i_gain=i_gain)
        reason = self._unsafe_reason(new)
        if reason and self._state.engaged:
            self._crash(f"feedback set while engaged: {reason}")
        self._state = replace(self._state, feedback=new)
        result: dict[str, Any] = {**new.as_dict(), "safe": not reason}
        if reason:
            result["warning"] = f"approaching with these settings would crash the tip: {reason}"
        return result

    def set_afm_scan(
        self,
        size_nm: float | None = None,
        pixels: int | None = None,
        rate_hz: float | None = None,
        angle_deg: float | None = None,
        x_um: float | None = None,
        y_um: float | None = None,
    ) -> dict[str, Any]:
        """Set the raster; a move of the scan centre creeps on for a while after it (piezo creep)."""
        old = self._state.scan
        new = replace_checked(
            old, size_nm=size_nm, pixels=pixels, rate_hz=rate_hz, angle_deg=angle_deg, x_um=x_um, y_um=y_um
        )
        dx_nm, dy_nm = 1000.0 * (new.x_um - old.x_um), 1000.0 * (new.y_um - old.y_um)
        if dx_nm or dy_nm:
            self._creep_moves = [*self._creep_moves[-7:], (self._state.clock_s, dx_nm, dy_nm)]
        self._state = replace(self._state, scan=new)
        return new.as_dict()

    def inject_fault(self, kind: str) -> None:
        """Make something go wrong: ``tip_change`` (a double tip forms during the next scan) or ``drift`` (the
        thermal drift becomes ten times faster)."""
        if kind not in FAULTS:
            raise InvalidSettingError(f"unknown fault {kind!r}; choose one of {list(FAULTS)}.")
        if kind == "drift":
            self._drift_nm_per_s = self._drift_nm_per_s * 10.0
        else:
            self._pending_faults.add(kind)

    # ----- acquisition ---------------------------------------------------------------------------------------
    def acquire_afm_image(
        self, channels: Iterable[str] = ("height",), progress: Callable[[float], None] | None = None
    ) -> AFMFrame:
        """Scan one frame (trace and retrace of every requested channel) and advance the clock by its duration."""
        names = self._checked_channels(channels)
        if not self._state.engaged:
            raise ProbeNotEngagedError("imaging needs the tip on the surface.")
        piezo = [n for n in names if n in PIEZO_CHANNELS]
        if piezo and not has_piezoresponse(self.surface):
            raise SpecimenError(
                f"{self.surface.name} gives no piezoresponse, so {piezo} cannot be acquired.",
                hint="Use height, error, amplitude or phase, or load afm_ferroelectric.",
            )
        s = self._state
        scan = s.scan
        line_times = s.clock_s + (np.arange(scan.pixels) + 0.5) / scan.rate_hz
        grid = scan_grid(scan, self._displacement_nm(line_times))
        maps = self.surface.render(grid)
        distance_um = 2.0 * scan.pixels * scan.size_nm * 1e-3
        event = self._draw_tip_event(distance_um, scan.pixels)
        data = render_frame(maps, grid, scan, s.feedback, s.tip, names, self._rng, event, progress)
        settings = self.snapshot()
        self._state = replace(s, tip=self._tip_after_scan(distance_um, event), clock_s=s.clock_s + scan.frame_time_s)
        events = () if event is None else (f"tip change at line {event.line}: a second apex now images (double tip)",)
        truth = {"height_nm": maps.height_nm.astype(np.float32)}
        if maps.domain_mask is not None:
            truth["domain_mask"] = maps.domain_mask
        if maps.terrace_level is not None:
            truth["terrace_level"] = maps.terrace_level
        return AFMFrame(
            channels=data,
            size_nm=scan.size_nm,
            pixels=scan.pixels,
            pixel_size_nm=scan.pixel_size_nm,
            frame_time_s=scan.frame_time_s,
            settings=settings,
            units={name: CHANNEL_UNITS[name.rsplit("_", 1)[0]] for name in data},
            events=events,
            ground_truth=truth,
        )

    def acquire_force_curve(self, x_nm: float, y_nm: float) -> ForceCurve:
        """Force-distance curve at a point of the field of view (nm from its top-left corner)."""
        if not self._state.engaged:
            raise ProbeNotEngagedError("a force curve needs the tip on the surface.")
        scan = self._state.scan
        for name, value in (("x_nm", x_nm), ("y_nm", y_nm)):
            if not (isinstance(value, int | float) and math.isfinite(value) and 0.0 <= value <= scan.size_nm):
                raise InvalidSettingError(f"{name}={value!r} is outside the field of view 0..{scan.size_nm:g} nm.")
        grid = scan_grid(scan, self._displacement_nm(np.full(scan.pixels, self._state.clock_s)))
        fx, fy = x_nm - 0.5 * scan.pixel_size_nm, y_nm - 0.5 * scan.pixel_size_nm  # FOV -> pixel-centre frame
        sx = grid.origin_nm[0] + fx * grid.col_dir[0] + fy * grid.row_dir[0] + grid.line_shift_nm[0, 0]
        sy = grid.origin_nm[1] + fx * grid.col_dir[1] + fy * grid.row_dir[1] + grid.line_shift_nm[0, 1]
        maps = self.surface.render(point_grid(sx, sy))
        curve = force_curve(
            self._state.tip.radius_nm,
            float(maps.modulus_GPa[0, 0]),
            float(maps.adhesion_work_J_per_m2[0, 0]),
            self._rng,
        )
        self._state = replace(self._state, clock_s=self._state.clock_s + FORCE_CURVE_TIME_S)
        return replace(curve, x_nm=float(x_nm), y_nm=float(y_nm))

    # ----- internals -----------------------------------------------------------------------------------------
    def _fresh_tip(self) -> TipState:
        return TipState(radius_nm=float(self._rng.uniform(6.0, 10.0)), half_angle_deg=18.0)

    @staticmethod
    def _unsafe_reason(fb: FeedbackSettings) -> str:
        if fb.setpoint_nm < UNSAFE_SETPOINT_RATIO * FREE_AMPLITUDE_NM:
            return (
                f"setpoint {fb.setpoint_nm:g} nm is below {UNSAFE_SETPOINT_RATIO:.0%} of the free amplitude "
                f"({FREE_AMPLITUDE_NM:g} nm): the tip is pressed into the surface"
            )
        if not loop.is_safe(fb.p_gain, fb.i_gain):
            return f"gains P={fb.p_gain:g}, I={fb.i_gain:g}/ms make the feedback loop oscillate"
        return ""

    def _is_safe(self, fb: FeedbackSettings) -> bool:
        return not self._unsafe_reason(fb)

    def _crash(self, reason: str) -> None:
        """Record a crash, damage the tip, withdraw, and raise ``TipCrashError``."""
        tip = self._state.tip
        damaged = replace(
            tip,
            radius_nm=2.0 * tip.radius_nm + 30.0,
            double_tip=True,
            ghost_dx_nm=float(self._rng.uniform(20.0, 60.0)),
            ghost_dy_nm=float(self._rng.uniform(-30.0, 30.0)),
            ghost_dz_nm=float(self._rng.uniform(0.0, 2.0)),
            damaged=True,
            crashes=tip.crashes + 1,
        )
        fb = self._state.feedback
        self.crash_log.append({"clock_s": self._state.clock_s, "reason": reason, **fb.as_dict()})
        self._state = replace(self._state, tip=damaged, engaged=False)
        raise TipCrashError(f"tip crash: {reason}. The tip is damaged and was withdrawn.")

    def _displacement_nm(self, times_s: np.ndarray) -> np.ndarray:
        """Sample displacement (x, y nm) at each time: thermal drift plus the creep still due from past moves."""
        shift = times_s[:, None] * self._drift_nm_per_s[None, :]
        for t0, dx, dy in self._creep_moves:
            left = -CREEP_FRACTION * np.exp(-np.maximum(times_s - t0, 0.0) / CREEP_TAU_S)
            shift = shift + left[:, None] * np.array([dx, dy])[None, :]
        return shift

    def _draw_tip_event(self, distance_um: float, lines: int) -> TipEvent | None:
        if self._state.tip.double_tip:
            return None
        forced = "tip_change" in self._pending_faults
        if not forced and self._rng.random() >= -math.expm1(-distance_um / TIP_EVENT_MEAN_UM):
            return None
        self._pending_faults.discard("tip_change")
        angle = self._rng.uniform(0.0, 2.0 * math.pi)
        separation = self._rng.uniform(15.0, 50.0)
        return TipEvent(
            line=int(self._rng.integers(lines // 4, 3 * lines // 4 + 1)),
            dx_nm=separation * math.cos(angle),
            dy_nm=separation * math.sin(angle),
            dz_nm=float(self._rng.uniform(0.0, 1.0)),
        )

    def _tip_after_scan(self, distance_um: float, event: TipEvent | None) -> TipState:
        tip = self._state.tip
        ratio = self._state.feedback.setpoint_nm / FREE_AMPLITUDE_NM
        tip = replace(
            tip,
            radius_nm=worn_radius_nm(tip.radius_nm, distance_um, ratio),
            scanned_distance_um=tip.scanned_distance_um + distance_um,
        )
        if event is not None:
            tip = replace(
                tip, double_tip=True, ghost_dx_nm=event.dx_nm, ghost_dy_nm=event.dy_nm, ghost_dz_nm=event.dz_nm
            )
        return tip

    @staticmethod
    def _checked_channels(channels: Iterable[str]) -> tuple[str, ...]:
        names = tuple(dict.fromkeys([channels] if isinstance(channels, str) else channels))
        if not names:
            raise InvalidSettingError("no channel requested; choose from " + ", ".join(CHANNEL_UNITS) + ".")
        unknown = [n for n in names if n not in CHANNEL_UNITS]
        if unknown:
            raise InvalidSettingError(f"unknown channel(s) {unknown}; choose from {list(CHANNEL_UNITS)}.")
        return names
