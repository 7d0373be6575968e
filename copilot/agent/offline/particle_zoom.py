"""Zoom on one particle: centre it with a relative stage move and frame it at a few times its diameter.

The particle comes from the newest ``segment_particles`` result of the turn, whose ``particles_nm`` lists
(x_nm, y_nm, diameter_nm) largest first, x and y in the image (nm from the top-left corner).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from copilot.agent.offline.outcomes import Outcome, current_fov_nm
from copilot.agent.offline.steps import Step, given
from copilot.agent.summary import format_number

FRAME_DIAMETERS = 3.0
"""The zoomed field of view in particle diameters: the particle with some of its surroundings."""
MIN_ZOOM_FOV_NM = 2.0


def chosen_particle(outcomes: Sequence[Outcome], target: str) -> tuple[float, float, float] | str:
    """(x_nm, y_nm, diameter_nm) of the ``target`` ("largest" or "smallest") particle, or why there is none."""
    found = next((o for o in reversed(outcomes) if o.name == "segment_particles" and o.ok), None)
    listed = found.data.get("particles_nm") if found else None
    if not isinstance(listed, list) or not listed:
        return "segment_particles located no particle (not cut by the image edge) to zoom on"
    x_nm, y_nm, diameter_nm = (float(v) for v in listed[-1 if target == "smallest" else 0])
    return x_nm, y_nm, diameter_nm


def centre_move(target: str) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """The relative stage move (µm) that brings the particle to the centre of the field of view."""

    def args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        particle = chosen_particle(outcomes, target)
        fov_nm = current_fov_nm(outcomes)
        if isinstance(particle, str):
            return particle
        if fov_nm is None:
            return "the field of view of the image is unknown, so the particle cannot be centred"
        dx_um, dy_um = (particle[0] - fov_nm / 2) / 1000, (particle[1] - fov_nm / 2) / 1000
        return {"x_um": round(dx_um, 5), "y_um": round(dy_um, 5), "relative": True}

    return args


def framing_scan(target: str) -> Callable[[Sequence[Outcome]], dict[str, Any] | str]:
    """A field of view ``FRAME_DIAMETERS`` times the particle's diameter."""

    def args(outcomes: Sequence[Outcome]) -> dict[str, Any] | str:
        particle = chosen_particle(outcomes, target)
        if isinstance(particle, str):
            return particle
        return {"fov_nm": round(max(FRAME_DIAMETERS * particle[2], MIN_ZOOM_FOV_NM), 3)}

    return args


def particle_zoom_steps(target: str, detector: str | None) -> list[Step]:
    """After ``segment_particles``: centre the particle, frame it, image it; skipped (with the reason) if none."""

    def found(outcomes: Sequence[Outcome]) -> bool:
        return not isinstance(chosen_particle(outcomes, target), str)

    return [
        Step("move_stage", centre_move(target)),
        Step("set_scan", framing_scan(target)),
        Step("acquire_image", given(detector=detector), when=found),
    ]


def zoom_line(outcomes: Sequence[Outcome], target: str) -> str | None:
    """Which particle the zoom went to, as the tools measured it (None until its image is taken)."""
    particle = chosen_particle(outcomes, target)
    names = [o.name for o in outcomes if o.ok]
    if isinstance(particle, str) or names[-1:] != ["acquire_image"] or "move_stage" not in names:
        return None
    x_nm, y_nm, diameter_nm = (format_number(v) for v in particle)
    fov_nm = format_number(FRAME_DIAMETERS * particle[2])
    return (
        f"Zoomed on the {target} particle ({diameter_nm} nm across, at x {x_nm} nm, y {y_nm} nm of the first image): "
        f"centred and imaged at about {fov_nm} nm field of view."
    )
