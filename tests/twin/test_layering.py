"""The STEM twin stays a pure numpy/scipy library: no MCP, LangChain, UI or file I/O."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import copilot.twin

FORBIDDEN_PACKAGES = {
    "mcp",
    "fastmcp",
    "langchain",
    "langchain_core",
    "langgraph",
    "streamlit",
    "h5py",
    "tifffile",
    "PIL",
}
TWIN_DIR = Path(copilot.twin.__file__).parent
STEM_SOURCES = [p for p in TWIN_DIR.rglob("*.py") if "afm" not in p.relative_to(TWIN_DIR).parts]


def test_importing_the_twin_pulls_in_no_server_agent_ui_or_file_format_package():
    code = "import sys, copilot.twin; print(sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert not FORBIDDEN_PACKAGES & set(ast.literal_eval(out))


def test_the_stem_twin_sources_do_no_file_io():
    for path in STEM_SOURCES:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"open", "print", "input"}, f"{path.name} calls {node.func.id}()"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] in FORBIDDEN_PACKAGES | {"pathlib", "os", "io"} for n in names), (
                    path.name
                )
