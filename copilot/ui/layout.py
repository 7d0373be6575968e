"""The page's responsive layout: on a window narrower than ``NARROW_PX`` the sidebar starts collapsed (its toggle
still opens it) and the instrument panel moves under the chat instead of squeezing beside it.

Streamlit collapses its sidebar by itself only below 768 px, and its columns stack only below 640 px; a small
style sheet and a one-shot script (a v2 component, no iframe) move those breakpoints for this page.
"""

from __future__ import annotations

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

_collapse = st.components.v2.component("copilot.narrow_sidebar", js=COLLAPSE_JS)


def responsive_layout() -> None:
    """Apply the narrow-window rules (call once per run, anywhere on the page)."""
    st.html(STYLE)
    _collapse(key="copilot-narrow-sidebar")
