"""Microscope Copilot: a language-model agent that runs a digital-twin microscope through MCP tools.

``copilot.Microscope`` is the same microscope for Python (see :mod:`copilot.api`); it is imported on first use,
so ``import copilot`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from copilot.api import Microscope

__version__ = "0.1.0"
__all__ = ["Microscope", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Microscope":
        from copilot.api import Microscope

        return Microscope
    raise AttributeError(f"module 'copilot' has no attribute {name!r}")
