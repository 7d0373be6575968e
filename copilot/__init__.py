"""Microscope Copilot: a language-model agent that runs a digital-twin microscope through MCP tools."""

__version__ = "0.1.0"
