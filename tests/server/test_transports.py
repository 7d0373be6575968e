"""The real server as a subprocess over stdio and streamable HTTP, called by the official ``mcp`` SDK client."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.server.conftest import REPO, serve_command
from tests.server.servers import free_port, http_server

pytestmark = pytest.mark.slow


async def exercise(client: Client) -> None:
    """List the tools, read the status and acquire one small image."""
    names = {t.name for t in (await client.list_tools()).tools}
    assert {"get_status", "acquire_image", "export_acquisition"} <= names
    status = await client.call_tool("get_status", {})
    assert not status.is_error and status.structured_content["instrument"] == "STEM"  # type: ignore[index]
    await client.call_tool("set_scan", {"pixels": 64})
    image = await client.call_tool("acquire_image", {"detector": "HAADF"})
    assert not image.is_error and image.structured_content["id"] == "a0001"  # type: ignore[index]
    assert any(c.type == "image" for c in image.content)
    bad = await client.call_tool("set_scan", {"pixels": -1})
    assert bad.is_error
    assert not (await client.call_tool("get_status", {})).is_error


def stdio_params(data_dir: Path) -> StdioServerParameters:
    command = serve_command("--data-dir", str(data_dir))
    return StdioServerParameters(command=command[0], args=command[1:], cwd=str(REPO))


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_sdk_client_works_over_stdio(tmp_path: Path, mode: str) -> None:
    async with Client(stdio_params(tmp_path), mode=mode) as client:
        await exercise(client)
    assert (tmp_path / "acquisitions" / "a0001.hspy").exists()


def test_stdio_start_up_writes_nothing_to_stdout(tmp_path: Path) -> None:
    done = subprocess.run(
        serve_command("--data-dir", str(tmp_path)), cwd=REPO, input=b"", capture_output=True, timeout=60
    )
    assert done.stdout == b""


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_sdk_client_works_over_http_on_loopback(tmp_path: Path, mode: str) -> None:
    with http_server(tmp_path) as url:
        async with Client(url, mode=mode) as client:
            await exercise(client)


async def test_with_a_token_http_requests_without_it_are_refused(tmp_path: Path) -> None:
    with http_server(tmp_path, env={"COPILOT_TOKEN": "s3cret-token"}) as url:
        async with httpx2.AsyncClient() as raw:
            response = await raw.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            assert response.status_code == 401
        authed = httpx2.AsyncClient(headers={"Authorization": "Bearer s3cret-token"})
        async with Client(streamable_http_client(url, http_client=authed)) as client:
            await exercise(client)


def test_binding_a_non_loopback_address_without_a_token_is_refused(tmp_path: Path) -> None:
    args = serve_command("--transport", "http", "--host", "0.0.0.0", "--port", str(free_port()))
    done = subprocess.run([*args, "--data-dir", str(tmp_path)], cwd=REPO, capture_output=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})  # fmt: skip
    assert done.returncode == 2 and b"token" in done.stderr


async def test_with_session_per_client_two_http_clients_get_separate_microscopes(tmp_path: Path) -> None:
    with http_server(tmp_path, "--session-per-client") as url:
        async with Client(url, mode="legacy") as first, Client(url, mode="legacy") as second:
            await first.call_tool("set_scan", {"fov_nm": 12.5})
            seen_by_second = await second.call_tool("get_status", {})
            seen_by_first = await first.call_tool("get_status", {})
    assert seen_by_first.structured_content["settings"]["scan"]["fov_nm"] == 12.5  # type: ignore[index]
    assert seen_by_second.structured_content["settings"]["scan"]["fov_nm"] != 12.5  # type: ignore[index]
    assert len(list((tmp_path / "clients").iterdir())) == 2


def test_an_unknown_start_specimen_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        serve_command("--specimen", "unobtainium", "--data-dir", str(tmp_path)),
        cwd=REPO,
        capture_output=True,
        timeout=60,
        input=b"",
    )
    assert done.returncode == 2 and b"unobtainium" in done.stderr and b"Traceback" not in done.stderr
    assert done.stdout == b""


async def ask_twice(target: object) -> list[tuple[bool, str]]:
    """Two over-critical-dose spectra on mos2 through a fastmcp client that approves the first and declines the
    second; returns (is_error, text) of each."""
    from fastmcp import Client as FastMCPClient
    from fastmcp.client.elicitation import ElicitResult

    answers = iter(["approve", "decline"])

    async def handler(message: str, response_type: object, params: object, context: object) -> object:
        answer = next(answers)
        return {"decision": answer} if answer == "approve" else ElicitResult(action="decline")

    spot = {"kind": "EELS", "x_nm": 5.0, "y_nm": 5.0}
    async with FastMCPClient(target, elicitation_handler=handler) as client:  # type: ignore[arg-type]
        assert client.protocol_version == "2026-07-28"
        results = [await client.call_tool("acquire_spectrum", spot, raise_on_error=False) for _ in range(2)]
    return [(r.is_error, r.content[0].text) for r in results]  # type: ignore[union-attr]


def check_asked_twice(outcomes: list[tuple[bool, str]], data_dir: Path) -> None:
    (approved_error, _), (declined_error, declined_text) = outcomes
    assert not approved_error and declined_error and "The person declined it" in declined_text
    assert sorted(p.name for p in (data_dir / "acquisitions").glob("a*.hspy")) == ["a0001.hspy"]


async def test_the_person_answers_the_dose_question_over_stdio(tmp_path: Path) -> None:
    from fastmcp.client.transports import StdioTransport

    command = serve_command("--data-dir", str(tmp_path), "--specimen", "mos2")
    check_asked_twice(await ask_twice(StdioTransport(command[0], command[1:], cwd=str(REPO))), tmp_path)


async def test_the_person_answers_the_dose_question_over_http(tmp_path: Path) -> None:
    with http_server(tmp_path, "--specimen", "mos2") as url:
        check_asked_twice(await ask_twice(url), tmp_path)
