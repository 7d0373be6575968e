"""The real page in headless Chromium: `streamlit run app.py` with the offline planner, a typed request, the
streamed answer and its image, and a screenshot of the result."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.ui.cli import APP_PATH, streamlit_command
from copilot.ui.settings import DATA_DIR_ENV

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT_ENV = "COPILOT_SCREENSHOT_PATH"  # where to save the screenshot (default: the test's tmp folder)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 60.0
TURN_TIMEOUT_MS = 120_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (.ci/run)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Poll Streamlit's health endpoint until it answers ok (fail fast if the server exits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)  # the server is still starting; poll again
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout_s} s")


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ, **{DATA_DIR_ENV: str(tmp_path / "data")})
    env.pop("OPENAI_API_KEY", None)
    log = (tmp_path / "streamlit.log").open("wb")
    server = subprocess.Popen(streamlit_command(port, "127.0.0.1", APP_PATH), env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, START_TIMEOUT_S)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def test_a_request_typed_in_chromium_gets_an_answer_with_an_image(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    screenshot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "screenshot-chat.png")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1600, "height": 2000},  # Streamlit scrolls inside the page: show it all,
        )
        try:
            page = context.new_page()
            page.goto(app_url)
            chat_box = page.get_by_test_id("stChatInputTextArea")
            expect(chat_box).to_be_visible(timeout=TURN_TIMEOUT_MS)
            chat_box.fill("load graphene and acquire an image")
            chat_box.press("Enter")

            messages = page.get_by_test_id("stChatMessage")
            assistant = messages.last
            expect(assistant.get_by_text("model: offline planner")).to_be_visible(timeout=TURN_TIMEOUT_MS)
            expect(assistant.locator("img").first).to_be_visible(timeout=TURN_TIMEOUT_MS)
            expect(messages.first).to_contain_text("load graphene and acquire an image")
            expect(assistant).to_contain_text("acquire_image")
            # the instrument panel shows the stored image with its scale bar and field of view
            expect(page.get_by_text("FOV").first).to_be_visible(timeout=TURN_TIMEOUT_MS)
            expect(page.get_by_text("Working at the microscope")).to_have_count(0, timeout=TURN_TIMEOUT_MS)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            context.close()
    assert screenshot.stat().st_size > 10_000
