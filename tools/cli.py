"""``copilot serve``: run the MCP server over stdio (default) or streamable HTTP.

Start-up is quiet: nothing but protocol messages on stdout (stdio), logs on stderr. Over HTTP, requests from a
foreign Origin (or, on loopback, a foreign Host) are refused with 403 (:mod:`copilot.tools.http_guard`). Binding
an address other than loopback requires a bearer token, read from ``COPILOT_TOKEN`` or ``--token-file`` (never
from the command line, where every user of the machine can read it); requests without it are refused (401).
"""

from __future__ import annotations

import logging
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .http_guard import is_loopback

if TYPE_CHECKING:
    from fastmcp.server.auth import AuthProvider

__all__ = ["Approval", "Transport", "bearer_auth", "is_loopback", "main", "read_token", "serve"]


class Transport(StrEnum):
    stdio = "stdio"
    http = "http"


class Approval(StrEnum):
    elicit = "elicit"
    deny = "deny"
    allow = "allow"


def bearer_auth(token: str | None) -> AuthProvider | None:
    """A constant-time bearer-token verifier for ``token``, or None when no token is set."""
    if not token:
        return None
    from .http_guard import ConstantTimeTokenVerifier

    return ConstantTimeTokenVerifier(token)


def read_token(token_file: Path | None) -> str | None:
    """The bearer token: the first line of ``token_file`` when given, else ``COPILOT_TOKEN`` (None when unset)."""
    if token_file is not None:
        try:
            lines = token_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            typer.echo(f"Cannot read the token file {token_file}: {exc.strerror}.", err=True)
            raise typer.Exit(code=2) from exc
        return (lines[0].strip() if lines else "") or None
    return os.environ.get("COPILOT_TOKEN") or None


def serve(
    transport: Annotated[Transport, typer.Option(help="stdio for a client that starts the server; http to listen")] = (
        Transport.stdio
    ),
    host: Annotated[str, typer.Option(help="HTTP address to bind (non-loopback needs a token)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port", min=1, max=65535)] = 8765,
    data_dir: Annotated[Path, typer.Option(help="folder for acquisitions, previews and the journal")] = Path("data"),
    session_per_client: Annotated[
        bool, typer.Option(help="give every client its own microscope (default: one shared instrument)")
    ] = False,
    token_file: Annotated[
        Path | None,
        typer.Option(help="file whose first line is the bearer token required on HTTP requests (else COPILOT_TOKEN)"),
    ] = None,
    allow_origin: Annotated[
        list[str] | None,
        typer.Option(help="a browser Origin allowed besides loopback ones, e.g. https://lab.example (repeatable)"),
    ] = None,
    specimen: Annotated[
        str | None,
        typer.Option(help="specimen loaded at start (default: continue the data folder's instrument, else graphene)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="random seed of the specimen", min=0)] = 0,
    approval: Annotated[
        Approval,
        typer.Option(
            help="over-dose acquisitions: elicit asks the person through the client (refused when the client "
            "cannot ask); deny refuses them; allow runs them"
        ),
    ] = Approval.elicit,
) -> None:
    """Serve the microscope tools over MCP (stdio or streamable HTTP)."""
    token = read_token(token_file) if transport is Transport.http else None
    if transport is Transport.http and not is_loopback(host) and not token:
        typer.echo(f"Refusing to listen on {host} without a token: set COPILOT_TOKEN or --token-file.", err=True)
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
    mcp = create_server(session, session_per_client=session_per_client, auth=auth, approval=approval.value)
    try:
        if transport is Transport.stdio:
            mcp.run(transport="stdio", show_banner=False)
        else:
            from starlette.middleware import Middleware

            from .http_guard import HostOriginGuard

            guard = Middleware(HostOriginGuard, check_host=is_loopback(host), allowed_origins=allow_origin or ())
            mcp.run(transport="http", host=host, port=port, show_banner=False, log_level="warning", middleware=[guard])
    finally:
        session.close()


def main() -> None:
    """Run :func:`serve` as a stand-alone command (``python -m copilot.tools.cli``)."""
    typer.run(serve)


if __name__ == "__main__":
    main()
