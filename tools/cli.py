"""``copilot serve``: run the MCP server over stdio (default) or streamable HTTP.

Start-up is quiet: nothing but protocol messages on stdout (stdio), logs on stderr. Binding an address other
than loopback requires a bearer token (``--token`` or ``COPILOT_TOKEN``); requests without it are refused.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fastmcp.server.auth import AuthProvider

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class Transport(StrEnum):
    stdio = "stdio"
    http = "http"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bearer_auth(token: str | None) -> AuthProvider | None:
    """A static bearer-token verifier for ``token``, or None when no token is set."""
    if not token:
        return None
    from fastmcp.server.auth.providers.jwt import StaticTokenVerifier

    return StaticTokenVerifier(tokens={token: {"client_id": "copilot-client", "scopes": []}})


def serve(
    transport: Annotated[Transport, typer.Option(help="stdio for a client that starts the server; http to listen")] = (
        Transport.stdio
    ),
    host: Annotated[str, typer.Option(help="HTTP address to bind (non-loopback needs --token)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port", min=1, max=65535)] = 8765,
    data_dir: Annotated[Path, typer.Option(help="folder for acquisitions, previews and the journal")] = Path("data"),
    session_per_client: Annotated[
        bool, typer.Option(help="give every client its own microscope (default: one shared instrument)")
    ] = False,
    token: Annotated[
        str | None, typer.Option(envvar="COPILOT_TOKEN", help="bearer token required on HTTP requests")
    ] = None,
    specimen: Annotated[str, typer.Option(help="specimen loaded at start")] = "graphene",
    seed: Annotated[int, typer.Option(help="random seed of the specimen", min=0)] = 0,
) -> None:
    """Serve the microscope tools over MCP (stdio or streamable HTTP)."""
    if transport is Transport.http and not is_loopback(host) and not token:
        typer.echo(f"Refusing to listen on {host} without a token: set --token or COPILOT_TOKEN.", err=True)
        raise typer.Exit(code=2)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)

    from copilot.errors import CopilotError
    from copilot.session import Session

    from .server import create_server

    try:
        session = Session(data_dir, specimen=specimen, seed=seed)
    except CopilotError as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    auth = bearer_auth(token) if transport is Transport.http else None
    mcp = create_server(session, session_per_client=session_per_client, auth=auth)
    try:
        if transport is Transport.stdio:
            mcp.run(transport="stdio", show_banner=False)
        else:
            mcp.run(transport="http", host=host, port=port, show_banner=False, log_level="warning")
    finally:
        session.close()


def main() -> None:
    """Run :func:`serve` as a stand-alone command (``python -m copilot.tools.cli``)."""
    typer.run(serve)


if __name__ == "__main__":
    main()
