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


async def _post(url: str, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as raw:
        return await raw.post(url, json=INITIALIZE, headers={**HEADERS, **headers})


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
