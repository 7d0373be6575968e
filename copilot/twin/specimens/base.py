"""Base of every STEM specimen: seeded features, lazily generated atomic columns per tile, and density maps.

Large features (holes, particles, contamination patches, grains) come from one specimen-wide seeded list, so
they are the same at every magnification. Atomic columns are generated per ``tile_nm`` square tile from a
generator keyed by (seed, specimen code, tile ix, tile iy): the same place always holds the same atoms.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

import numpy as np

from copilot.twin.detector import Contrast
from copilot.twin.grid import Grid, soft_inside, stamp_disc
from copilot.twin.knockon import DamageModel
from copilot.twin.results import Atoms
from copilot.twin.specimens.features import ContaminationPatch, Grain, Hole, Particle, PointDefect
from copilot.twin.specimens.lattices import square_sites
from copilot.twin.state import BeamState

DEFAULT_KV = BeamState().energy_kv
"""Beam energy of a specimen without its own default."""

AMORPHOUS_C_PER_NM3 = 100.0
"""Number density of amorphous carbon (about 2 g/cm^3)."""

PSEUDO_COLUMN_ATOMS = 4
"""Amorphous material is drawn as random pseudo-columns of this many carbon atoms each."""

_TILE_OFFSET = 1 << 20
_MAX_TILES = 512


@dataclass(frozen=True)
class Tile:
    """Columns of one tile, their damage draws (uniform in 0..1) and the point defects inside."""

    atoms: Atoms
    damage_u: np.ndarray
    defects: tuple[PointDefect, ...]


class HeightField:
    """Hidden specimen height (nm): a tilted plane plus broad seeded bumps, as for a buckled membrane."""

    def __init__(self, rng: np.random.Generator, n_bumps: int = 6) -> None:
        self.offset_nm = float(rng.uniform(-25.0, 25.0))
        self.slope = rng.uniform(-0.012, 0.012, size=2)
        self.centers_nm = rng.uniform(-1000.0, 1000.0, size=(n_bumps, 2))
        self.amplitudes_nm = rng.uniform(-15.0, 15.0, size=n_bumps)
        self.widths_nm = rng.uniform(150.0, 500.0, size=n_bumps)

    def __call__(self, x_nm: Any, y_nm: Any) -> Any:
        x = np.asarray(x_nm, dtype=np.float64)[..., None]
        y = np.asarray(y_nm, dtype=np.float64)[..., None]
        d2 = (x - self.centers_nm[:, 0]) ** 2 + (y - self.centers_nm[:, 1]) ** 2
        bumps = (self.amplitudes_nm * np.exp(-d2 / (2.0 * self.widths_nm**2))).sum(axis=-1)
        h = self.offset_nm + self.slope[0] * x[..., 0] + self.slope[1] * y[..., 0] + bumps
        return float(h) if h.ndim == 0 else h


def _near(centers: np.ndarray, radii: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Indices of discs that touch an axis-aligned box (x0, y0, x1, y1)."""
    if len(radii) == 0:
        return np.zeros(0, dtype=np.int64)
    x0, y0, x1, y1 = box
    ok = (
        (centers[:, 0] + radii >= x0)
        & (centers[:, 0] - radii <= x1)
        & (centers[:, 1] + radii >= y0)
        & (centers[:, 1] - radii <= y1)
    )
    return np.flatnonzero(ok)


def _disc_arrays(discs: Sequence[Hole | Particle | ContaminationPatch]) -> tuple[np.ndarray, np.ndarray]:
    centers = np.array([d.center_nm for d in discs], dtype=np.float64).reshape(-1, 2)
    radii = np.array([d.radius_nm for d in discs], dtype=np.float64)
    return centers, radii


