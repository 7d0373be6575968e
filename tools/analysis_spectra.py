"""Spectrum analysis tools: element identification, edge onsets and detection limits (EELS and EDS) on stored
spectra."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from fastmcp import FastMCP
from fastmcp.tools import ToolResult
from pydantic import Field

from copilot.analysis.detection_limit import detection_limit as _detection_limit
from copilot.analysis.detection_limit import spectrum_electrons
from copilot.analysis.detection_limit_eds import eds_detection_limit
from copilot.analysis.edge_onset import measure_edge_onset as _measure_edge_onset
from copilot.analysis.errors import AnalysisError
from copilot.analysis.plots import spectrum_plot
from copilot.analysis.spectra import identify_elements as _identify_elements

from .analysis_common import AcqId, Reliability, finite_or_none
from .common import READ_ONLY, add_tool, image_content, with_images

Element = Annotated[str, Field(description="element symbol, e.g. Si", pattern=r"^[A-Z][a-z]?$")]
EdgeName = Annotated[
    str | None, Field(description="edge name, e.g. K or L2,3; omit for the element's lowest edge", max_length=8)
]
MIN_REFERENCE_SIGMAS = 10.0  # a reference edge weaker than this scales the limit by a poorly known signal


class ElementsResult(Reliability):
    acquisition_id: str
    kind: str
    present: list[str]
    evidence: list[tuple[str, str, float, float]] = Field(description="(element, edge/line, energy_eV, sigmas)")
    summed_spectra: int = Field(1, description="spectra summed: the pixels of a spectrum image, else 1")


class EdgeOnsetResult(Reliability):
    acquisition_id: str
    element: str
    edge: str
    tabulated_onset_eV: float = Field(description="reference onset of the edge (EELS atlas)")
    onset_eV: float = Field(description="measured onset: centre of the fitted step")
    onset_uncertainty_eV: float | None = Field(description="one standard deviation of onset_eV")
    shift_eV: float = Field(description="onset_eV minus the tabulated onset (a chemical shift when significant)")
    width_eV: float = Field(description="fitted width of the rise (onset broadening and resolution), sigma")
    delay_eV: float = Field(description="fitted delay of the maximum (0 for a sharp edge)")
    significance: float = Field(description="sigmas of the edge over its extrapolated background")


class DetectionLimitResult(Reliability):
    acquisition_id: str
    technique: Literal["EELS", "EDS"] = Field(description="the spectrum's kind, which sets the method")
    element: str
    edge: str = Field(description="the element's edge (EELS) or main line (EDS) that detects it best here")
    reference: str = Field(description="element the ratios are counted against (atoms per reference atom)")
    reference_edge: str
    detected: bool = Field(description="the edge or line stands at least `sigmas` above its background")
    significance: float = Field(description="sigmas of the element's edge or line here")
    sigmas: float
    minimum_ratio: float = Field(description="least amount detectable at `sigmas` here, atoms per reference atom")
    ratio: float = Field(description="amount the spectrum shows, atoms per reference atom (significant or not)")
    ratio_uncertainty: float = Field(description="one standard deviation of ratio")
    electrons: float = Field(description="electrons through the specimen during this spectrum")
    goal_ratio: float | None
    electrons_needed: float | None = Field(
        description="electrons a spectrum at this spot needs for the goal to reach `sigmas` (null without a goal, "
        "or beyond 1e12 times this spectrum's)"
    )
    dwell_needed_ms: float | None = Field(description="dwell at this spectrum's beam current for electrons_needed")
    matrix: list[str] | None = Field(default=None, description="EDS: elements the fractions are of (with this one)")
    atomic_fraction: float | None = Field(default=None, description="EDS: atomic fraction the spectrum shows")
    atomic_fraction_uncertainty: float | None = Field(default=None, description="EDS: one standard deviation of it")
    minimum_atomic_fraction: float | None = Field(
        default=None, description="EDS: least atomic fraction detectable here"
    )
    minimum_mass_fraction: float | None = Field(default=None, description="EDS: least mass fraction detectable here")
    areal_density_per_nm2: float | None = Field(default=None, description="EDS: atoms/nm^2 under the probe")
    minimum_areal_density_per_nm2: float | None = Field(
        default=None, description="EDS: least atoms/nm^2 detectable here"
    )
    goal_fraction: float | None = Field(default=None, description="EDS: atomic fraction planned for")
    goal_significance: float | None = Field(
        default=None, description="EDS: sigmas the goal would show on average with this spectrum's electrons"
    )


MARGINAL_SIGMAS = (3.0, 7.0)  # an edge or line this significant could go either way with another noise draw


def _elements_verdict(evidence: list[tuple[str, str, float, float]]) -> tuple[bool, str]:
    """Unreliable when an edge or line sits near the 5-sigma detection level (present or absent by chance)."""
    lo, hi = MARGINAL_SIGMAS
    marginal = [f"{el} {feat} ({sig:.1f} sigma)" for el, feat, _, sig in evidence if lo <= sig < hi]
    if not marginal:
        return True, ""
    return False, (
        f"near the 5-sigma detection level: {', '.join(marginal)}; a longer dwell (more counts) would decide"
    )


def _spectrum(
    session: Any, acq_id: str | None, want: str | None = None, kinds: tuple[str, ...] = ("spectrum",)
) -> tuple[str, Any]:
    """(id, acquisition) of a stored spectrum, or of another of ``kinds`` (the latest acquisition when ``acq_id`` is
    None)."""
    chosen = acq_id or session.latest_acquisition_id
    if chosen is None:
        raise AnalysisError("there is no acquisition yet.", hint="Acquire a spectrum first (acquire_spectrum).")
    acq = session.get_acquisition(chosen)
    if acq.kind not in kinds:
        raise AnalysisError(f"{chosen} is a {acq.kind}, not a spectrum.", hint="Pass a spectrum's id.")
    stored = acq.metadata.get("spectrum_kind")
    if want is not None and stored not in (None, want):
        raise AnalysisError(f"{chosen} is an {stored} spectrum, not {want}.", hint=f"Pass an {want} spectrum's id.")
    return chosen, acq


def _g(x: float, digits: int) -> float:
    """``x`` rounded to ``digits`` significant figures."""
    return float(f"{x:.{digits}g}")


def _reference_note(reference: str, line: str, significance: float) -> str:
    if significance >= MIN_REFERENCE_SIGMAS:
        return ""
    return (
        f"the reference {reference}-{line} stands only {significance:.1f} sigmas: the amounts are scaled by a "
        "poorly known signal; use a longer dwell or another reference"
    )


def _eds_result(
    chosen: str, energy: Any, counts: Any, element: str, electrons: float, kv: float, live_s: float,
    reference: str | None, goal_ratio: float | None, goal_fraction: float | None, sigmas: float,
) -> DetectionLimitResult:  # fmt: skip
    """The EDS detection limit of one stored spot spectrum, as the tool reports it."""
    d = eds_detection_limit(energy, counts, element, electrons, kv, reference, goal_fraction, sigmas, goal_ratio)
    needed = d.electrons_needed if np.isfinite(d.electrons_needed) else None
    goal = d.goal_fraction if np.isfinite(d.goal_fraction) else None
    ref_line = d.matrix_lines[d.matrix.index(d.reference)]
    note = _reference_note(d.reference, ref_line, d.reference_significance)
    return DetectionLimitResult(
        acquisition_id=chosen, technique="EDS", element=d.element, edge=d.line, reference=d.reference,
        reference_edge=ref_line, detected=d.detected, significance=round(d.significance, 2), sigmas=d.sigmas,
        minimum_ratio=_g(d.minimum_ratio, 4), ratio=_g(d.ratio, 4), ratio_uncertainty=_g(d.ratio_uncertainty, 3),
        electrons=_g(electrons, 4), goal_ratio=goal_ratio,
        electrons_needed=_g(needed, 3) if needed is not None else None,
        dwell_needed_ms=_g(1e3 * live_s * needed / electrons, 3) if needed is not None else None,
        matrix=list(d.matrix), atomic_fraction=_g(d.atomic_fraction, 4),
        atomic_fraction_uncertainty=_g(d.atomic_fraction_uncertainty, 3),
        minimum_atomic_fraction=_g(d.minimum_atomic_fraction, 4), minimum_mass_fraction=_g(d.minimum_mass_fraction, 4),
        areal_density_per_nm2=_g(d.areal_density_per_nm2, 4),
        minimum_areal_density_per_nm2=_g(d.minimum_areal_density_per_nm2, 4),
        goal_fraction=_g(goal, 4) if goal is not None else None,
        goal_significance=round(d.goal_significance, 2) if goal is not None else None,
        reliable=not note, reliability_note=note,
    )  # fmt: skip


def register_spectra_analysis_tools(mcp: FastMCP, session: Any) -> None:
    """Register identify_elements, measure_edge_onset and detection_limit over ``session``."""

    def identify_elements(acq_id: AcqId = None, kind: Literal["auto", "EELS", "EDS"] = "auto") -> ToolResult:
        """Elements present in a stored EELS or EDS spectrum, or in a spectrum image (its spectra summed: which
        elements the mapped region holds), with the significance (sigmas) of each edge/line the twin's spectra can
        hold (EELS: e.g. Si-L2,3 at 99 eV and Si-K; EDS: K, L and M lines). An element is present at 5 sigmas;
        reliable is false when an edge or line lies near that level (3-7 sigmas), so that more counts could change
        the answer. For how much of an absent element could be seen, use detection_limit."""
        chosen, acq = _spectrum(session, acq_id, kinds=("spectrum", "spectrum_image"))
        stored_kind = acq.metadata.get("spectrum_kind")
        if kind != "auto" and stored_kind not in (None, kind):
            raise AnalysisError(
                f"{chosen} is an {stored_kind} spectrum; it cannot be read as {kind}.",
                hint=f"Use kind='auto' (or '{stored_kind}'), or pass an {kind} spectrum's id.",
            )
        spectrum_kind = (stored_kind or "EELS") if kind == "auto" else kind
        energy, counts = acq.arrays["energy_eV"], np.asarray(acq.arrays["counts"])
        summed = int(np.prod(counts.shape[:-1]))  # a map: the spectra of all its pixels, summed
        counts = counts.reshape(-1, counts.shape[-1]).sum(axis=0)
        r = _identify_elements(energy, counts, spectrum_kind)
        evidence = [(e.element, e.feature, e.energy_eV, round(e.significance, 2)) for e in r.evidence]
        reliable, note = _elements_verdict(evidence)
        result = ElementsResult(
            acquisition_id=chosen,
            kind=r.kind,
            present=list(r.present),
            evidence=evidence,
            reliable=reliable,
            reliability_note=note,
            summed_spectra=summed,
        )
        markers = [(e.energy_eV, f"{e.element} {e.feature}") for e in r.evidence if e.present]
        plot = spectrum_plot(energy, counts, markers, title=f"{r.kind} {chosen}", log_counts=r.kind == "EELS")
        return with_images(result, image_content(plot))

    def measure_edge_onset(element: Element, acq_id: AcqId = None, edge: EdgeName = None) -> EdgeOnsetResult:
        """Onset energy (eV) of an element's EELS edge, with its uncertainty: the centre of a step fitted over the
        power-law background, searched 8 eV either side of the tabulated onset, so chemical shifts of a few eV
        show as shift_eV (compare it with onset_uncertainty_eV before calling it a shift). reliable is false when
        the edge is not 5 sigmas above its background, the onset is uncertain by more than 1.5 eV, or the edge
        rises too slowly to place (delayed M4,5 edges of Sr, Mo, W, Re, Au)."""
        chosen, acq = _spectrum(session, acq_id, "EELS")
        o = _measure_edge_onset(acq.arrays["energy_eV"], acq.arrays["counts"], element, edge)
        return EdgeOnsetResult(
            acquisition_id=chosen, element=o.element, edge=o.edge, tabulated_onset_eV=o.tabulated_eV,
            onset_eV=round(o.onset_eV, 3), onset_uncertainty_eV=finite_or_none(o.onset_uncertainty_eV, 3),
            shift_eV=round(o.onset_eV - o.tabulated_eV, 3), width_eV=round(o.width_eV, 3),
            delay_eV=round(o.delay_eV, 2), significance=round(o.significance, 2), reliable=o.reliable,
            reliability_note=o.reliability_note,
        )  # fmt: skip

    def detection_limit(
        element: Element,
        acq_id: AcqId = None,
        reference: Annotated[
            str | None,
            Field(description="element to count against (default: the strongest other one)", pattern=r"^[A-Z][a-z]?$"),
        ] = None,
        goal_ratio: Annotated[
            float | None,
            Field(description="amount to plan for, atoms per reference atom (e.g. 0.01)", gt=0, le=100),
        ] = None,
        sigmas: Annotated[float, Field(description="detection level, sigmas", ge=1, le=20)] = 5.0,
        goal_fraction: Annotated[
            float | None,
            Field(description="EDS: atomic fraction to plan for (e.g. 0.01), instead of goal_ratio", gt=0, lt=1),
        ] = None,
        kind: Literal["auto", "EELS", "EDS"] = "auto",
    ) -> DetectionLimitResult:
        """How much of an element a stored EELS or EDS spot spectrum could show (kind 'auto' follows the
        spectrum): the least amount detectable at `sigmas` here (minimum_ratio, atoms per atom of a reference
        element in the same spectrum), the amount it does show with its uncertainty, and, for a goal, the
        electrons and dwell a spectrum at this spot would need to detect that much: use it before spending dose on
        a longer spectrum ("Si at 1 % would need N electrons"). EELS uses the cross-section ratio method. EDS
        (X-ray lines: heavy or trace elements) uses the detector's solid angle
        and efficiency, so it also gives atoms/nm^2 under the probe and the least detectable atomic and mass
        fraction of the elements detected (or of the reference: pass it when the matrix is a light element);
        its goal may be goal_fraction. Undetected means below the minimum, not absent. reliable is false when the
        reference edge or line is weak (the scale is then poorly known)."""
        chosen, acq = _spectrum(session, acq_id)
        stored = acq.metadata.get("spectrum_kind") or "EELS"
        if kind != "auto" and kind != stored:
            raise AnalysisError(
                f"{chosen} is an {stored} spectrum; it cannot be read as {kind}.",
                hint=f"Use kind='auto' (or '{stored}'), or pass an {kind} spectrum's id.",
            )
        if goal_ratio is not None and goal_fraction is not None:
            raise AnalysisError("give goal_ratio or goal_fraction, not both.", hint="Pass one of the two goals.")
        if stored == "EELS" and goal_fraction is not None:
            raise AnalysisError(
                "goal_fraction applies to EDS spectra; an EELS detection limit plans for goal_ratio.",
                hint="Pass goal_ratio (atoms per reference atom) for this EELS spectrum.",
            )
        meta = acq.metadata
        settings = meta.get("settings") or {}
        current_pa = float(settings.get("beam", {}).get("current_pa", 0.0))
        live_s = float(meta.get("live_time_s", 0.0))
        if current_pa <= 0 or live_s <= 0:
            raise AnalysisError(f"{chosen} does not record its beam current and live time.")
        electrons = spectrum_electrons(current_pa, live_s)
        kv = float(settings.get("beam", {}).get("energy_kv", 200.0))
        energy, counts = acq.arrays["energy_eV"], acq.arrays["counts"]
        if stored == "EDS":
            return _eds_result(chosen, energy, counts, element, electrons, kv, live_s, reference, goal_ratio,
                               goal_fraction, sigmas)  # fmt: skip
        mrad = float(settings.get("detectors", {}).get("eels_collection_mrad", 20.0))
        d = _detection_limit(energy, counts, element, electrons, kv, mrad, reference, goal_ratio, sigmas)
        ref_sig = next(
            (
                e.significance
                for e in _identify_elements(energy, counts, "EELS").evidence
                if e.element == d.reference and e.feature == d.reference_edge
            ),
            0.0,
        )
        needed = d.electrons_needed if np.isfinite(d.electrons_needed) else None
        note = _reference_note(d.reference, d.reference_edge, ref_sig)
        return DetectionLimitResult(
            acquisition_id=chosen, technique="EELS", element=d.element, edge=d.edge, reference=d.reference,
            reference_edge=d.reference_edge, detected=d.detected, significance=round(d.significance, 2),
            sigmas=d.sigmas, minimum_ratio=_g(d.minimum_ratio, 4), ratio=_g(d.ratio, 4),
            ratio_uncertainty=_g(d.ratio_uncertainty, 3), electrons=_g(electrons, 4),
            goal_ratio=goal_ratio, electrons_needed=_g(needed, 3) if needed is not None else None,
            dwell_needed_ms=_g(1e3 * live_s * needed / electrons, 3) if needed is not None else None,
            reliable=not note, reliability_note=note,
        )  # fmt: skip

    add_tool(mcp, identify_elements, READ_ONLY, ElementsResult)
    add_tool(mcp, measure_edge_onset, READ_ONLY)
    add_tool(mcp, detection_limit, READ_ONLY)
