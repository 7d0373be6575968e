"""Instrument tools: status, specimens and settings (acquisitions are in :mod:`copilot.tools.acquire`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastmcp import FastMCP
from pydantic import Field

from copilot.session import Session
from copilot.twin.state import LIMITS, STAGE_LIMITS

from .acquire import register_acquisition_tools
from .approval import DoseGate
from .common import READ_ONLY, SETTING, Result, add_tool, quick

PIXELS = LIMITS["pixels"]


def Setting(name: str, description: str) -> Any:
    """A finite number parameter bounded by the twin's own limit for ``name`` (one source of truth)."""
    lim = LIMITS.get(name) or STAGE_LIMITS[name]
    return Field(
        description=f"{description} ({lim.lo:g} to {lim.hi:g} {lim.unit})", ge=lim.lo, le=lim.hi, allow_inf_nan=False
    )


class DoseLedger(Result):
    budget_e_per_A2: float = Field(description="the session's limit on the peak areal dose anywhere")
    used_e_per_A2: float = Field(
        description="peak areal dose anywhere on the specimen (exact; not a sum over different areas)"
    )
    remaining_e_per_A2: float = Field(description="budget left above that peak")
    peak_x_nm: float = Field(description="where the peak is, specimen x")
    peak_y_nm: float = Field(description="where the peak is, specimen y")
    total_electrons: float = Field(description="every electron delivered to the specimen so far")
    critical_dose_e_per_A2: float | None = Field(description="None when the specimen is not beam-sensitive")


class StatusResult(Result):
    instrument: str = Field(description="STEM or AFM")
    specimen: str
    seed: int
    instrument_time_s: float
    settings: dict[str, Any] = Field(description="every instrument setting, units in the keys")
    dose: DoseLedger
    acquisitions: int
    latest_acquisition_id: str | None
    restored: dict[str, Any] | None = Field(
        description="set when this session continued an earlier one in the same data folder (specimen, settings, "
        "position, clock and dose restored)"
    )


class SpecimenInfo(Result):
    name: str
    instrument: str
    description: str


class SpecimenList(Result):
    specimens: list[SpecimenInfo]


class SettingsResult(Result):
    settings: dict[str, Any] = Field(description="the instrument's reply: the settings now in effect")


