"""A crystal from a structure file (CIF, XYZ, ...), viewed down its c axis, with the same physics as the built-ins.

The twin reads no files: the layer above reads the file (ASE) and hands over a :class:`Structure` (cell and
fractional coordinates). The crystal is a slab of ``thickness_nm`` over the whole specimen extent, seen along
[001]: every atom of the cell projects onto a column of the 2-D lattice spanned by a and b projected on the plane
normal to c, and a column holds one atom per cell it crosses. Ground truth is full: every column (position,
element, atom count), the element set and the thickness. A crystal the twin has a channelling table for (cubic
SrTiO3 and fcc Au of the built-in lattice constants, within 1 %) uses it, as the built-in specimens do; any other
crystal is imaged kinematically (channelling factor 1, so thick heavy columns come out brighter than a multislice
calculation would give). The knock-on model uses a generic 25 eV displacement threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from copilot.twin.detector import Contrast
from copilot.twin.elements import ATOMIC_NUMBER
from copilot.twin.errors import SpecimenError
from copilot.twin.knockon import Binding, DamageModel
from copilot.twin.results import Atoms
from copilot.twin.specimens.base import Specimen
from copilot.twin.specimens.features import PointDefect
from copilot.twin.specimens.gold import AU_A_NM
from copilot.twin.specimens.lattices import lattice_sites
from copilot.twin.specimens.srtio3 import SRTIO3_A_NM

DEFAULT_THICKNESS_NM = 10.0
MAX_THICKNESS_NM = 200.0
MAX_ATOMS_PER_CELL = 500
MIN_COLUMN_SPACING_NM = 0.05
"""Projected cells smaller than this per column would be denser than any real crystal: a unit mistake."""
GENERIC_BINDING = Binding(25.0, 300.0)
"""Displacement threshold (eV) and Debye temperature (K) used for every element of a file's crystal."""
TABULATED_CRYSTALS: dict[str, tuple[str, float]] = {"SrTiO3": ("srtio3", SRTIO3_A_NM), "Au": ("gold", AU_A_NM)}
"""Empirical formula -> (channelling table, cubic lattice constant in nm) of the crystals with a multislice table."""
CUBIC_TOLERANCE = 0.01
_STRUCTURE_CODE = 101
_FRACTION_DECIMALS = 4


@dataclass(frozen=True)
class Structure:
    """A periodic crystal as arrays: ``cell_nm`` rows are a, b, c (nm); ``fractional`` (N, 3) the atoms' cell
    coordinates; ``elements`` their symbols; ``source`` the name the user gave (for listings and metadata)."""

    source: str
    formula: str
    cell_nm: np.ndarray
    fractional: np.ndarray
    elements: tuple[str, ...]


class StructureSpecimen(Specimen):
    """A slab of a user-supplied crystal; build it with :func:`structure_specimen`."""

    name = "structure"
    description = "A crystal from a structure file."
    code = _STRUCTURE_CODE
    damage = DamageModel({})
    columns_per_nm2 = 1.0
    default_settings: ClassVar[dict[str, dict[str, Any]]] = {}
    structure: ClassVar[Structure]
    slab_nm: ClassVar[float]

    def _make_features(self, rng: np.random.Generator) -> None:
        self._a1, self._a2, self._c_nm = projected_cell(self.structure.cell_nm)
        self.layers = max(1, round(self.slab_nm / self._c_nm))
        basis, elements, per_cell = _columns(self.structure)
        self._basis, self._elements, self._per_cell = basis, elements, per_cell
        self._weights: dict[Contrast, float] = {}
        a, b = float(np.hypot(*self._a1)), float(np.hypot(*self._a2))
        gamma = math.degrees(math.acos(float(np.dot(self._a1, self._a2)) / (a * b)))
        self.lattice = {
            "structure": f"{self.structure.formula} [001]",
            "a_nm": a,
            "b_nm": b,
            "gamma_deg": gamma,
            "c_nm": self._c_nm,
            "rotation_deg": 0.0,
            "source": self.structure.source,
        }

    @property
    def slab_thickness_nm(self) -> float:
        """Slab thickness along the beam (nm): whole cells along c."""
        return self.layers * self._c_nm

    @property
    def elements(self) -> list[str]:
        """The elements of the crystal, sorted."""
        return sorted(set(self._elements))

    def _crystal_columns(
        self, box: tuple[float, float, float, float], rng: np.random.Generator
    ) -> tuple[Atoms, list[PointDefect]]:
        a1, a2 = (tuple(float(v) for v in vec) for vec in (self._a1, self._a2))
        xy, site = lattice_sites(a1, a2, self._basis, (0.0, 0.0), 0.0, box)  # type: ignore[arg-type]
        z = np.asarray(self.height_nm(xy[:, 0], xy[:, 1]), dtype=np.float64).reshape(-1)
        count = self._per_cell[site] * self.layers
        return Atoms(xy, z, np.asarray(self._elements, dtype="<U2")[site], count.astype(np.int64)), []

    def substrate_weight_per_nm2(self, x_nm: np.ndarray, y_nm: np.ndarray, contrast: Contrast) -> np.ndarray:
        if contrast not in self._weights:
            area = abs(float(self._a1[0] * self._a2[1] - self._a1[1] * self._a2[0]))
            columns = zip(self._elements, self._per_cell * self.layers, strict=True)
            per_cell = sum(float(contrast.column_nm2(el, n)) for el, n in columns)
            self._weights[contrast] = per_cell / area
        return np.full(np.shape(x_nm), self._weights[contrast], dtype=np.float32)

    def substrate_thickness_nm(self, x_nm: float, y_nm: float) -> float:
        return self.slab_thickness_nm


