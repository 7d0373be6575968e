"""Monolayer 2H-MoS2: Mo and S2 columns on a honeycomb, S vacancies and Re dopants; beam-sensitive."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from copilot.twin.detector import Contrast
from copilot.twin.knockon import Binding, DamageModel
from copilot.twin.results import Atoms
from copilot.twin.specimens.base import Specimen
from copilot.twin.specimens.features import ContaminationPatch, Hole, PointDefect, random_discs
from copilot.twin.specimens.lattices import SQRT3, hexagonal_sites

MOS2_A_NM = 0.316
MOS2_MO_PER_NM2 = 2.0 / (SQRT3 * MOS2_A_NM**2)
MOS2_THICKNESS_NM = 0.65


class MoS2(Specimen):
    """Monolayer MoS2 viewed along c: each S site holds two S atoms stacked in projection."""

    name = "mos2"
    code = 2
    description = "Monolayer MoS2 (Mo and S2 columns) with S vacancies and Re dopants; beam-sensitive."
    # Td: S 6.9 eV, Mo 20 eV (Komsa et al., PRL 109, 035503, 2012); a valence excitation by the same electron
    # lowers S to 5 eV (Kretschmer et al., Nano Lett. 20, 2865, 2020). Debye temperature about 400 K.
    damage = DamageModel(
        {
            "S": Binding(6.9, 400.0, excited_threshold_eV=5.0, excitation_probability_80kv=0.01),
            "Mo": Binding(20.0, 400.0),
            "Re": Binding(20.0, 400.0),
        }
    )
    columns_per_nm2 = 2 * MOS2_MO_PER_NM2 + 10.0
    column_length_nm = MOS2_THICKNESS_NM
    crystal = "mos2"
    # The default frame resolves the columns: 40 pA x 8 us over 8 nm at 512 px gives 8.2e4 e/A^2 in 2.1 s, the
    # dimmest S2 columns stand about 11 noise sigmas over their hollows and single S vacancies show (defect
    # precision and recall 0.90 to 0.97 over seeds 0-2); that is 15 % of the critical dose at 80 kV (5.5e5 e/A^2),
    # room for six such frames, though each one already knocks out a few S atoms of the 1500 in view.
    default_settings: ClassVar[dict[str, dict[str, Any]]] = {
        "beam": {"energy_kv": 80.0, "current_pa": 40.0},
        "optics": {"convergence_mrad": 30.0, "cs_um": 1.0},
        "scan": {"fov_nm": 8.0, "pixels": 512, "dwell_us": 8.0},
    }
    s_monovacancy_fraction = 0.03
    s_divacancy_fraction = 0.003
    re_fraction = 0.005

    def _make_features(self, rng: np.random.Generator) -> None:
        self.rotation_deg = float(rng.uniform(0.0, 60.0))
        self.lattice = {
            "structure": "2H-MoS2 monolayer",
            "a_nm": MOS2_A_NM,
            "rotation_deg": self.rotation_deg,
            "mo_per_nm2": MOS2_MO_PER_NM2,
        }
        self.holes = [Hole(c, r) for c, r in random_discs(rng, 10, 30.0, 0.7, 150.0)]
        self.contamination = [
            ContaminationPatch(c, r, float(rng.uniform(0.5, 2.0))) for c, r in random_discs(rng, 30, 40.0, 0.8, 200.0)
        ]

    def _crystal_columns(
        self, box: tuple[float, float, float, float], rng: np.random.Generator
    ) -> tuple[Atoms, list[PointDefect]]:
        xy, site = hexagonal_sites(MOS2_A_NM, self.rotation_deg, (0.0, 0.0), box)
        u = rng.random(len(xy))
        is_s = site == 1
        count = np.where(is_s, 2, 1).astype(np.int64)
        mono = is_s & (u < self.s_monovacancy_fraction)
        di = is_s & (u >= self.s_monovacancy_fraction) & (u < self.s_monovacancy_fraction + self.s_divacancy_fraction)
        rhenium = ~is_s & (u < self.re_fraction)
        count[mono] = 1
        count[di] = 0
        elements = np.where(is_s, "S", np.where(rhenium, "Re", "Mo")).astype("<U2")
        defects = [PointDefect((float(x), float(y)), "S vacancy", "S", "S2") for x, y in xy[mono]]
        defects += [PointDefect((float(x), float(y)), "S2 vacancy", "", "S2") for x, y in xy[di]]
        defects += [PointDefect((float(x), float(y)), "dopant", "Re", "Mo") for x, y in xy[rhenium]]
        keep = count > 0
        xy = xy[keep]
        z = np.asarray(self.height_nm(xy[:, 0], xy[:, 1]), dtype=np.float64)
        return Atoms(xy, z, elements[keep], count[keep]), defects

    def substrate_weight_per_nm2(self, x_nm: np.ndarray, y_nm: np.ndarray, contrast: Contrast) -> np.ndarray:
        w = MOS2_MO_PER_NM2 * float(contrast.column_nm2("Mo", 1.0) + contrast.column_nm2("S", 2.0))
        return np.full(np.shape(x_nm), w, dtype=np.float32)

    def substrate_thickness_nm(self, x_nm: float, y_nm: float) -> float:
        return MOS2_THICKNESS_NM
