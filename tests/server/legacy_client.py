"""A client written against the mcp 1.x SDK (run inside a separate virtualenv with ``mcp<2``).

Usage: ``python legacy_client.py stdio <python> <args...>`` or ``python legacy_client.py http <url>``.
Without ``LEGACY_ANSWERS`` in the environment it prints one JSON line: the tool names, the status specimen, the
acquired id and whether a bad call errored. With ``LEGACY_ANSWERS`` (comma-separated, each ``approve``,
``use_safe_setting``, ``decline``, ``cancel`` or ``none`` for a client without elicitation) it connects once per
answer, asks for an over-critical-dose spectrum on mos2 and prints, per answer, what the server asked and the
outcome.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client

ANSWERS = os.environ.get("LEGACY_ANSWERS")
ASKED = []


def answering(choice):
    async def answer(context, params):
        ASKED.append({"message": params.message, "schema": params.requestedSchema})
        if choice in ("decline", "cancel"):
            return types.ElicitResult(action=choice)
        return types.ElicitResult(action="accept", content={"decision": choice})

    return None if choice == "none" else answer


async def exercise(session):
    await session.initialize()
    tools = await session.list_tools()
    status = await session.call_tool("get_status", {})
    await session.call_tool("set_scan", {"pixels": 64})
    image = await session.call_tool("acquire_image", {"detector": "HAADF"})
    bad = await session.call_tool("set_scan", {"pixels": -1})
    return {
        "tools": sorted(t.name for t in tools.tools),
        "specimen": status.structuredContent["specimen"],
        "id": image.structuredContent["id"],
        "has_image": any(c.type == "image" for c in image.content),
        "bad_is_error": bad.isError,
    }


async def exercise_approval(session):
    await session.initialize()
    await session.call_tool("load_specimen", {"name": "mos2"})
    spectrum = await session.call_tool("acquire_spectrum", {"kind": "EELS", "x_nm": 5.0, "y_nm": 5.0})
    asked = list(ASKED)
    ASKED.clear()
    return {
        "asked": asked,
        "is_error": spectrum.isError,
        "text": spectrum.content[0].text if spectrum.content else "",
        "dose_e_per_A2": (spectrum.structuredContent or {}).get("dose_e_per_A2"),
    }


async def connect(run, callback=None):
    if sys.argv[1] == "stdio":
        params = StdioServerParameters(command=sys.argv[2], args=sys.argv[3:])
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write, elicitation_callback=callback) as session,
        ):
            return await run(session)
    async with (
        streamablehttp_client(sys.argv[2]) as (read, write, _),
        ClientSession(read, write, elicitation_callback=callback) as session,
    ):
        return await run(session)


async def main():
    if ANSWERS is None:
        print(json.dumps(await connect(exercise)))
        return
    results = {}
    for choice in ANSWERS.split(","):
        results[choice] = await connect(exercise_approval, answering(choice))
    print(json.dumps(results))


asyncio.run(main())
