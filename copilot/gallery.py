"""Pictures of every specimen as the twin renders it: a survey and an atomic-resolution HAADF frame per STEM
specimen, and a height map per AFM surface. Used for the README and by `copilot gallery` to look before you load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from copilot.analysis.level import plane_level
from copilot.analysis.overlays import height_overlay
from copilot.store.preview import image_preview
from copilot.twin import STEM_SPECIMENS, Microscope
from copilot.twin.afm import AFM, AFM_SURFACES

# Field of view (nm) of the two STEM views: a survey that shows the large features and an atomic close-up.
SURVEY_FOV_NM = 200.0
ATOMIC_FOV_NM = 6.0
PREVIEW_SIDE_PX = 512


@dataclass(frozen=True)
class Picture:
    specimen: str
    view: str  # "survey", "atomic" or "height"
    fov_nm: float
    path: Path


# The close-up sits on the particle nearest the centre (a specimen without particles keeps the centre) and uses
# a longer dwell than a survey, as a microscopist would for a showcase frame (still below the critical dose).
ATOMIC_DWELL_US = 16.0


def close_up(scope: Microscope) -> None:
    particles = scope.specimen.particles
    if particles:
        x_nm, y_nm = min((p.center_nm for p in particles), key=lambda c: c[0] ** 2 + c[1] ** 2)
        scope.move_stage(x_um=x_nm / 1000.0, y_um=y_nm / 1000.0)
        scope.set_optics(defocus_nm=scope.true_focus_defocus_nm())
    scope.set_scan(fov_nm=ATOMIC_FOV_NM, pixels=512, dwell_us=ATOMIC_DWELL_US)


def stem_pictures(name: str, seed: int, out_dir: Path) -> list[Picture]:
    """A survey and an atomic-resolution HAADF frame of one STEM specimen."""
    pictures = []
    for view, fov_nm in (("survey", SURVEY_FOV_NM), ("atomic", ATOMIC_FOV_NM)):
        scope = Microscope(name, seed=seed)
        if view == "atomic":
            close_up(scope)
        else:
            scope.set_scan(fov_nm=fov_nm, pixels=512)
        frame = scope.acquire_image("HAADF")
        path = out_dir / f"{name}-{view}.png"
        path.write_bytes(image_preview(frame.data, frame.pixel_size_nm, PREVIEW_SIDE_PX))
        pictures.append(Picture(name, view, fov_nm, path))
    return pictures


def afm_picture(name: str, seed: int, out_dir: Path) -> Picture:
    """A plane-levelled height map of one AFM surface, engaged at the default feedback and scan."""
    afm = AFM(name, seed=seed)
    afm.approach()
    frame = afm.acquire_afm_image(channels=("height",))
    levelled = plane_level(frame.channels["height_trace"]).height_nm
    path = out_dir / f"{name}-height.png"
    path.write_bytes(image_preview(height_overlay(levelled), None, PREVIEW_SIDE_PX))
    return Picture(name, "height", frame.size_nm, path)


def render_gallery(out_dir: Path, seed: int = 0, progress: Callable[[str], None] | None = None) -> list[Picture]:
    """Write the pictures of every specimen into ``out_dir`` (created if missing) and return what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pictures: list[Picture] = []
    for name in STEM_SPECIMENS:
        if progress is not None:
            progress(name)
        pictures.extend(stem_pictures(name, seed, out_dir))
    for name in AFM_SURFACES:
        if progress is not None:
            progress(name)
        pictures.append(afm_picture(name, seed, out_dir))
    return pictures
