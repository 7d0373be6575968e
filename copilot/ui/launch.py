"""``python -m copilot.ui.launch run app.py ...``: Streamlit's own command line, started once the server process
has imported what a microscope session needs (the twin, the agent, the MCP tools, the page's modules).

Without it those imports (about 3.5 s of CPU on 2 cores) run when the first person opens the page, on the same
cores the browser needs to draw it. Here they run before the server answers its health check, by opening a
throwaway session in a temporary folder (so every import a real session makes lazily is made too); that folder
is removed and nothing of it is kept.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

PAGE_MODULES = (
    "copilot.ui.acquisitions",
    "copilot.ui.layout",
    "copilot.ui.panel",
    "copilot.ui.render",
    "copilot.ui.sidebar",
    "copilot.ui.state",
)


def warm_up() -> None:
    """Import the page's modules and open and close one offline session in a temporary folder.

    A failure here is not fatal: the page opens its own session and says what went wrong."""
    import importlib
    import inspect

    for name in PAGE_MODULES:
        importlib.import_module(name)
    from copilot.ui.runtime import Runtime
    from copilot.ui.settings import ModelChoice, SessionChoice

    with tempfile.TemporaryDirectory(prefix="copilot-warm-up-") as folder, contextlib.suppress(Exception):
        Runtime(Path(folder), SessionChoice(), ModelChoice()).close()
    # Streamlit's first element of a process walks the call stack (inspect.stack, to tell a REPL apart), which
    # maps every loaded module to its file once (about 0.5 s with the modules above): done here, not on the page.
    inspect.stack()


def main() -> int:
    warm_up()
    from streamlit.web.cli import main as streamlit_main

    result: int = streamlit_main(prog_name="streamlit")  # click's main exits itself; this is for completeness
    return result


if __name__ == "__main__":
    sys.exit(main())
