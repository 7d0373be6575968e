"""Structure files of a data folder (CIF, XYZ, POSCAR, ... anything ASE reads) read into the twin's arrays.

Only files inside the session's data folder can be read: the name is a path relative to it, and the resolved
path (symbolic links followed) must stay inside it. The twin gets a :class:`~copilot.twin.specimens.structure.
Structure` (cell in nm, fractional coordinates, element symbols), never the file.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import numpy as np

from copilot.store.errors import StructureFileError

if TYPE_CHECKING:
    from copilot.twin import Microscope
    from copilot.twin.specimens.structure import Structure

MAX_STRUCTURE_BYTES = 5_000_000
STRUCTURES_FOLDER = "structures"
"""Files in this folder of the data folder are listed by list_specimens (any path inside the folder loads)."""
LISTED_SUFFIXES = frozenset({".cif", ".xyz", ".extxyz", ".vasp", ".poscar", ".pdb", ".xsf", ".traj", ".cfg"})


def is_structure_name(name: str) -> bool:
    """True when a specimen name names a file (it has a suffix such as ``.cif``), not a catalogue entry."""
    return bool(PurePosixPath(name.replace("\\", "/")).suffix)


def structure_files(data_dir: Path) -> list[dict[str, str]]:
    """The structure files of ``data_dir/structures`` as list_specimens entries (name, instrument, description)."""
    folder = Path(data_dir) / STRUCTURES_FOLDER
    files = sorted(p for p in folder.glob("*") if p.is_file() and p.suffix.lower() in LISTED_SUFFIXES)
    description = "structure file: a crystal slab viewed down its c axis (thickness_nm sets the slab, default 10 nm)"
    return [{"name": f"{STRUCTURES_FOLDER}/{p.name}", "instrument": "STEM", "description": description} for p in files]


def structure_path(data_dir: Path, name: str) -> Path:
    """The file ``name`` inside ``data_dir``; StructureFileError for anything outside it or missing."""
    root = Path(data_dir).resolve()
    given = PurePosixPath(name.replace("\\", "/"))
    if not name or "\x00" in name or given.is_absolute() or ".." in given.parts or Path(name).is_absolute():
        raise StructureFileError(f"{name!r} is not a path inside the data folder.")
    path = (root / given).resolve()
    if not path.is_relative_to(root):
        raise StructureFileError(f"{name!r} resolves outside the data folder.")
    if not path.is_file():
        raise StructureFileError(f"No structure file {name!r} in the data folder ({root}).")
    if path.stat().st_size > MAX_STRUCTURE_BYTES:
        raise StructureFileError(f"{name!r} is larger than {MAX_STRUCTURE_BYTES // 1_000_000} MB.")
    return path


def read_structure(data_dir: Path, name: str) -> Structure:
    """Read the crystal in ``data_dir/name`` with ASE (the last frame of a trajectory); cell converted to nm."""
    path = structure_path(data_dir, name)
    from ase.io import read

    from copilot.twin.specimens.structure import Structure

    try:
        atoms = read(path)
    except Exception as exc:  # ASE raises whatever its format parsers raise
        raise StructureFileError(f"ASE cannot read {name!r} as a structure: {exc}") from None
    if isinstance(atoms, list):  # pragma: no cover - read() without an index returns one Atoms
        atoms = atoms[-1]
    if len(atoms) == 0:
        raise StructureFileError(f"{name!r} holds no atoms.")
    if atoms.cell.rank < 3:
        raise StructureFileError(
            f"{name!r} has no 3-D unit cell, so the twin cannot repeat it into a crystal.",
            hint='Give a CIF, or an extended XYZ with a Lattice="..." line, or set the cell with ASE and save.',
        )
    return Structure(
        source=name,
        formula=atoms.get_chemical_formula(mode="metal", empirical=True),
        cell_nm=np.asarray(atoms.cell[:], dtype=np.float64) / 10.0,
        fractional=np.asarray(atoms.get_scaled_positions(wrap=True), dtype=np.float64),
        elements=tuple(atoms.get_chemical_symbols()),
    )


def structure_microscope(data_dir: Path, name: str, seed: int, thickness_nm: float | None = None) -> Microscope:
    """A STEM twin over the crystal of the structure file ``data_dir/name``, a slab ``thickness_nm`` thick."""
    from copilot.twin import Microscope
    from copilot.twin.specimens.structure import structure_specimen

    return Microscope(structure_specimen(read_structure(data_dir, name), seed, thickness_nm), seed=seed)
