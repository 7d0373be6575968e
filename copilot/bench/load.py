"""Load: the HTTP server on 127.0.0.1 under concurrent MCP clients making mixed calls.

``copilot bench`` starts ``copilot serve --transport http`` in a subprocess on a free loopback port, runs
:data:`BENCH_PLAN` (16 clients, a few hundred mixed calls each, bounded in count and time) and reports the latency
percentiles, the throughput, the number of errors (target 0) and whether the journal and the store on disk agree
with what the clients were told. The same driver (:func:`serving`, :func:`run_load`, :func:`consistency_problems`)
backs the reliability tests with a smaller plan.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from copilot.bench.core import BenchReport
from copilot.store.acquisition import read_hdf5

MIX: dict[str, float] = {
    "get_status": 0.20,
    "set_scan": 0.10,
    "set_beam": 0.05,
    "move_stage": 0.10,
    "acquire_image": 0.20,
    "list_acquisitions": 0.10,
    "get_acquisition": 0.15,
    "get_dose_map": 0.10,
}
"""Share of each tool in the mixed calls (an instrument session: mostly status, settings and small images)."""


@dataclass(frozen=True)
class LoadPlan:
    """How many clients, how many calls each, and the time limit of the whole run."""

    clients: int = 16
    calls_per_client: int = 200
    seed: int = 0
    time_limit_s: float = 600.0


BENCH_PLAN = LoadPlan(clients=16, calls_per_client=200)


@dataclass(frozen=True)
class CallRecord:
    """One tool call as a client saw it: latency, outcome and, for acquisitions, the id and size it was told."""

    client: int
    tool: str
    latency_s: float
    ok: bool
    error: str = ""
    acq_id: str | None = None
    pixels: int | None = None
    dose_e_per_A2: float = 0.0


@dataclass
class LoadResult:
    """Every call of a load run, the wall time and the status read by a fresh client at the end."""

    records: list[CallRecord] = field(default_factory=list)
    wall_s: float = 0.0
    final_status: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[CallRecord]:
        return [r for r in self.records if not r.ok]

    @property
    def acquired(self) -> list[CallRecord]:
        """Acquisitions the clients were told succeeded, in no particular order."""
        return [r for r in self.records if r.ok and r.acq_id is not None]

    def latency_percentiles_s(self, percentiles: tuple[float, ...] = (50, 95, 99)) -> dict[float, float]:
        """Latency percentiles over every call, in s."""
        latencies = np.array([r.latency_s for r in self.records], dtype=np.float64)
        return {p: float(np.percentile(latencies, p)) for p in percentiles}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 60.0, stderr: Any = None) -> None:
    """Return when 127.0.0.1:``port`` accepts connections; raise if the server exits or the time runs out.

    ``stderr``: the server's standard error as a file, quoted (its end) when the server exits early.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = ""
            if stderr is not None:
                stderr.seek(0)
                said = ": " + stderr.read().decode("utf-8", "replace")[-2000:]
            raise RuntimeError(f"the server exited with code {proc.returncode} before listening on port {port}{said}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"the server did not listen on 127.0.0.1:{port} within {timeout_s:g} s")


@contextmanager
def serving(
    data_dir: Path, *, module: str = "copilot.tools.cli", token: str | None = None, extra: tuple[str, ...] = ()
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run ``python -m <module>`` (the ``copilot serve`` command) over HTTP on a free 127.0.0.1 port.

    Yields the MCP endpoint URL and the process. The token goes through ``COPILOT_TOKEN`` (never on the command
    line, where other users of the machine could read it). The server is stopped on exit (killed if it hangs).
    """
    port = free_port()
    command = [sys.executable, "-m", module, "--transport", "http", "--host", "127.0.0.1", "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if k != "COPILOT_TOKEN"}
    if token is not None:
        env["COPILOT_TOKEN"] = token
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        [*command, "--data-dir", str(data_dir), *extra],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        wait_for_port(port, proc, stderr=stderr)
        yield f"http://127.0.0.1:{port}/mcp", proc
    finally:
        stderr.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)


def next_call(rng: np.random.Generator, own_ids: list[str]) -> tuple[str, dict[str, Any]]:
    """A random call from :data:`MIX` with valid arguments that keep every frame small and low-dose.

    ``own_ids`` are the acquisitions this client was told about (``get_acquisition`` picks one of them).
    """
    tool = str(rng.choice(list(MIX), p=list(MIX.values())))
    if tool == "set_scan":
        args: dict[str, Any] = {
            "fov_nm": float(rng.uniform(100.0, 400.0)),
            "pixels": int(rng.choice([32, 48, 64])),
            "dwell_us": float(rng.uniform(0.5, 2.0)),
        }
        return tool, args
    if tool == "set_beam":
        return tool, {"current_pa": float(rng.uniform(1.0, 20.0))}
    if tool == "move_stage":
        return tool, {"x_um": float(rng.uniform(-5.0, 5.0)), "y_um": float(rng.uniform(-5.0, 5.0))}
    if tool == "acquire_image":
        return tool, {"detector": str(rng.choice(["HAADF", "BF"]))}
    if tool == "list_acquisitions":
        return tool, {"last": int(rng.integers(1, 20))}
    if tool == "get_acquisition":
        return ("get_acquisition", {"acq_id": str(rng.choice(own_ids))}) if own_ids else ("get_status", {})
    return tool, {}


def _client(url: str, token: str | None) -> Any:
    from fastmcp import Client

    return Client(url, auth=token, timeout=120)


async def _timed_call(client: Any, index: int, tool: str, args: dict[str, Any]) -> CallRecord:
    """Make one call and record what the client was told."""
    t0 = time.perf_counter()
    result = await client.call_tool(tool, args, raise_on_error=False)
    latency_s = time.perf_counter() - t0
    if result.is_error:
        return CallRecord(index, tool, latency_s, False, " ".join(getattr(c, "text", "") for c in result.content))
    data = result.structured_content or {}
    if tool != "acquire_image":
        return CallRecord(index, tool, latency_s, True)
    dose = float(data.get("dose_e_per_A2") or 0.0)
    return CallRecord(index, tool, latency_s, True, "", data.get("id"), data.get("pixels"), dose)


async def _one_client(url: str, token: str | None, index: int, plan: LoadPlan) -> list[CallRecord]:
    rng = np.random.default_rng([plan.seed, index])
    own_ids: list[str] = []
    records = []
    async with _client(url, token) as client:
        for _ in range(plan.calls_per_client):
            record = await _timed_call(client, index, *next_call(rng, own_ids))
            if record.acq_id is not None:
                own_ids.append(record.acq_id)
            records.append(record)
    return records


async def run_load(url: str, plan: LoadPlan, token: str | None = None) -> LoadResult:
    """Run ``plan.clients`` concurrent clients against ``url``; raise ``TimeoutError`` past ``plan.time_limit_s``.

    A set-up client (recorded as client -1) first sets small, low-dose scan settings; a last one reads the final
    status.
    """
    async with _client(url, token) as setup:
        records = [
            await _timed_call(setup, -1, "set_beam", {"current_pa": 10.0}),
            await _timed_call(setup, -1, "set_scan", {"fov_nm": 200.0, "pixels": 32, "dwell_us": 1.0}),
        ]
    t0 = time.perf_counter()
    async with asyncio.timeout(plan.time_limit_s):
        per_client = await asyncio.gather(*(_one_client(url, token, i, plan) for i in range(plan.clients)))
    wall_s = time.perf_counter() - t0
    async with _client(url, token) as last:
        t_final = time.perf_counter()
        final = await last.call_tool("get_status", {})
        records.append(CallRecord(-1, "get_status", time.perf_counter() - t_final, not final.is_error))
    return LoadResult(records + [r for rs in per_client for r in rs], wall_s, final.structured_content or {})


def _journal_lines(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The complete journal entries and the number of lines that do not parse."""
    entries, torn = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            torn += 1
    return entries, torn


def consistency_problems(data_dir: Path, result: LoadResult) -> list[str]:
    """Every way the journal, the store on disk and the final status disagree with what the clients were told.

    Checks: acquisition ids unique; the HDF5 files on disk are exactly the acknowledged acquisitions, each
    readable with the image size the client was told; the journal parses, its ``seq`` runs 1..N, it holds one
    line per tool call (every tool, reads included) with the same outcome and the same acquisition ids; the final
    status counts every acquisition and the session dose is the sum of the acknowledged doses. An empty list
    means consistent.
    """
    problems: list[str] = []
    acquired = result.acquired
    ids = [r.acq_id for r in acquired if r.acq_id is not None]
    if len(set(ids)) != len(ids):
        problems.append(f"duplicate acquisition ids handed out: {sorted(k for k, n in Counter(ids).items() if n > 1)}")
    on_disk = {p.stem for p in (data_dir / "acquisitions").glob("a*.hspy")}
    if on_disk != set(ids):
        problems.append(f"store and clients disagree: missing {set(ids) - on_disk}, unannounced {on_disk - set(ids)}")
    for record in acquired:
        path = data_dir / "acquisitions" / f"{record.acq_id}.hspy"
        if path.exists():
            shape = read_hdf5(path).arrays["image"].shape
            if shape != (record.pixels, record.pixels):
                problems.append(f"{record.acq_id} holds a {shape} image, the client was told {record.pixels} px")
    entries, torn = _journal_lines(data_dir / "journal.jsonl")
    if torn:
        problems.append(f"{torn} journal line(s) do not parse")
    if [e.get("seq") for e in entries] != list(range(1, len(entries) + 1)):
        problems.append("journal seq numbers are not 1..N in order")
    for tool in sorted({r.tool for r in result.records} | {str(e.get("tool")) for e in entries}):
        told = Counter(r.ok for r in result.records if r.tool == tool)
        logged = Counter(bool(e.get("ok")) for e in entries if e.get("tool") == tool)
        if told != logged:
            problems.append(f"{tool}: clients saw {dict(told)} (ok: count), the journal has {dict(logged)}")
    journal_ids = sorted(e["result"]["id"] for e in entries if e.get("tool") == "acquire_image" and e.get("ok"))
    if journal_ids != sorted(ids):
        problems.append("the journal's acquisition ids differ from those the clients were told")
    status = result.final_status
    if status.get("acquisitions") != len(ids):
        problems.append(f"final status counts {status.get('acquisitions')} acquisitions, clients got {len(ids)}")
    used = float(status.get("dose", {}).get("used_e_per_A2", float("nan")))
    told_dose = sum(r.dose_e_per_A2 for r in acquired)  # the peak lies between the largest frame and the sum
    largest = max((r.dose_e_per_A2 for r in acquired), default=0.0)
    if not (largest * (1 - 1e-9) <= used <= told_dose * (1 + 1e-9) + 1e-12):
        problems.append(f"session peak dose {used:.6g} e-/A^2 is not between {largest:.6g} and {told_dose:.6g}")
    return problems


def run(report: BenchReport) -> None:
    """Serve over HTTP on 127.0.0.1, run :data:`BENCH_PLAN`, report latency percentiles, errors and consistency."""
    plan = BENCH_PLAN
    with tempfile.TemporaryDirectory(prefix="copilot-load-") as tmp:
        data_dir = Path(tmp) / "data"
        with serving(data_dir) as (url, _proc):
            result = asyncio.run(run_load(url, plan))
        problems = consistency_problems(data_dir, result)
    label = f"{plan.clients} clients x {plan.calls_per_client} mixed calls"
    for p, seconds in result.latency_percentiles_s().items():
        report.timing("load", f"p{p:g} latency, {label}", seconds)
    timed_calls = sum(1 for r in result.records if r.client >= 0)
    report.value("load", f"throughput, {label}", timed_calls / result.wall_s, "calls/s")
    errors = result.errors
    sample = f"; first: {errors[0].tool}: {errors[0].error[:80]}" if errors else ""
    report.value("load", "tool errors", float(len(errors)), "calls", target=f"target 0{sample}", ok=not errors)
    report.value(
        "load",
        "journal/store/status disagreements",
        float(len(problems)),
        "problems",
        target="target 0" + (f"; first: {problems[0][:80]}" if problems else ""),
        ok=not problems,
    )
