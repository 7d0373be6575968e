"""UI: what the chat page costs a person, apart from the twin's own compute.

- turn overhead: the wall time of a chat turn that runs no tool (the offline planner answers at once), through
  the real page (Streamlit's AppTest: every script run of the turn, the agent over the MCP server, the redraw of
  the history and the panel), in a fresh session and again after 12 turns with images, steps and a spectrum;
  the page's overhead is that minus the same turn sent straight to the agent (measured in the same run);
- first load: a fresh ``copilot ui`` server, then a new browser tab in headless Chromium, from navigation until
  the chat input is on the screen, the median of ``LOAD_REPEAT`` fresh servers (one load is too noisy on 2 shared
  cores); also how long the server takes to answer its health check and when the session is ready (the panel
  drawn), for the same loads (skipped when Chromium is not installed).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from copilot.bench.core import BenchReport

TURN_LIMIT_S = 0.300
FIRST_LOAD_LIMIT_S = 4.0
FLAT_RATIO = 1.5
REPEAT = 5
LOAD_REPEAT = 3
ZERO_TOOL_PROMPT = "hello"
HISTORY = (
    "load graphene and acquire an image",
    "what is the status of the microscope?",
    "find the atoms in the latest image",
    "take an EELS spectrum at the centre and tell me which elements are present",
    "acquire an image with a field of view of 10 nm",
    "hello",
)
APP_PATH = Path(__file__).resolve().parents[2] / "app.py"


def _median_s(action: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        action()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


@dataclass(frozen=True)
class TurnTimes:
    page_s: float  # the whole zero-tool turn through the page
    agent_s: float  # the same turn straight from the agent, no page (a same-run reference)

    @property
    def overhead_s(self) -> float:
        return max(0.0, self.page_s - self.agent_s)


def turn_times(data_dir: Path) -> tuple[TurnTimes, TurnTimes]:
    """A zero-tool turn in a fresh session and after 12 more turns (2 x ``HISTORY``), through the page and
    straight from the agent."""
    from streamlit.testing.v1 import AppTest

    from copilot.ui.settings import DATA_DIR_ENV
    from copilot.ui.state import DRAWN_KEY

    os.environ[DATA_DIR_ENV] = str(data_dir)
    at = AppTest.from_file(str(APP_PATH), default_timeout=600)
    at.session_state[DRAWN_KEY] = True  # no browser here to say it shows the page: open the session at once
    at.run()

    def send(text: str) -> None:
        at.chat_input[0].set_value(text).run()
        while at.chat_input[0].disabled:  # the history asks for approval (a spectrum's dose): approve it
            next(b for b in at.button if b.label == "Approve").click().run()
        if at.exception:
            raise RuntimeError(f"the page failed: {at.exception}")

    def measure() -> TurnTimes:
        runtime = at.session_state["copilot_runtime"]
        page = _median_s(lambda: send(ZERO_TOOL_PROMPT))
        return TurnTimes(page, _median_s(lambda: list(runtime.chat(ZERO_TOOL_PROMPT))))

    try:
        fresh = measure()
        for text in HISTORY * 2:
            send(text)
        later = measure()
    finally:
        runtime = at.session_state.get("copilot_runtime")
        if runtime is not None:
            runtime.close()
    return fresh, later


REFERENCE_PAGE = 'import streamlit as st\nst.title("reference")\nst.chat_input("Ask")\n'
READY_TEXT = "No acquisition yet"  # the panel of a fresh session: the session is open


@dataclass(frozen=True)
class LoadTimes:
    server_start_s: float  # from starting the server until its health check answers
    chat_input_s: float  # from navigation until the chat input is on the screen
    ready_s: float | None  # from navigation until the session is open (the panel drawn); None for a bare page


def first_load(data_dir: Path, app_path: Path = APP_PATH, *, wait_ready: bool = True) -> LoadTimes | None:
    """One first load on a server started for it (None without Chromium)."""
    from copilot.ui.serving import CHROMIUM, CHROMIUM_ARGS, free_port, wait_until_healthy

    if not CHROMIUM.exists():
        return None
    from playwright.sync_api import expect, sync_playwright

    from copilot.ui.cli import streamlit_command
    from copilot.ui.settings import DATA_DIR_ENV

    port = free_port()
    env = dict(os.environ, **{DATA_DIR_ENV: str(data_dir)})
    started = time.perf_counter()
    server = subprocess.Popen(
        streamlit_command(port, "127.0.0.1", app_path), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", server, timeout_s=120.0)
        server_start_s = time.perf_counter() - started
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(data_dir / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            try:
                page = context.new_page()
                page.goto("about:blank")
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}")
                expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=120_000)
                chat_input_s = time.perf_counter() - t0
                ready_s = None
                if wait_ready:
                    expect(page.get_by_text(READY_TEXT)).to_be_visible(timeout=120_000)
                    ready_s = time.perf_counter() - t0
                return LoadTimes(server_start_s, chat_input_s, ready_s)
            finally:
                context.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def median_load(folder: Path, app_path: Path, repeat: int = LOAD_REPEAT, *, wait_ready: bool) -> LoadTimes | None:
    """The median of each figure over ``repeat`` fresh servers (None without Chromium)."""
    loads = [first_load(folder / f"load-{n}", app_path, wait_ready=wait_ready) for n in range(repeat)]
    found = [load for load in loads if load is not None]
    if not found:
        return None
    ready = [load.ready_s for load in found if load.ready_s is not None]
    return LoadTimes(
        statistics.median(load.server_start_s for load in found),
        statistics.median(load.chat_input_s for load in found),
        statistics.median(ready) if ready else None,
    )


def run(report: BenchReport) -> None:
    with tempfile.TemporaryDirectory() as folder:
        fresh, later = turn_times(Path(folder) / "turns")
        for when, times in (("fresh session", fresh), ("after 12 turns", later)):
            report.timing("ui", f"zero-tool turn, {when}: whole turn", times.page_s)
            report.timing("ui", f"zero-tool turn, {when}: the agent alone", times.agent_s)
            report.timing("ui", f"zero-tool turn, {when}: page overhead", times.overhead_s, limit_s=TURN_LIMIT_S)
        report.timing(
            "ui",
            "page overhead after 12 turns vs fresh",
            later.overhead_s,
            reference_s=max(fresh.overhead_s, 1e-3),
            max_ratio=FLAT_RATIO,
            reference_name="fresh session",
        )
        reference = Path(folder) / "reference.py"
        reference.write_text(REFERENCE_PAGE, encoding="utf-8")
        bare = median_load(Path(folder) / "bare", reference, wait_ready=False)
        loaded = median_load(Path(folder) / "browser", APP_PATH, wait_ready=True)
        if bare is not None and loaded is not None:
            each = f"median of {LOAD_REPEAT} fresh servers"
            report.timing(
                "ui", f"first load of a bare Streamlit page with a chat input ({each}, reference)", bare.chat_input_s
            )
            name = f"first load (new server, browser tab to chat input, {each})"
            report.timing("ui", name, loaded.chat_input_s, limit_s=FIRST_LOAD_LIMIT_S)
            if loaded.ready_s is not None:
                report.timing("ui", "first load until the session is open (the panel drawn)", loaded.ready_s)
            report.timing(
                "ui", "server start until its health check answers (imports done here)", loaded.server_start_s
            )
