"""The tools/list schemas are the contract: any change shows up as a diff of tests/snapshots/tools_list.json.

After an intended change, refresh the snapshot with ``UPDATE_SNAPSHOTS=1 pytest tests/server/test_schema_snapshot.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastmcp import Client

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "tools_list.json"
# Areas written in their own modules snapshot their own tools.
OWN_TOOLS = {
    "get_status", "list_specimens", "load_specimen", "set_beam", "set_optics", "set_scan", "move_stage",
    "set_detectors", "acquire_image", "acquire_spectrum", "acquire_spectrum_image", "autofocus",
    "get_dose_map", "list_acquisitions", "get_acquisition", "export_acquisition",
}  # fmt: skip


def schema_of(tool: Any) -> dict[str, Any]:
    annotations = tool.annotations.model_dump(mode="json", exclude_none=True) if tool.annotations else None
    return {
        "description": tool.description,
        "input_schema": tool.input_schema,
        "output_schema": tool.output_schema,
        "annotations": annotations,
    }


async def test_the_tool_schemas_match_the_reviewed_snapshot(client: Client[Any]) -> None:
    current = {t.name: schema_of(t) for t in await client.list_tools() if t.name in OWN_TOOLS}
    text = json.dumps(current, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == current, (
        "tools/list changed; review it and run with UPDATE_SNAPSHOTS=1 to accept"
    )
