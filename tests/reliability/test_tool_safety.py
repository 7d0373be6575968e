"""No tool runs code or touches files outside the session's folder (checked on every fuzzed call in
``test_bad_input``); here: the audit really sees such things, and no tool offers code or paths as arguments."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from copilot.session import Session
from copilot.store.errors import AcquisitionNotFoundError
from tests.reliability.fs_audit import ALLOWED_READ_ROOTS, AUDIT, outside

CODE_LIKE = re.compile(r"(^|_)(code|script|command|cmd|shell|exec|eval|expr|expression|python|query|sql|url|uri)$")
SECRET = b"TOP-SECRET-OUTSIDE-THE-DATA-FOLDER"
PATH_LIKE = re.compile(r"(^|_)(path|paths|file|filename|dir|directory|folder)$")


def test_the_audit_sees_writes_outside_a_folder_and_started_processes(tmp_path: Path) -> None:
    inside, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    inside.mkdir()
    with AUDIT.watch() as watched:
        (inside / "ok.txt").write_text("fine")
        (tmp_path / "escaped.txt").write_text("not fine")
        (tmp_path / "escaped.txt").replace(elsewhere)
        subprocess.run(["true"], check=True)
    assert set(outside(watched.writes, inside)) == {str(tmp_path / "escaped.txt"), str(elsewhere)}
    assert any(p.startswith("subprocess.Popen") for p in watched.processes)
    assert outside(["/etc/passwd"], inside, ALLOWED_READ_ROOTS) == ["/etc/passwd"]


async def test_no_tool_takes_code_commands_urls_or_file_paths(client: Client[Any]) -> None:
    offenders = []
    for tool in await client.list_tools():
        for name in tool.input_schema.get("properties", {}):
            if CODE_LIKE.search(name) or PATH_LIKE.search(name):
                offenders.append(f"{tool.name}.{name}")
    assert offenders == []


async def test_the_only_file_writing_tool_takes_a_plain_name_into_its_exports_folder(client: Client[Any]) -> None:
    tools = {t.name: t for t in await client.list_tools()}
    writers = sorted(n for n, t in tools.items() if "name" in t.input_schema.get("properties", {}) and "export" in n)
    assert writers == ["export_acquisition"]
    description = tools["export_acquisition"].input_schema["properties"]["name"]["description"]
    assert "no folders" in description


HOSTILE_IDS = ["..%2F..%2Fsecret", "%2E%2E%2F%2E%2E%2Fsecret", "../../secret", "..", "a0001%00", "a0001/../../secret"]


@pytest.mark.parametrize("suffix", ["", "/preview", "/hdf5"])
async def test_resources_refuse_ids_that_point_outside_the_folder(
    session: Session, client: Client[Any], suffix: str
) -> None:
    (session.data_dir.parent / "secret.png").write_bytes(SECRET)
    (session.data_dir.parent / "secret.h5").write_bytes(SECRET)
    for acq_id in HOSTILE_IDS:
        with AUDIT.watch() as watched:
            try:
                contents = await client.read_resource(f"acq://{acq_id}{suffix}")
            except Exception as error:  # refused: any client-side error type will do, as long as nothing leaked
                assert SECRET.decode() not in str(error)
                continue
            assert SECRET not in repr(contents).encode(), f"acq://{acq_id}{suffix} leaked a file outside the folder"
        assert not outside(watched.reads, session.data_dir, ALLOWED_READ_ROOTS)


def test_the_store_serves_previews_only_of_its_own_acquisitions(session: Session) -> None:
    (session.data_dir.parent / "secret.png").write_bytes(SECRET)
    with pytest.raises(AcquisitionNotFoundError):
        session.store.preview("../../secret")
