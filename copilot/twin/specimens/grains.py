"""Polycrystalline graphene: Voronoi grains of random in-plane rotation meeting at grain boundaries."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from copilot.twin.detector import Contrast
from copilot.twin.knockon import GRAPHENE_CARBON, DamageModel
from copilot.twin.results import Atoms
from copilot.twin.specimens.base import Specimen
from copilot.twin.specimens.features import Grain, PointDefect
from copilot.twin.specimens.graphene import (
    GRAPHENE_A_NM,
    GRAPHENE_C_PER_NM2,
    GRAPHENE_THICKNESS_NM,
    decorate_monolayer,
)
from copilot.twin.specimens.lattices import SQRT3, hexagonal_sites


class GrainBoundary(Specimen):
    """Polycrystalline graphene; one boundary passes close to the specimen centre."""

    name = "grain_boundary"
    code = 5
    description = "Polycrystalline graphene: grains of random rotation (100-400 nm) and their grain boundaries."
    damage = DamageModel({"C": GRAPHENE_CARBON})
    columns_per_nm2 = GRAPHENE_C_PER_NM2
    column_length_nm = GRAPHENE_THICKNESS_NM
    crystal = "graphene"
    default_settings: ClassVar[dict[str, dict[str, Any]]] = {
        "beam": {"energy_kv": 80.0, "current_pa": 150.0},
        "optics": {"convergence_mrad": 30.0, "cs_um": 1.0},
        "scan": {"fov_nm": 8.0, "pixels": 512, "dwell_us": 16.0},
    }
    vacancy_fraction = 0.001

    def _make_features(self, rng: np.random.Generator) -> None:
        lim = self.half_extent_nm + 100.0
        seeds = rng.uniform(-lim, lim, size=(40, 2))
        seeds[:2] = [[-2.0 - rng.uniform(0, 1), rng.uniform(-1, 1)], [2.0 + rng.uniform(0, 1), rng.uniform(-1, 1)]]
        seeds[:2] *= 40.0  # two grains that meet near the centre
        rotations = rng.uniform(0.0, 60.0, size=len(seeds))
        self.grains = [Grain((float(s[0]), float(s[1])), float(r)) for s, r in zip(seeds, rotations, strict=True)]
        self._seeds = seeds
        self.lattice = {
            "structure": "honeycomb polycrystal",
            "a_nm": GRAPHENE_A_NM,
            "bond_nm": GRAPHENE_A_NM / SQRT3,
            "atoms_per_nm2": GRAPHENE_C_PER_NM2,
            "grain_rotations_deg": [g.rotation_deg for g in self.grains],
        }

    def grain_index(self, xy_nm: np.ndarray) -> np.ndarray:
        """Index into ``grains`` of the grain holding each point (N, 2)."""
        d2 = ((np.asarray(xy_nm)[:, None, :] - self._seeds[None, :, :]) ** 2).sum(axis=-1)
        return np.argmin(d2, axis=1)

    def _crystal_columns(
        self, box: tuple[float, float, float, float], rng: np.random.Generator
    ) -> tuple[Atoms, list[PointDefect]]:
        center = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
        half_diag = float(np.hypot(box[2] - box[0], box[3] - box[1])) / 2
        d = np.hypot(*(self._seeds - center).T)
        candidates = np.flatnonzero(d <= d.min() + 2 * half_diag)
        parts = []
        for g in candidates:
            xy, _ = hexagonal_sites(GRAPHENE_A_NM, self.grains[g].rotation_deg, self.grains[g].seed_nm, box)
            parts.append(xy[self.grain_index(xy) == g])
        return decorate_monolayer(self, np.concatenate(parts), rng, self.vacancy_fraction, 0.0)

    def substrate_weight_per_nm2(self, x_nm: np.ndarray, y_nm: np.ndarray, contrast: Contrast) -> np.ndarray:
        # A monolayer has no channelling contrast: grains look alike in HAADF at low magnification.
        w = GRAPHENE_C_PER_NM2 * float(contrast.column_nm2("C", 1.0))
        return np.full(np.shape(x_nm), w, dtype=np.float32)

    def substrate_thickness_nm(self, x_nm: float, y_nm: float) -> float:
        return GRAPHENE_THICKNESS_NM