def register_instrument_tools(mcp: FastMCP, session: Session, gate: DoseGate) -> None:
    """Register status, specimen and setting tools, then the acquisition tools, over ``session``."""

    async def get_status() -> StatusResult:
        """Current instrument state: loaded specimen, beam, optics, scan, stage, dose used vs budget, latest
        acquisition. Call it first, and whenever you are unsure of the state. It shows the settings only: the
        stigmator and corrector values, not the astigmatism, coma or drift the specimen really sees; judge
        those from images (focus_quality, estimate_drift)."""
        return StatusResult.model_validate(await quick(session.status, session.lock))

    def list_specimens() -> SpecimenList:
        """Specimens that can be loaded, with the instrument (STEM or AFM) each one needs."""
        return SpecimenList(specimens=[SpecimenInfo(**s) for s in session.list_specimens()])

    def load_specimen(
        name: Annotated[
            str,
            Field(
                description="specimen name from list_specimens, or a structure file (CIF, XYZ, ...) in the data "
                "folder, e.g. structures/si.cif",
                min_length=1,
                max_length=255,
            ),
        ],
        seed: Annotated[
            int, Field(description="random seed of the specimen (same seed, same specimen)", ge=0, le=2**31 - 1)
        ] = 0,
        thickness_nm: Annotated[
            float | None,
            Field(description="slab thickness of the crystal of a structure file (default 10 nm)", gt=0, le=200),
        ] = None,
    ) -> StatusResult:
        """Load another specimen (switches between STEM and AFM as needed). The instrument returns to its
        defaults; previous acquisitions stay on disk. Use only when the user asks for another specimen, or
        names a structure file of their own (imaged as a crystal slab viewed down its c axis)."""
        return StatusResult.model_validate(session.load_specimen(name, seed, thickness_nm))

    def set_beam(
        energy_kv: Annotated[float | None, Setting("energy_kv", "beam energy")] = None,
        current_pa: Annotated[float | None, Setting("current_pa", "probe current")] = None,
        blanked: Annotated[bool | None, Field(description="true blanks the beam (no dose)")] = None,
    ) -> SettingsResult:
        """Set beam energy, probe current or blanking. Lower current or blank the beam to protect sensitive
        specimens; arguments you leave out keep their value."""
        return SettingsResult(settings=session.set_beam(energy_kv=energy_kv, current_pa=current_pa, blanked=blanked))

    def set_optics(
        defocus_nm: Annotated[float | None, Setting("defocus_nm", "defocus C1, negative is underfocus")] = None,
        astig_nm: Annotated[float | None, Setting("astig_nm", "twofold astigmatism A1 magnitude")] = None,
        astig_angle_deg: Annotated[float | None, Setting("astig_angle_deg", "A1 direction")] = None,
        coma_nm: Annotated[float | None, Setting("coma_nm", "axial coma B2 magnitude")] = None,
        coma_angle_deg: Annotated[float | None, Setting("coma_angle_deg", "B2 direction")] = None,
        cs_um: Annotated[float | None, Setting("cs_um", "spherical aberration C3")] = None,
        convergence_mrad: Annotated[float | None, Setting("convergence_mrad", "probe convergence semi-angle")] = None,
    ) -> SettingsResult:
        """Set probe optics: defocus, astigmatism, coma, Cs, convergence angle. Use after judging focus_quality
        or for a through-focus series; autofocus sets defocus for you. Arguments you leave out keep their value."""
        kwargs = {
            "defocus_nm": defocus_nm,
            "astig_nm": astig_nm,
            "astig_angle_deg": astig_angle_deg,
            "coma_nm": coma_nm,
            "coma_angle_deg": coma_angle_deg,
            "cs_um": cs_um,
            "convergence_mrad": convergence_mrad,
        }
        return SettingsResult(settings=session.set_optics(**kwargs))

    def set_scan(
        fov_nm: Annotated[float | None, Setting("fov_nm", "field of view, square")] = None,
        pixels: Annotated[
            int | None,
            Field(description=f"pixels per side ({PIXELS.lo:g} to {PIXELS.hi:g})", ge=PIXELS.lo, le=PIXELS.hi),
        ] = None,
        dwell_us: Annotated[float | None, Setting("dwell_us", "dwell time per pixel")] = None,
        rotation_deg: Annotated[float | None, Setting("rotation_deg", "scan rotation")] = None,
    ) -> SettingsResult:
        """Set the scan: field of view, pixels per side, dwell per pixel, rotation. Dose per frame grows with
        current x dwell / pixel area: check get_status before long or small-FOV scans."""
        kwargs = {"fov_nm": fov_nm, "pixels": pixels, "dwell_us": dwell_us, "rotation_deg": rotation_deg}
        return SettingsResult(settings=session.set_scan(**kwargs))

    def set_detectors(
        haadf_inner_mrad: Annotated[
            float | None,
            Setting("haadf_inner_mrad", "HAADF annulus inner collection semi-angle, above the convergence"),
        ] = None,
        haadf_outer_mrad: Annotated[
            float | None, Setting("haadf_outer_mrad", "HAADF annulus outer collection semi-angle")
        ] = None,
        bf_outer_mrad: Annotated[
            float | None, Setting("bf_outer_mrad", "bright-field disc collection semi-angle")
        ] = None,
        eels_collection_mrad: Annotated[
            float | None, Setting("eels_collection_mrad", "EELS spectrometer collection semi-angle")
        ] = None,
    ) -> SettingsResult:
        """Set the detectors' collection semi-angles: the HAADF annulus, the bright-field disc and the EELS
        collection angle. Use when the user asks for other angles or a contrast the defaults do not give: a
        lower HAADF inner angle (40-60 mrad) collects more from light atoms, a higher one gives purer Z contrast
        with less signal; a BF disc well inside the convergence angle gives phase contrast that reverses
        through focus; a larger EELS angle collects more of each edge. The inner angle must stay above the
        convergence semi-angle and below the outer one; a refused call changes nothing. Arguments you leave out
        keep their value."""
        kwargs = {
            "haadf_inner_mrad": haadf_inner_mrad,
            "haadf_outer_mrad": haadf_outer_mrad,
            "bf_outer_mrad": bf_outer_mrad,
            "eels_collection_mrad": eels_collection_mrad,
        }
        args = {k: v for k, v in kwargs.items() if v is not None}
        settings = session.call("set_detectors", args, lambda: session.require_stem().set_detectors(**args))
        return SettingsResult(settings=settings)

    def move_stage(
        x_um: Annotated[float | None, Setting("x_um", "stage x; the FOV centre is at 1000*x_um nm")] = None,
        y_um: Annotated[float | None, Setting("y_um", "stage y")] = None,
        z_um: Annotated[float | None, Setting("z_um", "stage height")] = None,
        alpha_deg: Annotated[float | None, Setting("alpha_deg", "alpha tilt")] = None,
        beta_deg: Annotated[float | None, Setting("beta_deg", "beta tilt")] = None,
        relative: Annotated[bool, Field(description="true: move by these amounts instead of to them")] = False,
    ) -> SettingsResult:
        """Move the stage to (or, with relative=true, by) the given position and tilts. Use to go to another area
        (a fresh, undosed area) or to centre a feature; axes you leave out do not move."""
        kwargs = {"x_um": x_um, "y_um": y_um, "z_um": z_um, "alpha_deg": alpha_deg, "beta_deg": beta_deg}
        return SettingsResult(settings=session.move_stage(relative=relative, **kwargs))

    add_tool(mcp, get_status, READ_ONLY)
    add_tool(mcp, list_specimens, READ_ONLY)
    add_tool(mcp, load_specimen, SETTING)  # data stay on disk; the same name and seed give the same specimen
    for setter in (set_beam, set_optics, set_scan, set_detectors, move_stage):
        add_tool(mcp, setter, SETTING)
    register_acquisition_tools(mcp, session, gate)
