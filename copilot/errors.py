"""The one error base of the project: every error raised on purpose means the call was rejected, no state changed.

A :class:`CopilotError` carries a message (what was wrong) and a ``hint`` (what to do next). The tool layer turns
any of them into an MCP ``ToolError`` whose text holds both. The twin, the analysis routines, the store and the
dose policy each subclass it, and also inherit a builtin (``ValueError``, ``RuntimeError``, ``KeyError``) so plain
Python callers can catch them without importing this module.

>>> str(CopilotError("The stage is at its limit.", hint="Move back."))
'The stage is at its limit. Move back.'
"""

from __future__ import annotations


class CopilotError(Exception):
    """Base of every error the project raises on purpose (a rejected call that changed nothing)."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} {self.hint}".strip() if self.hint else base
