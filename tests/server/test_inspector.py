"""An external client no one here wrote: MCP Inspector's CLI mode (from the npm registry) against the server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import REPO, serve_command

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("npx") is None, reason="npx (node and npm) is not installed"),
]


def inspector(data_dir: Path, *method_args: str) -> Any:
    """Run ``npx @modelcontextprotocol/inspector --cli <server> <method args>`` and parse its JSON output."""
    command = ["npx", "-y", "@modelcontextprotocol/inspector", "--cli", *serve_command("--data-dir", str(data_dir))]
    done = subprocess.run([*command, *method_args], cwd=REPO, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout[done.stdout.index("{") :])


def test_mcp_inspector_lists_the_tools_and_acquires_an_image(tmp_path: Path) -> None:
    listed = inspector(tmp_path, "--method", "tools/list")
    tools = {t["name"]: t for t in listed["tools"]}
    assert {"get_status", "acquire_image", "export_acquisition"} <= set(tools)
    assert tools["get_status"]["annotations"]["readOnlyHint"] is True
    acquired = inspector(
        tmp_path, "--method", "tools/call", "--tool-name", "acquire_image", "--tool-arg", "detector=BF"
    )
    assert acquired["isError"] is False and acquired["structuredContent"]["detector"] == "BF"
    assert any(c["type"] == "image" and c["mimeType"] == "image/png" for c in acquired["content"])
    assert (tmp_path / "acquisitions" / "a0001.hspy").exists()
