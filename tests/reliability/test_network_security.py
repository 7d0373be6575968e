"""The HTTP transport: loopback by default, a bearer token required off loopback and enforced on every request."""

from __future__ import annotations

import asyncio
import inspect
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastmcp import Client

from copilot.bench.load import free_port, serving
from copilot.tools.cli import is_loopback, serve

TOKEN = "tok-7f3a9c1e-reliability"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/list",
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def test_the_server_binds_loopback_unless_told_otherwise() -> None:
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_addresses_are_recognised(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "fe80::1", "localhost.example.org", "127.0.0.1.nip.io", ""]
)
def test_other_addresses_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.slow
@pytest.mark.parametrize(("host", "token"), [("0.0.0.0", None), ("192.168.1.20", "")])
def test_listening_off_loopback_without_a_token_is_refused_at_start_up(
    tmp_path: Path, host: str, token: str | None
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COPILOT_TOKEN"}
    if token is not None:
        env["COPILOT_TOKEN"] = token
    port = free_port()
    command = [sys.executable, "-m", "copilot.tools.cli", "--transport", "http", "--host", host, "--port", str(port)]
    done = subprocess.run([*command, "--data-dir", str(tmp_path / "data")], env=env, capture_output=True, timeout=60)
    assert done.returncode == 2
    assert b"token" in done.stderr.lower()
    assert not (tmp_path / "data").exists()  # refused before it opened a session


HANDSHAKE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}


async def _post(url: str, headers: dict[str, str], body: dict[str, object] = INITIALIZE) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as raw:
        return await raw.post(url, json=body, headers={**HEADERS, **headers})


@pytest.mark.slow
@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_with_a_token_only_requests_that_carry_it_are_served(tmp_path: Path, host: str) -> None:
    data_dir = tmp_path / "data"
    with serving(data_dir, token=TOKEN, extra=("--host", host)) as (url, _proc):
        refused = [
            asyncio.run(_post(url, {})),
            asyncio.run(_post(url, {"Authorization": "Bearer wrong-token"})),
            asyncio.run(_post(url, {"Authorization": TOKEN})),
            asyncio.run(_post(url, {"Authorization": f"Basic {TOKEN}"})),
            asyncio.run(_post(url, {"Authorization": f"Bearer {TOKEN}x"})),
        ]
        assert [r.status_code for r in refused] == [401] * len(refused)

        async def authorised() -> set[str]:
            async with Client(url, auth=TOKEN) as client:
                status = await client.call_tool("get_status", {})
                assert status.structured_content["instrument"] == "STEM"  # type: ignore[index]
                return {t.name for t in await client.list_tools()}

        assert "acquire_image" in asyncio.run(authorised())
    written = [p for p in data_dir.rglob("*") if p.is_file()]
    assert written and not [p for p in written if TOKEN.encode() in p.read_bytes()]


REBINDING = [
    {"Host": "evil.example"},
    {"Host": "evil.example:8765", "Origin": "http://evil.example:8765"},
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1.nip.io"},
]


@pytest.mark.slow
def test_dns_rebinding_requests_are_refused_and_loopback_or_allowed_origins_are_served(tmp_path: Path) -> None:
    extra = ("--allow-origin", "https://lab.example")
    with serving(tmp_path / "data", extra=extra) as (url, _proc):
        refused = [asyncio.run(_post(url, headers, HANDSHAKE)) for headers in REBINDING]
        assert [r.status_code for r in refused] == [403] * len(REBINDING)
        origins = ["http://localhost:3000", "http://127.0.0.1:8501", "https://lab.example"]
        served = [asyncio.run(_post(url, {}, HANDSHAKE))]
        served += [asyncio.run(_post(url, {"Origin": origin}, HANDSHAKE)) for origin in origins]
        assert [r.status_code for r in served] == [200] * len(served)


@pytest.mark.slow
def test_the_token_comes_from_a_file_never_appears_in_the_command_line_logs_or_files(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    data_dir = tmp_path / "data"
    with serving(data_dir, extra=("--host", "0.0.0.0", "--token-file", str(token_file))) as (url, proc):
        assert TOKEN not in " ".join(proc.args)  # type: ignore[arg-type]
        assert asyncio.run(_post(url, {"Authorization": "Bearer wrong"})).status_code == 401
        assert asyncio.run(_post(url, {"Authorization": f"Bearer {TOKEN}"}, HANDSHAKE)).status_code == 200
    written = [p for p in data_dir.rglob("*") if p.is_file()]
    assert not [p for p in written if TOKEN.encode() in p.read_bytes()]


def test_the_command_takes_no_token_option_that_would_show_it_to_other_users() -> None:
    assert "token" not in inspect.signature(serve).parameters


async def test_the_token_is_compared_in_constant_time_and_not_shown() -> None:
    from copilot.tools.http_guard import ConstantTimeTokenVerifier

    verifier = ConstantTimeTokenVerifier(TOKEN)
    assert await verifier.verify_token(TOKEN) is not None
    assert await verifier.verify_token(TOKEN[:-1]) is None and await verifier.verify_token(TOKEN + "x") is None
    source = inspect.getsource(ConstantTimeTokenVerifier.verify_token)
    assert "compare_digest" in source and TOKEN not in repr(verifier)
    accepted = await verifier.verify_token(TOKEN)
    assert accepted is not None and TOKEN not in accepted.model_dump_json()


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:8501", True),
        ("https://127.0.0.1", True),
        ("http://[::1]:9000", True),
        ("HTTP://LOCALHOST", True),
        ("http://evil.example", False),
        ("http://localhost.evil.example", False),
        ("file://", False),
        ("null", False),
    ],
)
def test_only_loopback_origins_are_allowed_by_default(origin: str, allowed: bool) -> None:
    from copilot.tools.http_guard import origin_allowed

    assert origin_allowed(origin) is allowed
