"""Typed errors of the twin. Every one of them means: the call was rejected and no state changed.

Each error inherits ``ValueError`` (or ``RuntimeError`` for instrument conditions) so plain Python callers can
catch it without importing this module, and ``TwinError`` so the tool layer can turn it into a message that says
what was wrong and what to do next (``hint``).
"""

from __future__ import annotations

from copilot.errors import CopilotError


class TwinError(CopilotError):
    """Base of every error the twin raises on purpose."""


class InvalidSettingError(TwinError, ValueError):
    """A setting is outside its physical range, not finite, or of the wrong kind."""

    hint = "Check the allowed range in the tool description and try again."


class StageLimitError(InvalidSettingError):
    """A stage move would leave the travel range of an axis."""

    hint = "Choose a target inside the stage limits (see get_status)."


class BeamBlankedError(TwinError, RuntimeError):
    """The beam is blanked, so nothing can be acquired."""

    hint = "Unblank the beam with set_beam(blanked=false) first."


class ScanAbortedError(TwinError, RuntimeError):
    """The scan was aborted part-way (an injected fault or an instrument interlock)."""

    hint = "Nothing was stored; acquire again."


class SpecimenError(TwinError, ValueError):
    """Unknown specimen, or an operation that does not apply to the loaded specimen or instrument."""

    hint = "Call list_specimens to see what can be loaded."


class TipCrashError(TwinError, RuntimeError):
    """The AFM tip crashed into the surface; the tip is damaged until changed."""

    hint = "Withdraw, call change_tip, approach again with a gentler setpoint and gains."


class ProbeEngagedError(TwinError, RuntimeError):
    """The AFM tip is on the surface, so this operation (e.g. a tip change or a second approach) is not allowed."""

    hint = "Call withdraw first."


class ProbeNotEngagedError(TwinError, RuntimeError):
    """The AFM tip is not on the surface, so nothing can be imaged or measured."""

    hint = "Call approach first."
