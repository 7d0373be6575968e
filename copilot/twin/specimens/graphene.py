"""Monolayer graphene: honeycomb lattice with vacancies, Si substitutions, holes and contamination."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from copilot.twin.detector import Contrast
from copilot.twin.knockon import GRAPHENE_CARBON, DamageModel
from copilot.twin.results import Atoms
from copilot.twin.specimens.base import Specimen
from copilot.twin.specimens.features import ContaminationPatch, Hole, PointDefect, random_discs
from copilot.twin.specimens.lattices import SQRT3, hexagonal_sites

GRAPHENE_A_NM = 0.246
GRAPHENE_C_PER_NM2 = 4.0 / (SQRT3 * GRAPHENE_A_NM**2)
GRAPHENE_THICKNESS_NM = 0.335


def decorate_monolayer(
    specimen: Specimen, xy: np.ndarray, rng: np.random.Generator, vacancy_fraction: float, si_fraction: float
) -> tuple[Atoms, list[PointDefect]]:
    """Carbon columns on ``xy`` with random vacancies and Si substitutions, and the defect list."""
    u = rng.random(len(xy))
    vacancy = u < vacancy_fraction
    silicon = (u >= vacancy_fraction) & (u < vacancy_fraction + si_fraction)
    defects = [PointDefect((float(x), float(y)), "vacancy", "", "C") for x, y in xy[vacancy]]
    defects += [PointDefect((float(x), float(y)), "substitution", "Si", "C") for x, y in xy[silicon]]
    keep = ~vacancy
    xy = xy[keep]
    elements = np.where(silicon[keep], "Si", "C").astype("<U2")
    z = np.asarray(specimen.height_nm(xy[:, 0], xy[:, 1]), dtype=np.float64)
    return Atoms(xy, z, elements, np.ones(len(xy), dtype=np.int64)), defects


class Graphene(Specimen):
    """Monolayer graphene membrane over a holey support."""

    name = "graphene"
    code = 1
    description = "Monolayer graphene with vacancies, Si substitutions, holes and hydrocarbon contamination."
    damage = DamageModel({"C": GRAPHENE_CARBON})
    columns_per_nm2 = GRAPHENE_C_PER_NM2 + 10.0
    column_length_nm = GRAPHENE_THICKNESS_NM
    crystal = "graphene"
    default_settings: ClassVar[dict[str, dict[str, Any]]] = {
        "beam": {"energy_kv": 80.0, "current_pa": 30.0},
        "optics": {"convergence_mrad": 30.0, "cs_um": 1.0},
        "scan": {"fov_nm": 200.0, "pixels": 512, "dwell_us": 4.0},
    }
    vacancy_fraction = 0.002
    si_fraction = 0.001

    def _make_features(self, rng: np.random.Generator) -> None:
        self.rotation_deg = float(rng.uniform(0.0, 60.0))
        self.lattice = {
            "structure": "honeycomb",
            "a_nm": GRAPHENE_A_NM,
            "bond_nm": GRAPHENE_A_NM / SQRT3,
            "rotation_deg": self.rotation_deg,
            "atoms_per_nm2": GRAPHENE_C_PER_NM2,
        }
        self.holes = [Hole(c, r) for c, r in random_discs(rng, 14, 40.0, 0.7, 180.0)]
        self.contamination = [
            ContaminationPatch(c, r, float(rng.uniform(0.5, 2.5))) for c, r in random_discs(rng, 40, 50.0, 0.8, 250.0)
        ]

    def _crystal_columns(
        self, box: tuple[float, float, float, float], rng: np.random.Generator
    ) -> tuple[Atoms, list[PointDefect]]:
        xy, _ = hexagonal_sites(GRAPHENE_A_NM, self.rotation_deg, (0.0, 0.0), box)
        return decorate_monolayer(self, xy, rng, self.vacancy_fraction, self.si_fraction)

    def substrate_weight_per_nm2(self, x_nm: np.ndarray, y_nm: np.ndarray, contrast: Contrast) -> np.ndarray:
        w = GRAPHENE_C_PER_NM2 * float(contrast.column_nm2("C", 1.0))
        return np.full(np.shape(x_nm), w, dtype=np.float32)

    def substrate_thickness_nm(self, x_nm: float, y_nm: float) -> float:
        return GRAPHENE_THICKNESS_NM