class Specimen(ABC):
    """A procedural specimen with full ground truth. Subclasses define the crystal and the feature list."""

    name: ClassVar[str]
    description: ClassVar[str]
    code: ClassVar[int]
    damage: ClassVar[DamageModel]
    critical_elements: ClassVar[tuple[str, ...] | None] = None
    """The elements the critical dose protects (None: every element with a binding; a support can be left out)."""
    default_settings: ClassVar[dict[str, dict[str, Any]]]
    columns_per_nm2: ClassVar[float]
    crystal: ClassVar[str | None] = None
    """Channelling table of the specimen's crystalline columns (copilot.twin.tables.channelling)."""
    column_length_nm: ClassVar[float] = 0.3
    tile_nm: ClassVar[float] = 10.0
    half_extent_nm: ClassVar[float] = 1000.0
    atomic_pixel_nm: ClassVar[float] = 0.1

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        rng = np.random.default_rng([self.seed, self.code, 0])
        self.holes: list[Hole] = []
        self.particles: list[Particle] = []
        self.contamination: list[ContaminationPatch] = []
        self.grains: list[Grain] = []
        self.lattice: dict[str, Any] = {}
        self._height = HeightField(rng)
        self._make_features(rng)
        self._hole_c, self._hole_r = _disc_arrays(self.holes)
        self._part_c, self._part_r = _disc_arrays(self.particles)
        self._cont_c, self._cont_r = _disc_arrays(self.contamination)
        self._tiles: OrderedDict[tuple[int, int], Tile] = OrderedDict()

    def critical_dose_at(self, energy_kv: float) -> float:
        """Critical dose (e-/A^2) at a beam energy: the dose that displaces 1 % of the most beam-sensitive atoms
        of ``critical_elements``, from the knock-on and excitation-assisted cross-sections (infinite when none
        can be displaced)."""
        return self.damage.critical_dose_e_per_A2(energy_kv, self.critical_elements)

    @property
    def critical_dose_e_per_A2(self) -> float:
        """Critical dose at the specimen's default beam energy (the instrument's ``critical_dose_e_per_A2``
        follows the beam energy actually set)."""
        return self.critical_dose_at(float(self.default_settings.get("beam", {}).get("energy_kv", DEFAULT_KV)))

    # ----- subclass hooks -------------------------------------------------------------------------------------
    @abstractmethod
    def _make_features(self, rng: np.random.Generator) -> None:
        """Fill ``holes``, ``particles``, ``contamination`` and ``grains`` from the specimen-wide generator."""

    @abstractmethod
    def _crystal_columns(
        self, box: tuple[float, float, float, float], rng: np.random.Generator
    ) -> tuple[Atoms, list[PointDefect]]:
        """Columns of the base material in a half-open box [x0, x1) x [y0, y1), with their point defects."""

    @abstractmethod
    def substrate_weight_per_nm2(self, x_nm: np.ndarray, y_nm: np.ndarray, contrast: Contrast) -> np.ndarray:
        """Areal signal density (column cross-sections per nm^2, dimensionless) of the base material, holes
        ignored."""

    @abstractmethod
    def substrate_thickness_nm(self, x_nm: float, y_nm: float) -> float:
        """Thickness of the base material at a point (holes ignored)."""

    # ----- ground truth ---------------------------------------------------------------------------------------
    @property
    def features(self) -> list[Hole | Particle | ContaminationPatch | Grain]:
        """Every large feature: holes, particles, contamination patches and grains (specimen nm)."""
        return [*self.holes, *self.particles, *self.contamination, *self.grains]

    def height_nm(self, x_nm: Any, y_nm: Any) -> Any:
        """Hidden specimen height (nm) at specimen coordinates; the true focus follows it."""
        return self._height(x_nm, y_nm)

    def inside(self, x_nm: Any, y_nm: Any) -> Any:
        """True where a point lies inside the specimen extent."""
        h = self.half_extent_nm
        return (np.abs(x_nm) <= h) & (np.abs(y_nm) <= h)

    def in_hole(self, xy_nm: np.ndarray) -> np.ndarray:
        """True for points (N, 2) inside any hole."""
        xy = np.asarray(xy_nm, dtype=np.float64).reshape(-1, 2)
        out = np.zeros(len(xy), dtype=bool)
        if len(xy) == 0:
            return out
        box = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
        for i in _near(self._hole_c, self._hole_r, box):
            out |= np.hypot(xy[:, 0] - self._hole_c[i, 0], xy[:, 1] - self._hole_c[i, 1]) < self._hole_r[i]
        return out

    def thickness_nm(self, x_nm: float, y_nm: float) -> float:
        """Total projected thickness at a point: base material, particles and contamination (0 in a hole)."""
        p = np.array([[x_nm, y_nm]])
        if not self.inside(x_nm, y_nm) or self.in_hole(p)[0]:
            return 0.0
        t = self.substrate_thickness_nm(x_nm, y_nm)
        here = (x_nm, y_nm, x_nm, y_nm)
        for i in _near(self._part_c, self._part_r, here):
            p = self.particles[i]
            t += float(_sphere_thickness(np.hypot(x_nm - p.center_nm[0], y_nm - p.center_nm[1]), p.radius_nm, 1.0))
        for i in _near(self._cont_c, self._cont_r, here):
            patch = self.contamination[i]
            r = np.hypot(x_nm - patch.center_nm[0], y_nm - patch.center_nm[1])
            t += float(_patch_profile(patch, r, patch.thickness_nm))
        return t

    def tile(self, ix: int, iy: int) -> Tile:
        """The columns of tile (ix, iy), generated on first use from its own seeded generator."""
        key = (ix, iy)
        hit = self._tiles.get(key)
        if hit is not None:
            self._tiles.move_to_end(key)
            return hit
        t = self.tile_nm
        box = (ix * t, iy * t, (ix + 1) * t, (iy + 1) * t)
        rng = np.random.default_rng([self.seed, self.code, 1, ix + _TILE_OFFSET, iy + _TILE_OFFSET])
        if self._box_outside(box):
            atoms, defects = Atoms.concat([]), list[PointDefect]()
        else:
            atoms, defects = self._crystal_columns(box, rng)
            atoms = Atoms.concat([atoms, self._particle_columns(box), self._contamination_columns(box, rng)])
            keep = ~self.in_hole(atoms.xy_nm) & self.inside(atoms.xy_nm[:, 0], atoms.xy_nm[:, 1])
            atoms = atoms.select(keep)
            defects = [d for d in defects if not self.in_hole(np.array([d.position_nm]))[0]]
        damage_u = np.random.default_rng([self.seed, self.code, 2, ix + _TILE_OFFSET, iy + _TILE_OFFSET]).random(
            len(atoms)
        )
        result = Tile(atoms, damage_u, tuple(defects))
        self._tiles[key] = result
        if len(self._tiles) > _MAX_TILES:
            self._tiles.popitem(last=False)
        return result

    def _box_outside(self, box: tuple[float, float, float, float]) -> bool:
        h = self.half_extent_nm
        return box[2] < -h or box[0] > h or box[3] < -h or box[1] > h

    def _tiles_for(self, box: tuple[float, float, float, float]) -> list[Tile]:
        t = self.tile_nm
        ix0, iy0 = int(np.floor(box[0] / t)), int(np.floor(box[1] / t))
        ix1, iy1 = int(np.floor(box[2] / t)), int(np.floor(box[3] / t))
        return [self.tile(ix, iy) for iy in range(iy0, iy1 + 1) for ix in range(ix0, ix1 + 1)]

    def columns(self, box: tuple[float, float, float, float]) -> tuple[Atoms, np.ndarray]:
        """Undamaged columns inside a box (x0, y0, x1, y1) and each column's damage draw."""
        tiles = self._tiles_for(box)
        atoms = Atoms.concat([t.atoms for t in tiles])
        u = np.concatenate([t.damage_u for t in tiles]) if tiles else np.zeros(0)
        xy = atoms.xy_nm
        keep = (xy[:, 0] >= box[0]) & (xy[:, 0] < box[2]) & (xy[:, 1] >= box[1]) & (xy[:, 1] < box[3])
        return atoms.select(keep), u[keep]

    def defects_in(self, box: tuple[float, float, float, float]) -> list[PointDefect]:
        """Point defects (vacancies, substitutions, dopants) inside a box (x0, y0, x1, y1)."""
        out = []
        for tile in self._tiles_for(box):
            out += [
                d for d in tile.defects if box[0] <= d.position_nm[0] < box[2] and box[1] <= d.position_nm[1] < box[3]
            ]
        return out

    # ----- columns of the shared features ---------------------------------------------------------------------
    def _particle_columns(self, box: tuple[float, float, float, float]) -> Atoms:
        parts = []
        for i in _near(self._part_c, self._part_r, box):
            p = self.particles[i]
            spacing = p.lattice_nm / 2.0  # fcc [001]: square array of columns at a/2
            xy = square_sites(spacing, p.rotation_deg, p.center_nm, box)
            r2 = (xy[:, 0] - p.center_nm[0]) ** 2 + (xy[:, 1] - p.center_nm[1]) ** 2
            count = np.round(2.0 * np.sqrt(np.clip(p.radius_nm**2 - r2, 0.0, None)) / p.lattice_nm).astype(np.int64)
            keep = count > 0
            xy, count = xy[keep], count[keep]
            z = self.height_nm(xy[:, 0], xy[:, 1]) + p.radius_nm if len(xy) else np.zeros(0)
            parts.append(Atoms(xy, np.asarray(z, dtype=np.float64), np.full(len(xy), p.element, dtype="<U2"), count))
        return Atoms.concat(parts)

    def _contamination_columns(self, box: tuple[float, float, float, float], rng: np.random.Generator) -> Atoms:
        parts = []
        for i in _near(self._cont_c, self._cont_r, box):
            patch = self.contamination[i]
            parts.append(
                amorphous_columns(rng, box, patch.thickness_nm, partial(_patch_profile, patch), patch.center_nm)
            )
        atoms = Atoms.concat(parts)
        if len(atoms):
            z = self.height_nm(atoms.xy_nm[:, 0], atoms.xy_nm[:, 1])
            atoms = Atoms(atoms.xy_nm, np.asarray(z, dtype=np.float64), atoms.elements, atoms.count)
        return atoms

    # ----- low-magnification density map ---------------------------------------------------------------------
    def density(self, grid: Grid, contrast: Contrast) -> np.ndarray:
        """Signal cross-section (nm^2) per canvas pixel, without drawing single atoms."""
        x, y = grid.coords()
        canvas = self.substrate_weight_per_nm2(x, y, contrast).astype(np.float32, copy=False)
        h = np.float32(self.half_extent_nm)
        canvas *= (np.abs(x) <= h) & (np.abs(y) <= h)
        del x, y
        box = grid.bbox_nm(pad_px=2.0)
        c_weight = AMORPHOUS_C_PER_NM3 * contrast.atom_nm2("C")
        for i in _near(self._cont_c, self._cont_r, box):
            patch = self.contamination[i]
            stamp_disc(
                canvas,
                grid,
                patch.center_nm,
                patch.radius_nm * 1.2,
                partial(_patch_profile, patch, scale=c_weight * patch.thickness_nm),
            )
        edge = max(grid.px_nm * 0.5, 0.2)
        for i in _near(self._hole_c, self._hole_r, box):
            stamp_disc(
                canvas,
                grid,
                self.holes[i].center_nm,
                self.holes[i].radius_nm + 3 * edge,
                partial(_outside, radius_nm=self.holes[i].radius_nm, edge_nm=edge),
                mode="mul",
            )
        for i in _near(self._part_c, self._part_r, box):
            p = self.particles[i]
            stamp_disc(
                canvas,
                grid,
                p.center_nm,
                p.radius_nm + grid.px_nm,
                partial(_particle_density, particle=p, contrast=contrast),
            )
        canvas *= np.float32(grid.pixel_area_nm2)
        return canvas


