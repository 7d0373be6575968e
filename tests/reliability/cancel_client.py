"""An mcp 1.x client that starts a long spectrum image and then cancels it, or goes away in the middle of it.

Usage: ``python cancel_client.py {cancel,vanish} {stdio <python> <args...> | http <url>}`` (run inside a
virtualenv with ``mcp<2``). ``cancel`` sends ``notifications/cancelled`` once the server reports progress (the
acquisition is running; 2 s after the call when it reports none), then times a ``get_status``, which the server
answers only when the session lock is free again, i.e. when the cancelled work has stopped; it prints one JSON
line. ``vanish`` prints the stdio server's process id and leaves with ``os._exit`` while the acquisition runs,
without closing anything.
"""

import asyncio
import contextlib
import json
import os
import sys
import time

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client

LONG_MAP = {"kind": "EELS", "x_nm": 1.0, "y_nm": 1.0, "width_nm": 16.0, "height_nm": 16.0, "pixels": 64}
LONG_MAP["dwell_ms"] = 1.0  # 4096 spectra: several seconds of computing


def children():
    """Process ids whose parent is this process (the stdio server)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as fh:
                if entry.isdigit() and int(fh.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                    found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


async def exercise(session, mode):
    await session.initialize()
    before = (await session.call_tool("get_status", {})).structuredContent
    running = asyncio.Event()

    async def on_progress(progress, total, message):
        running.set()

    request_id = session._request_id  # the id the next request gets
    started = time.perf_counter()
    call = asyncio.create_task(session.call_tool("acquire_spectrum_image", LONG_MAP, progress_callback=on_progress))
    with contextlib.suppress(TimeoutError):  # a server that reports no progress gets 2 s to start the work
        await asyncio.wait_for(running.wait(), timeout=2.0)
    running_after_s = time.perf_counter() - started
    if mode == "vanish":
        print(json.dumps({"running_after_s": running_after_s, "server_pids": children()}), flush=True)
        os._exit(0)
    cancelled_at = time.perf_counter()
    await session.send_notification(
        types.ClientNotification(
            types.CancelledNotification(
                params=types.CancelledNotificationParams(requestId=request_id, reason="the person pressed stop")
            )
        )
    )
    after = (await session.call_tool("get_status", {})).structuredContent
    stopped_after_s = time.perf_counter() - cancelled_at
    answered = call.done()
    call.cancel()
    return {
        "running_after_s": running_after_s,
        "progress_seen": running.is_set(),
        "stopped_after_s": stopped_after_s,
        "cancelled_call_answered": answered,
        "acquisitions_before": before["acquisitions"],
        "acquisitions_after": after["acquisitions"],
        "clock_before_s": before["instrument_time_s"],
        "clock_after_s": after["instrument_time_s"],
        "dose_before": before["dose"],
        "dose_after": after["dose"],
    }


async def main():
    mode, transport = sys.argv[1], sys.argv[2]
    if transport == "stdio":
        params = StdioServerParameters(command=sys.argv[3], args=sys.argv[4:], env=dict(os.environ))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            result = await exercise(session, mode)
    else:
        async with streamablehttp_client(sys.argv[3]) as (read, write, _), ClientSession(read, write) as session:
            result = await exercise(session, mode)
    print(json.dumps(result), flush=True)


asyncio.run(main())
