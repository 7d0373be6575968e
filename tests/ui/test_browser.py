"""The real page in headless Chromium (`copilot ui`'s server, offline planner), at 1440 and 800 px: a chat turn
with its picture and the zoomable viewer, readable scale bars, the spectrum on a log scale, a session that
survives a reload, an AFM map taken after a reload replacing the STEM frame in the panel, apart from its profile,
the collapsed sidebar and the stacked panel on a narrow window. Each test opens its own tab (``tab``); screenshots
go to ``COPILOT_SCREENSHOT_DIR`` (docs/ui/ when refreshed by hand), else the test's folder."""

from __future__ import annotations

import io
import os
import re
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
MAX_SCREENSHOT_BYTES = 1_000_000  # a noisy frame makes the size vary (about 250 kB); this catches unscaled ones
WIDE_PX, TALL_PX = 1440, 1800

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


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: ``COPILOT_SCREENSHOT_DIR`` when set (docs/ui/), else the test's folder."""
    folder = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def tab(app_url: str, tmp_path: Path) -> Iterator[Any]:
    """A new tab in headless Chromium (a profile of its own) at 1440 px, once the page shows its chat input."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": WIDE_PX, "height": TALL_PX},
        )
        try:
            page = context.new_page()
            page.goto(app_url)
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=TURN_TIMEOUT_MS)
            yield page
        finally:
            context.close()


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
    assert 5_000 < path.stat().st_size < MAX_SCREENSHOT_BYTES
    assert len(colours) >= 32


def box(locator: Any) -> dict[str, float]:
    """The element's box once it is on the screen (a rerun may be replacing it right now)."""
    from playwright.sync_api import expect

    expect(locator).to_be_visible(timeout=TURN_TIMEOUT_MS)
    found: dict[str, float] = locator.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
    )
    return found


# True once the page's script has not been running for 300 ms (a turn ends with a rerun that redraws the page).
SETTLED_JS = """() => {
    const state = document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state');
    if (state !== 'notRunning') { window.__copilotIdleSince = null; return false; }
    window.__copilotIdleSince = window.__copilotIdleSince || performance.now();
    return performance.now() - window.__copilotIdleSince > 300;
}"""
# Samples how many chat messages the page shows (stale ones of a rerun included) until it is asked for the most.
SAMPLE_JS = """() => {
    window.__copilotMostMessages = 0;
    window.__copilotSampler = setInterval(() => {
        const shown = document.querySelectorAll('[data-testid="stChatMessage"]').length;
        window.__copilotMostMessages = Math.max(window.__copilotMostMessages, shown);
    }, 10);
}"""
MOST_JS = "() => { clearInterval(window.__copilotSampler); return window.__copilotMostMessages; }"


def settle(page: Any) -> None:
    """Wait until the page has finished drawing (its script is not running)."""
    page.wait_for_function(SETTLED_JS, timeout=TURN_TIMEOUT_MS)


def ask(page: Any, text: str) -> Any:
    """Send a request and wait until its answer is complete and the page has redrawn (or the page asks for
    approval); no message is ever shown twice meanwhile."""
    from playwright.sync_api import expect

    settle(page)
    messages = page.get_by_test_id("stChatMessage")
    before = messages.count()
    page.evaluate(SAMPLE_JS)
    chat_box = page.get_by_test_id("stChatInputTextArea")
    chat_box.fill(text)
    chat_box.press("Enter")
    expect(messages).to_have_count(before + 2, timeout=TURN_TIMEOUT_MS)
    answer = messages.last
    expect(
        answer.get_by_text("model: offline planner").or_(answer.get_by_role("button", name="Approve"))
    ).to_be_visible(timeout=TURN_TIMEOUT_MS)
    settle(page)
    most = page.evaluate(MOST_JS)
    assert most == before + 2, f"{most} chat messages shown at once for {before} + 2"
    expect(messages).to_have_count(before + 2)
    return messages.last


def reload(page: Any) -> None:
    """Reload the tab and wait until the chat shows the messages it had (at most the recent ones are drawn)."""
    from playwright.sync_api import expect

    settle(page)
    messages = page.get_by_test_id("stChatMessage")
    url, count = page.url, messages.count()
    page.reload()
    expect(messages).to_have_count(count, timeout=TURN_TIMEOUT_MS)
    settle(page)
    expect(messages).to_have_count(count)
    assert page.url == url


# The panel's image viewers (each one in the shadow root of its component): caption, colour bar and box.
PANEL_VIEWERS_JS = """() => {
    const panel = document.querySelector('.st-key-copilot-panel');
    if (!panel) return [];
    const roots = [...panel.querySelectorAll('*')].filter(e => e.shadowRoot)
        .flatMap(e => [...e.shadowRoot.querySelectorAll('.mv-root')]);
    return roots.map(r => { const b = r.getBoundingClientRect(); return {
        caption: r.querySelector('.mv-caption')?.textContent || '',
        colour: r.querySelector('.mv-colour')?.textContent || '', top: b.top, bottom: b.bottom}; });
}"""