def projected_cell(cell_nm: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """a and b projected on the plane normal to c, in 2-D (a along x), and the length of c (nm)."""
    cell = np.asarray(cell_nm, dtype=np.float64)
    c = cell[2]
    c_len = float(np.linalg.norm(c))
    if not math.isfinite(c_len) or c_len <= 0:
        raise SpecimenError("The structure has no c axis to look down.", hint="Give a file with a 3-D unit cell.")
    c_hat = c / c_len
    a_p, b_p = (v - np.dot(v, c_hat) * c_hat for v in (cell[0], cell[1]))
    a_len = float(np.linalg.norm(a_p))
    if a_len <= 0 or not math.isfinite(a_len):
        raise SpecimenError("The structure's a axis is parallel to c.", hint="Give a file with a 3-D unit cell.")
    e1 = a_p / a_len
    e2 = np.cross(c_hat, e1)
    a1, a2 = np.array([a_len, 0.0]), np.array([float(np.dot(b_p, e1)), float(np.dot(b_p, e2))])
    if abs(a1[0] * a2[1]) <= 1e-9:
        raise SpecimenError("The structure's a, b and c axes lie in one plane.", hint="Check the unit cell.")
    return a1, a2, c_len


def _columns(structure: Structure) -> tuple[list[tuple[float, float]], list[str], np.ndarray]:
    """Distinct (fractional a, b, element) columns of one cell and the atoms each holds per cell."""
    per: dict[tuple[float, float, str], int] = {}
    frac = np.mod(np.asarray(structure.fractional, dtype=np.float64)[:, :2], 1.0)
    for (fa, fb), el in zip(np.round(frac, _FRACTION_DECIMALS) % 1.0, structure.elements, strict=True):
        key = (float(fa), float(fb), el)
        per[key] = per.get(key, 0) + 1
    keys = sorted(per)
    return [(fa, fb) for fa, fb, _ in keys], [el for _, _, el in keys], np.array([per[k] for k in keys])


def structure_specimen(structure: Structure, seed: int, thickness_nm: float | None = None) -> Specimen:
    """The specimen of ``structure`` as a slab ``thickness_nm`` thick (default 10 nm), viewed along [001].

    Raises SpecimenError for elements the twin has no scattering data for, an empty or absurdly dense cell,
    or a thickness outside (0, 200] nm.
    """
    slab = DEFAULT_THICKNESS_NM if thickness_nm is None else float(thickness_nm)
    if not (math.isfinite(slab) and 0 < slab <= MAX_THICKNESS_NM):
        raise SpecimenError(f"thickness_nm must be in (0, {MAX_THICKNESS_NM:g}] nm, not {thickness_nm!r}.")
    n = len(structure.elements)
    if not 0 < n <= MAX_ATOMS_PER_CELL:
        raise SpecimenError(f"The structure has {n} atoms per cell; between 1 and {MAX_ATOMS_PER_CELL} can be imaged.")
    unknown = sorted(set(structure.elements) - set(ATOMIC_NUMBER))
    if unknown:
        raise SpecimenError(
            f"The twin has no scattering data for {', '.join(unknown)}.",
            hint=f"Use a structure made of {', '.join(sorted(ATOMIC_NUMBER))}.",
        )
    a1, a2, c_len = projected_cell(structure.cell_nm)
    area = abs(float(a1[0] * a2[1]))
    if area / n < MIN_COLUMN_SPACING_NM**2:
        raise SpecimenError(
            f"The unit cell is {area:.3g} nm^2 in projection for {n} atoms: too dense for a crystal.",
            hint="Check the cell's units (the file should give it in angstrom).",
        )
    basis, _, _ = _columns(structure)
    crystal = tabulated_crystal(structure)
    elements = sorted(set(structure.elements))
    layers = max(1, round(slab / c_len))
    side_nm = max(float(np.hypot(*a1)), float(np.hypot(*a2)))
    attrs = {
        "name": structure.source,
        "description": f"{structure.formula} from {structure.source}, viewed along [001], "
        f"{layers * c_len:.3g} nm thick ({'channelling of the built-in ' + crystal if crystal else 'kinematic'}).",
        "crystal": crystal,
        "damage": DamageModel(dict.fromkeys(elements, GENERIC_BINDING)),
        "columns_per_nm2": len(basis) / area,
        "column_length_nm": layers * c_len,
        "structure": structure,
        "slab_nm": slab,
        "default_settings": {
            "beam": {"energy_kv": 200.0, "current_pa": 30.0},
            "optics": {"convergence_mrad": 25.0, "cs_um": 1.0},
            "scan": {"fov_nm": float(np.clip(12 * side_nm, 2.0, 20.0)), "pixels": 512, "dwell_us": 4.0},
        },
    }
    cls = type("FileStructureSpecimen", (StructureSpecimen,), attrs)
    return cls(seed)


def tabulated_crystal(structure: Structure) -> str | None:
    """The channelling table of a cubic crystal the twin knows (same formula, a = b = c within 1 %), or None."""
    known = TABULATED_CRYSTALS.get(structure.formula)
    if known is None:
        return None
    crystal, a_nm = known
    cell = np.asarray(structure.cell_nm, dtype=np.float64)
    cubic = np.allclose(cell @ cell.T, a_nm**2 * np.eye(3), rtol=0.0, atol=2 * CUBIC_TOLERANCE * a_nm**2)
    return crystal if cubic else None
