"""Typed errors of the acquisition store (same contract as the twin's: message plus a hint; nothing changed)."""

from __future__ import annotations

from copilot.errors import CopilotError


class AcquisitionNotFoundError(CopilotError, KeyError):
    """No acquisition with that id in this session's data folder."""

    hint = "Call list_acquisitions to see the ids (a0001, a0002, ...)."

    def __str__(self) -> str:  # KeyError would quote the message
        return CopilotError.__str__(self)


class ExportPathError(CopilotError, ValueError):
    """An export name that is not a plain file name inside the session's export folder, or already exists."""

    hint = "Give a plain file name such as 'graphene_survey' (letters, digits, '-', '_', '.'; no folders)."


class StructureFileError(CopilotError, ValueError):
    """A structure file name outside the data folder, a missing file, or a file ASE cannot read as a crystal."""

    hint = (
        "Put the structure file (CIF, XYZ with a Lattice, POSCAR, ... anything ASE reads) in the session's data "
        "folder and give its path relative to that folder, e.g. 'structures/si.cif'."
    )
