"""The AFM tool schemas are a contract: any change shows up as a diff of tests/snapshots/afm_tools_list.json.

After an intended change, refresh it with ``UPDATE_SNAPSHOTS=1 pytest tests/twin_afm/test_schema_snapshot.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastmcp import Client

from tests.server.test_schema_snapshot import schema_of
from tests.twin_afm.test_tools import AFM_TOOLS

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "afm_tools_list.json"


async def test_the_afm_tool_schemas_match_the_reviewed_snapshot(client: Client[Any]) -> None:
    current = {t.name: schema_of(t) for t in await client.list_tools() if t.name in AFM_TOOLS}
    assert set(current) == AFM_TOOLS
    text = json.dumps(current, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == current, (
        "the AFM tools changed; review them and run with UPDATE_SNAPSHOTS=1 to accept"
    )
