"""A client written against the mcp 1.x SDK (run inside a separate virtualenv with ``mcp<2``).

Usage: ``python legacy_client.py stdio <python> <args...>`` or ``python legacy_client.py http <url>``.
Prints one JSON line: the tool names, the status specimen, the acquired id and whether a bad call errored.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client


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


async def main():
    if sys.argv[1] == "stdio":
        params = StdioServerParameters(command=sys.argv[2], args=sys.argv[3:])
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            result = await exercise(session)
    else:
        async with streamablehttp_client(sys.argv[2]) as (read, write, _), ClientSession(read, write) as session:
            result = await exercise(session)
    print(json.dumps(result))


asyncio.run(main())
