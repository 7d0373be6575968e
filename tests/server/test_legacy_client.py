"""Clients written for the mcp 1.x SDK (older external clients) still work, over stdio and over HTTP.

The mcp 1.x SDK is installed from the package registry into a throwaway virtualenv cached under
``~/.cache/copilot-tests/venv-mcp1`` (created on first use).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import venv
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import REPO, serve_command
from tests.server.servers import http_server

pytestmark = pytest.mark.slow
CLIENT = Path(__file__).with_name("legacy_client.py")


@pytest.fixture(scope="module")
def mcp1_python() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "copilot-tests" / "venv-mcp1"
    python = root / "bin" / "python"
    marker = root / ".installed-mcp1"
    root.parent.mkdir(parents=True, exist_ok=True)
    with (root.parent / "venv-mcp1.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # test workers running in parallel build the venv once
        if not marker.exists():
            venv.create(root, with_pip=True, clear=True)
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "mcp>=1.10,<2"], capture_output=True, text=True
            )
            if done.returncode != 0:
                pytest.fail(f"could not install mcp<2 from the package registry: {done.stderr[-2000:]}")
            marker.touch()
    return python


def run_client(python: Path, *args: str, answers: str | None = None) -> dict[str, Any]:
    env = {**os.environ, **({"LEGACY_ANSWERS": answers} if answers else {})}
    done = subprocess.run(
        [str(python), str(CLIENT), *args], capture_output=True, text=True, timeout=120, cwd=REPO, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def check(result: dict[str, object]) -> None:
    assert {"get_status", "acquire_image"} <= set(result["tools"])  # type: ignore[call-overload]
    assert result["specimen"] == "graphene" and result["id"] == "a0001"
    assert result["has_image"] is True and result["bad_is_error"] is True


def test_an_mcp1_client_works_over_stdio(mcp1_python: Path, tmp_path: Path) -> None:
    command = serve_command("--data-dir", str(tmp_path))
    check(run_client(mcp1_python, "stdio", command[0], *command[1:]))


def check_approval(result: dict[str, Any], answer: str) -> None:
    if answer == "none":
        assert result["asked"] == [] and result["is_error"] and "cannot ask (no elicitation)" in result["text"]
        return
    (asked,) = result["asked"]
    assert "critical dose" in asked["message"]
    assert asked["schema"]["properties"]["decision"]["x-copilot-safe-alternative"]["dwell_ms"] > 0
    assert result["is_error"] is (answer == "decline")
    if answer == "approve":
        assert result["dose_e_per_A2"] > 1e4  # MoS2's critical dose, passed because the person approved
    else:
        assert "The person declined it" in result["text"]


def test_an_mcp1_client_answers_the_servers_dose_question_over_stdio(mcp1_python: Path, tmp_path: Path) -> None:
    command = serve_command("--data-dir", str(tmp_path))
    results = run_client(mcp1_python, "stdio", command[0], *command[1:], answers="approve,none")
    for answer, result in results.items():
        check_approval(result, answer)


def test_an_mcp1_client_works_over_http_and_answers_the_servers_dose_question(
    mcp1_python: Path, tmp_path: Path
) -> None:
    with http_server(tmp_path) as url:
        check(run_client(mcp1_python, "http", url))
        results = run_client(mcp1_python, "http", url, answers="approve,decline,none")
    assert set(results) == {"approve", "decline", "none"}
    for answer, result in results.items():
        check_approval(result, answer)
