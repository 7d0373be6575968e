"""Typed errors of the analysis routines.

``AnalysisError`` inherits ``CopilotError`` so the tool layer turns it into the same kind of message (what was wrong,
what to do next) as an instrument error, and ``ValueError`` so plain callers can catch it without this module.
"""

from __future__ import annotations

from copilot.errors import CopilotError


class AnalysisError(CopilotError, ValueError):
    """The input cannot be analysed as asked (wrong shape, non-finite values, out-of-range parameter, no signal)."""

    hint = "Check the image and parameters (units are nm, eV, s) and try again."


class NoLatticeError(AnalysisError):
    """No periodic lattice was found where one is needed."""

    hint = "Use an atomic-resolution image of a crystalline area (pixel size well below the atom spacing)."