def _patch_profile(patch: ContaminationPatch, r_nm: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Relative thickness (0..1, times ``scale``) of a contamination patch at distance ``r_nm`` from its centre."""
    return scale * soft_inside(r_nm, patch.radius_nm * 0.8, 0.1 * patch.radius_nm)


def _outside(r_nm: np.ndarray, radius_nm: float, edge_nm: float) -> np.ndarray:
    """0 inside a disc, 1 outside, with a soft edge."""
    return 1.0 - soft_inside(r_nm, radius_nm, edge_nm)


def _particle_density(r_nm: np.ndarray, particle: Particle, contrast: Contrast) -> np.ndarray:
    """Areal signal density of an fcc [001] particle: columns at a/2 holding thickness / a atoms each."""
    a = particle.lattice_nm
    atoms_per_column = _sphere_thickness(r_nm, particle.radius_nm, 1.0 / a)
    return contrast.column_nm2(particle.element, atoms_per_column) * (4.0 / a**2)


def _sphere_thickness(r_nm: np.ndarray, radius_nm: float, scale: float) -> np.ndarray:
    """Projected thickness of a sphere at distance ``r_nm`` from its axis, times ``scale``."""
    return scale * 2.0 * np.sqrt(np.clip(radius_nm**2 - r_nm * r_nm, 0.0, None))


def amorphous_columns(
    rng: np.random.Generator,
    box: tuple[float, float, float, float],
    thickness_nm: float,
    profile: Any = None,
    center_nm: tuple[float, float] = (0.0, 0.0),
) -> Atoms:
    """Random carbon pseudo-columns filling a box with amorphous carbon of up to ``thickness_nm``.

    ``profile(r_nm)`` (0..1, r measured from ``center_nm``) thins the film by rejection, so patches have soft
    edges; without it the film is uniform.
    """
    area = (box[2] - box[0]) * (box[3] - box[1])
    per_nm2 = AMORPHOUS_C_PER_NM3 * thickness_nm / PSEUDO_COLUMN_ATOMS
    n = int(rng.poisson(per_nm2 * area))
    xy = np.column_stack([rng.uniform(box[0], box[2], n), rng.uniform(box[1], box[3], n)])
    if profile is not None and n:
        r = np.hypot(xy[:, 0] - center_nm[0], xy[:, 1] - center_nm[1])
        xy = xy[rng.random(n) < profile(r)]
    m = len(xy)
    return Atoms(xy, np.zeros(m), np.full(m, "C", dtype="<U2"), np.full(m, PSEUDO_COLUMN_ATOMS, dtype=np.int64))
