"""SrTiO3 lamella viewed along [001]: Sr, Ti-O and O columns, thickness rising from a thin edge."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from copilot.twin.detector import Contrast
from copilot.twin.knockon import Binding, DamageModel
from copilot.twin.results import Atoms
from copilot.twin.specimens.base import Specimen
from copilot.twin.specimens.features import ContaminationPatch, Hole, PointDefect, random_discs
from copilot.twin.specimens.lattices import lattice_sites

SRTIO3_A_NM = 0.3905
THIN_EDGE_NM = 4.0
THICK_EDGE_NM = 60.0

# Basis of the [001] projection: Sr at the corner, Ti-O in the centre, pure O columns on the edges.
_BASIS = [(0.0, 0.0), (0.5, 0.5), (0.5, 0.0), (0.0, 0.5)]


class SrTiO3(Specimen):
    """A wedge-shaped FIB lamella: thin (4 nm) at x = -1000 nm, 60 nm at x = +1000 nm."""

    name = "srtio3"
    code = 3
    description = "SrTiO3 [001] perovskite lamella (Sr and Ti-O columns, a = 0.3905 nm), wedge 4-60 nm thick."
    # Bulk displacement thresholds Sr 70, Ti 140, O 50 eV; Debye temperature 513 K: no knock-on below 300 kV.
    damage = DamageModel({"Sr": Binding(70.0, 513.0), "Ti": Binding(140.0, 513.0), "O": Binding(50.0, 513.0)})
    columns_per_nm2 = 5.0 / SRTIO3_A_NM**2 + 10.0
    crystal = "srtio3"
    column_length_nm = 10.0
    default_settings: ClassVar[dict[str, dict[str, Any]]] = {
        "beam": {"energy_kv": 200.0, "current_pa": 120.0},
        "optics": {"convergence_mrad": 25.0, "cs_um": 1.0},
        "scan": {"fov_nm": 8.0, "pixels": 512, "dwell_us": 4.0},
    }
    sr_vacancy_fraction = 0.01

    def _make_features(self, rng: np.random.Generator) -> None:
        self.lattice = {"structure": "perovskite [001]", "a_nm": SRTIO3_A_NM, "rotation_deg": 0.0}
        self.holes = [
            Hole((float(rng.uniform(-990, -850)), float(y)), float(rng.uniform(10, 60)))
            for y in rng.uniform(-900, 900, 5)
        ]
        self.contamination = [
            ContaminationPatch(c, r, float(rng.uniform(0.5, 2.0))) for c, r in random_discs(rng, 25, 40.0, 0.8, 200.0)
        ]

    def wedge_thickness_nm(self, x_nm: np.ndarray | float) -> np.ndarray:
        """Lamella thickness as a function of x (nm)."""
        h = self.half_extent_nm
        frac = (np.asarray(x_nm, dtype=np.float64) + h) / (2 * h)
        return THIN_EDGE_NM + (THICK_EDGE_NM - THIN_EDGE_NM) * np.clip(frac, 0.0, 1.0)

    def _crystal_columns(
        self, box: tuple[float, float, float, float], rng: np.random.Generator
    ) -> tuple[Atoms, list[PointDefect]]:
        xy, site = lattice_sites((SRTIO3_A_NM, 0.0), (0.0, SRTIO3_A_NM), _BASIS, (0.0, 0.0), 0.0, box)
        n = np.maximum(np.round(self.wedge_thickness_nm(xy[:, 0]) / SRTIO3_A_NM), 1).astype(np.int64)
        sr = site == 0
        vacancy = sr & (rng.random(len(xy)) < self.sr_vacancy_fraction)
        n[vacancy] -= 1
        defects = [PointDefect((float(x), float(y)), "vacancy", "", "Sr") for x, y in xy[vacancy]]
        tio = site == 1
        # A Ti-O column holds n Ti and n O atoms: keep them as two coincident columns.
        xy_all = np.concatenate([xy, xy[tio]])
        elements = np.concatenate([np.array(["Sr", "Ti", "O", "O"])[site], np.full(int(tio.sum()), "O")])
        count = np.concatenate([n, n[tio]])
        z = np.asarray(self.height_nm(xy_all[:, 0], xy_all[:, 1]), dtype=np.float64)
        keep = count > 0
        atoms = Atoms(xy_all[keep], z[keep], elements.astype("<U2")[keep], count[keep])
        return atoms, defects

    def substrate_weight_per_nm2(self, x_nm: np.ndarray, y_nm: np.ndarray, contrast: Contrast) -> np.ndarray:
        # One unit cell holds one Sr, one Ti-O and two O columns of thickness / a atoms each.
        t = np.linspace(0.0, THICK_EDGE_NM, 57)
        n = t / SRTIO3_A_NM
        per_cell = contrast.column_nm2("Sr", n) + contrast.column_nm2("Ti", n) + 3 * contrast.column_nm2("O", n)
        density = np.interp(self.wedge_thickness_nm(x_nm), t, per_cell / SRTIO3_A_NM**2)
        return density.astype(np.float32)

    def substrate_thickness_nm(self, x_nm: float, y_nm: float) -> float:
        return float(self.wedge_thickness_nm(x_nm))