def panel_viewers(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(PANEL_VIEWERS_JS)
    return found


def test_the_page_in_chromium_at_1440_and_800_px(tab: Any, shots: Path) -> None:
    from playwright.sync_api import expect

    page = tab
    # A turn: the picture fills the chat column with a readable scale bar; the panel's viewer zooms.
    ask(page, "load graphene and acquire an image")
    # The picture's width, once it is loaded and laid out (a rerun may redraw it meanwhile): read in the page.
    page.wait_for_function(
        """(minimum) => {
            const answer = [...document.querySelectorAll('[data-testid="stChatMessage"]')].pop();
            const picture = answer && answer.querySelector('[data-testid="stImage"] img');
            return picture && picture.complete && picture.getBoundingClientRect().width * 0.05 >= minimum;
        }""",
        arg=MIN_LABEL_PX,  # the burned-in label is 5 % of the picture's width
        timeout=60_000,
    )
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
        settle(page)
    chart = page.get_by_test_id("stVegaLiteChart").last
    expect(chart).to_be_visible(timeout=TURN_TIMEOUT_MS)
    expect(chart.get_by_text("Hide the zero loss")).to_be_visible()
    expect(chart.get_by_text("counts (log)")).to_be_visible()
    save_screenshot(chart.screenshot(), shots / "spectrum-1440.png")

    # A reload shows the same session and chat.
    reload(page)
    count = page.get_by_test_id("stChatMessage").count()

    # 800 px: the sidebar starts collapsed and the panel sits under the chat, pictures in the column.
    page.set_viewport_size({"width": 800, "height": TALL_PX})
    page.reload()
    expect(page.get_by_test_id("stChatMessage")).to_have_count(count, timeout=TURN_TIMEOUT_MS)
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    # Charts and pictures settle their height after they are drawn, and a rerun may redraw them: the
    # panel must come to sit under the whole chat, full width, with every picture inside the chat column
    # (measured in one go, in the page).
    page.wait_for_function(
        """() => {
            const c = document.querySelector('.st-key-copilot-chat').getBoundingClientRect();
            const p = document.querySelector('.st-key-copilot-panel').getBoundingClientRect();
            const pictures = [...document.querySelectorAll('.st-key-copilot-chat [data-testid="stImage"] img')];
            return p.y >= c.y + c.height - 1 && p.width >= 700 && pictures.length > 0
                && pictures.every(i => i.getBoundingClientRect().right <= c.right + 1);
        }""",
        timeout=60_000,
    )
    save_screenshot(page.screenshot(), shots / "chat-800.png")
    for name in ("chat-1440.png", "spectrum-1440.png", "chat-800.png"):
        assert_drawn(shots / name)


def test_after_a_reload_an_afm_image_replaces_the_stem_frame_with_its_height_map_and_its_profile_below(
    tab: Any, shots: Path
) -> None:
    from playwright.sync_api import Error as PlaywrightError

    page = tab
    ask(page, "load graphene and acquire an image")
    reload(page)
    page.wait_for_function(  # after the reload the panel shows the STEM frame
        f"() => ({PANEL_VIEWERS_JS})().some(v => v.caption.includes('HAADF'))", timeout=60_000
    )
    ask(page, "load afm_steps")
    answer = ask(page, "Approach the tip and take an AFM height image.")
    found = re.search(r"acquire_afm_image → id=(a\d{4})", answer.inner_text())
    assert found, answer.inner_text()
    acq_id = found.group(1)
    # One viewer in the panel, showing that height map with its colour bar in nm, and the profile chart under
    # it (checked in one go in the page: a rerun may redraw the panel between two reads).
    try:
        page.wait_for_function(
            f"""(acqId) => {{
                const viewers = ({PANEL_VIEWERS_JS})();
                const charts = [...document.querySelectorAll('.st-key-copilot-panel [data-testid="stVegaLiteChart"]')]
                    .map(c => c.getBoundingClientRect()).filter(b => b.height > 0);
                return viewers.length === 1 && viewers[0].caption.startsWith(acqId + ' · height')
                    && viewers[0].colour.includes('height (nm)') && charts.length > 0
                    && charts[charts.length - 1].top >= viewers[0].bottom - 0.5;
            }}""",
            arg=acq_id,
            timeout=60_000,
        )
    except PlaywrightError:
        pytest.fail(f"the panel does not show {acq_id} with its profile below: {panel_viewers(page)}")
    save_screenshot(page.locator(".st-key-copilot-panel").screenshot(), shots / "afm-1440.png")
    assert_drawn(shots / "afm-1440.png")
