"""The real page in headless Chromium (`streamlit run app.py`, offline planner), at 1440 and 800 px: a chat turn
with its picture and the zoomable viewer, readable scale bars, the spectrum on a log scale, a session that
survives a reload, the AFM map apart from its profile, the collapsed sidebar and the stacked panel on a narrow
window. Screenshots go to ``COPILOT_SCREENSHOT_DIR`` (docs/ui/ when refreshed by hand), else the test's folder."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from copilot.ui.cli import APP_PATH, streamlit_command
from copilot.ui.serving import CHROMIUM, CHROMIUM_ARGS, free_port, wait_until_healthy
from copilot.ui.settings import DATA_DIR_ENV

SCREENSHOT_ENV = "COPILOT_SCREENSHOT_DIR"
START_TIMEOUT_S = 60.0
TURN_TIMEOUT_MS = 180_000
MIN_LABEL_PX = 12
SCREENSHOT_WIDTH_PX = 1100  # screenshots are scaled to this width and stored with a 256-colour palette

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (.ci/run)"),
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    env = dict(os.environ, **{DATA_DIR_ENV: str(folder / "data")})
    env.pop("OPENAI_API_KEY", None)
    log = (folder / "streamlit.log").open("wb")
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


def save_screenshot(png: bytes, path: Path) -> None:
    """A screenshot, scaled down to at most SCREENSHOT_WIDTH_PX and stored with a 256-colour palette."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > SCREENSHOT_WIDTH_PX:
        image = image.resize((SCREENSHOT_WIDTH_PX, round(image.height * SCREENSHOT_WIDTH_PX / image.width)))
    image.quantize(256).save(path, optimize=True)


def assert_drawn(path: Path) -> None:
    """The screenshot shows a drawn page, not a blank or single-colour one (noisy frames make its size vary)."""
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16) or []
    assert path.stat().st_size > 5_000
    assert len(colours) >= 32


def box(locator: Any) -> dict[str, float]:
    """The element's box once it is on the screen (a rerun may be replacing it right now)."""
    from playwright.sync_api import expect

    expect(locator).to_be_visible(timeout=TURN_TIMEOUT_MS)
    found: dict[str, float] = locator.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
    )
    return found


def ask(page: Any, text: str) -> Any:
    """Send a request and wait until its answer is complete (approving once if the page asks)."""
    from playwright.sync_api import expect

    messages = page.get_by_test_id("stChatMessage")
    before = messages.count()
    chat_box = page.get_by_test_id("stChatInputTextArea")
    chat_box.fill(text)
    chat_box.press("Enter")
    expect(messages).to_have_count(before + 2, timeout=TURN_TIMEOUT_MS)
    answer = messages.last
    expect(
        answer.get_by_text("model: offline planner").or_(answer.get_by_role("button", name="Approve"))
    ).to_be_visible(timeout=TURN_TIMEOUT_MS)
    return answer


def test_the_page_in_chromium_at_1440_and_800_px(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1440, "height": 1800},
        )
        try:
            page = context.new_page()
            page.goto(app_url)
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=TURN_TIMEOUT_MS)

            # A turn: the picture fills the chat column with a readable scale bar; the panel's viewer zooms.
            answer = ask(page, "load graphene and acquire an image")
            picture = answer.get_by_test_id("stImage").locator("img").filter(visible=True).first
            expect(picture).to_be_visible()
            assert box(picture)["width"] * 0.05 >= MIN_LABEL_PX  # the burned-in label is 5 % of the width
            viewer = page.locator(".mv-root").filter(visible=True).last
            expect(viewer).to_be_visible()
            label = viewer.locator(".mv-scale-label")
            assert float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= MIN_LABEL_PX
            bar = viewer.locator(".mv-scale-line")
            before = (label.inner_text(), box(bar)["width"])
            zoom = viewer.locator(".mv-zoom").inner_text()
            viewer.get_by_role("button", name="+").click()
            expect(viewer.locator(".mv-zoom")).not_to_have_text(zoom)
            assert (label.inner_text(), box(bar)["width"]) != before  # the scale bar follows the zoom
            expect(viewer.locator(".mv-colour")).to_contain_text("counts")
            assert "session=" in page.url
            save_screenshot(page.screenshot(), shots / "chat-1440.png")

            # A spectrum on a log scale, the zero loss hidden by a ticked checkbox.
            answer = ask(page, "take an EELS spectrum at the centre and tell me which elements are present")
            approve = answer.get_by_role("button", name="Approve")
            if approve.count():
                save_screenshot(page.screenshot(), shots / "approval-1440.png")
                approve.click()
                expect(page.get_by_test_id("stChatMessage").last.get_by_text("model: offline planner")).to_be_visible(
                    timeout=TURN_TIMEOUT_MS
                )
            chart = page.get_by_test_id("stVegaLiteChart").last
            expect(chart).to_be_visible(timeout=TURN_TIMEOUT_MS)
            expect(chart.get_by_text("Hide the zero loss")).to_be_visible()
            expect(chart.get_by_text("counts (log)")).to_be_visible()
            save_screenshot(chart.screenshot(), shots / "spectrum-1440.png")

            # A reload shows the same session and chat.
            url, count = page.url, page.get_by_test_id("stChatMessage").count()
            page.reload()
            expect(page.get_by_test_id("stChatMessage")).to_have_count(count, timeout=TURN_TIMEOUT_MS)
            assert page.url == url

            # 800 px: the sidebar starts collapsed and the panel sits under the chat, pictures in the column.
            page.set_viewport_size({"width": 800, "height": 1800})
            page.reload()
            expect(page.get_by_test_id("stChatMessage")).to_have_count(count, timeout=TURN_TIMEOUT_MS)
            expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
            # Charts and pictures settle their height after they are drawn, and a rerun may redraw them: the
            # panel must come to sit under the whole chat, full width (measured in one go, in the page).
            page.wait_for_function(
                """() => {
                    const c = document.querySelector('.st-key-copilot-chat').getBoundingClientRect();
                    const p = document.querySelector('.st-key-copilot-panel').getBoundingClientRect();
                    return p.y >= c.y + c.height - 1 && p.width >= 700;
                }""",
                timeout=60_000,
            )
            chat = box(page.locator(".st-key-copilot-chat"))
            for image in page.locator(".st-key-copilot-chat").get_by_test_id("stImage").locator("img").all():
                assert box(image)["x"] + box(image)["width"] <= chat["x"] + chat["width"] + 1
            save_screenshot(page.screenshot(), shots / "chat-800.png")
        finally:
            context.close()
    for name in ("chat-1440.png", "spectrum-1440.png", "chat-800.png"):
        assert_drawn(shots / name)


def test_an_afm_height_map_in_chromium_has_its_colour_bar_in_nm_and_its_profile_below(
    app_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1440, "height": 1800},
        )
        try:
            page = context.new_page()
            page.goto(app_url)
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=TURN_TIMEOUT_MS)
            ask(page, "load afm_steps")
            ask(page, "Approach the tip and take an AFM height image.")
            viewer = page.locator(".mv-root").filter(visible=True).last
            expect(viewer.locator(".mv-colour")).to_contain_text("height (nm)", timeout=TURN_TIMEOUT_MS)
            stage = box(viewer)
            panel = page.locator(".st-key-copilot-panel")
            profile = box(panel.get_by_test_id("stVegaLiteChart").filter(visible=True).last)
            assert profile["y"] >= stage["y"] + stage["height"]
            save_screenshot(panel.screenshot(), shots / "afm-1440.png")
        finally:
            context.close()
    assert_drawn(shots / "afm-1440.png")
