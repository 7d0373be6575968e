"""The page's responsive layout: on a window narrower than ``NARROW_PX`` the sidebar starts collapsed (its toggle
still opens it) and the instrument panel moves under the chat instead of squeezing beside it.

Streamlit collapses its sidebar by itself only below 768 px, and its columns stack only below 640 px; a small
style sheet and a one-shot script (a v2 component, no iframe) move those breakpoints for this page.

``signal_when_drawn`` tells the page when the browser shows the chat input, so the microscope session opens
after that instead of competing with the browser for the CPU while it draws the first page.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

NARROW_PX = 1000
CHAT_KEY = "copilot-chat"
PANEL_KEY = "copilot-panel"

STYLE = f"""
<style>
@media (max-width: {NARROW_PX}px) {{
  div[data-testid="stHorizontalBlock"]:has(> div[data-testid="stColumn"] .st-key-{PANEL_KEY}) {{ flex-wrap: wrap; }}
  div[data-testid="stColumn"]:has(.st-key-{PANEL_KEY}),
  div[data-testid="stColumn"]:has(.st-key-{CHAT_KEY}) {{ min-width: 100%; }}
}}
</style>
"""

COLLAPSE_JS = f"""
export default function () {{
  if (window.__copilotSidebarChecked || window.innerWidth > {NARROW_PX}) return;
  window.__copilotSidebarChecked = true;  // once per page load: after that the person decides
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (sidebar && button && sidebar.getAttribute("data-collapsed") !== "true") button.click();
}}
"""

DRAWN_JS = """
export default function ({ setTriggerValue }) {
  const started = performance.now();
  const check = () => {  // once the chat input is on the screen (or after 5 s in any case)
    if (document.querySelector('[data-testid="stChatInputTextArea"]') || performance.now() - started > 5000) {
      requestAnimationFrame(() => setTriggerValue("drawn", true));
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
}
"""

_collapse = st.components.v2.component("copilot.narrow_sidebar", js=COLLAPSE_JS)
_drawn = st.components.v2.component("copilot.page_drawn", js=DRAWN_JS)


def responsive_layout() -> None:
    """Apply the narrow-window rules (call once per run, anywhere on the page)."""
    st.html(STYLE)
    _collapse(key="copilot-narrow-sidebar")


def signal_when_drawn(on_drawn: Callable[[], None]) -> None:
    """Call ``on_drawn`` (in the run it starts) once the browser shows the chat input."""
    _drawn(key="copilot-page-drawn", on_drawn_change=on_drawn)
