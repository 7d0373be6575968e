"""The MCP server of the microscope: ``create_server(session)`` builds it over a caller-owned Session."""

from .server import create_server

__all__ = ["create_server"]
