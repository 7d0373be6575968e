"""Gold nanoparticles of several sizes on a holey amorphous carbon film."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from copilot.twin.detector import Contrast
from copilot.twin.knockon import Binding, DamageModel
from copilot.twin.results import Atoms
from copilot.twin.specimens.base import AMORPHOUS_C_PER_NM3, Specimen, amorphous_columns
from copilot.twin.specimens.features import ContaminationPatch, Hole, Particle, PointDefect, random_discs

AU_A_NM = 0.4078
SUPPORT_NM = 3.0


class GoldNanoparticles(Specimen):
    """Crystalline fcc Au particles (viewed along [001], random in-plane rotation) on 3 nm amorphous carbon."""

    name = "gold_nanoparticles"
    code = 4
    description = "Crystalline Au nanoparticles (1-25 nm radius) on holey amorphous carbon; lattice fringes 0.204 nm."
    # Au surface atoms (sputtering threshold ~6 eV, Debye 165 K) need about 400 kV; the amorphous carbon support
    # is held more weakly than graphene (Td ~15 eV, Debye ~1000 K) and thins at 200 kV.
    damage = DamageModel({"Au": Binding(6.0, 165.0), "C": Binding(15.0, 1000.0)})
    critical_elements = ("Au",)  # the support thins, but the particles are what is imaged
    columns_per_nm2 = AMORPHOUS_C_PER_NM3 * SUPPORT_NM / 4 + 10.0
    column_length_nm = 5.0
    crystal = "gold"
    default_settings: ClassVar[dict[str, dict[str, Any]]] = {
        "beam": {"energy_kv": 200.0, "current_pa": 50.0},
        "optics": {"convergence_mrad": 25.0, "cs_um": 1.0},
        "scan": {"fov_nm": 200.0, "pixels": 512, "dwell_us": 4.0},
    }

    def _make_features(self, rng: np.random.Generator) -> None:
        self.lattice = {"structure": "fcc [001]", "a_nm": AU_A_NM, "fringe_nm": AU_A_NM / 2, "support_nm": SUPPORT_NM}
        self.holes = [Hole(c, r) for c, r in random_discs(rng, 8, 120.0, 0.4, 300.0)]
        small = random_discs(rng, 3000, 2.5, 0.5, 12.0, margin_nm=30.0)
        large = [(c, float(rng.uniform(10.0, 25.0))) for c, _ in random_discs(rng, 40, 1.0, 0.0, 1.0, margin_nm=30.0)]
        hole_c = np.array([h.center_nm for h in self.holes])
        hole_r = np.array([h.radius_nm for h in self.holes])
        candidates = large + small
        placed_c = np.zeros((len(candidates), 2))
        placed_r = np.zeros(len(candidates))
        n = 0
        for c, r in candidates:
            clear_of_holes = np.all(np.hypot(*(hole_c - c).T) > hole_r + r)
            clear_of_others = np.all(np.hypot(*(placed_c[:n] - c).T) > placed_r[:n] + r + 1.0)
            if clear_of_holes and clear_of_others:
                placed_c[n], placed_r[n] = c, r
                n += 1
        self.particles = [
            Particle((float(c[0]), float(c[1])), float(r), "Au", float(rng.uniform(0.0, 90.0)), AU_A_NM)
            for c, r in zip(placed_c[:n], placed_r[:n], strict=True)
        ]
        self.contamination = [
            ContaminationPatch(c, r, float(rng.uniform(0.5, 2.0))) for c, r in random_discs(rng, 15, 40.0, 0.8, 150.0)
        ]

    def _crystal_columns(
        self, box: tuple[float, float, float, float], rng: np.random.Generator
    ) -> tuple[Atoms, list[PointDefect]]:
        film = amorphous_columns(rng, box, SUPPORT_NM)
        z = np.asarray(self.height_nm(film.xy_nm[:, 0], film.xy_nm[:, 1]), dtype=np.float64)
        return Atoms(film.xy_nm, z, film.elements, film.count), []

    def substrate_weight_per_nm2(self, x_nm: np.ndarray, y_nm: np.ndarray, contrast: Contrast) -> np.ndarray:
        w = AMORPHOUS_C_PER_NM3 * SUPPORT_NM * contrast.atom_nm2("C")
        return np.full(np.shape(x_nm), w, dtype=np.float32)

    def substrate_thickness_nm(self, x_nm: float, y_nm: float) -> float:
        return SUPPORT_NM
