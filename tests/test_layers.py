"""The core libraries stay libraries: copilot/analysis and copilot/twin import no MCP, LangChain, Streamlit or
file-I/O modules (checked on the source with ast, so a lazy import inside a function counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE_PACKAGES = ("copilot/analysis", "copilot/twin")
FORBIDDEN = (
    "mcp", "fastmcp", "langchain", "langchain_core", "langchain_openai", "langgraph", "openai", "streamlit",
    "h5py", "tifffile", "PIL", "imageio", "pathlib", "shutil", "tempfile", "io", "sqlite3",
    "tools", "copilot.session", "copilot.store", "copilot.agent", "copilot.eval", "copilot.ui", "copilot.cli",
)  # fmt: skip


def imported_modules(source: str) -> set[str]:
    """Every module named by an import statement anywhere in ``source`` (absolute names)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def test_the_checker_sees_nested_and_from_imports() -> None:
    source = "import numpy\ndef f():\n    from fastmcp import FastMCP\n    import h5py.h5f\n"
    assert {m for m in imported_modules(source) if is_forbidden(m)} == {"fastmcp", "h5py.h5f"}
    assert not is_forbidden("numpy") and not is_forbidden("mcpx")


@pytest.mark.parametrize("package", CORE_PACKAGES)
def test_core_packages_import_no_interface_or_file_io_modules(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}"
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in sorted(imported_modules(path.read_text(encoding="utf-8")))
        if is_forbidden(module)
    ]
    assert offences == []


@pytest.mark.parametrize("package", CORE_PACKAGES)
def test_core_packages_do_not_open_files(package: str) -> None:
    calls = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert calls == []


def test_no_file_imports_the_server_as_a_top_level_tools_package() -> None:
    """tools/ installs as copilot.tools: an absolute ``import tools`` works only in a checkout, never installed."""
    sources = [p for p in ROOT.rglob("*.py") if not p.relative_to(ROOT).parts[0].startswith((".", "build"))]
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sources
        for module in sorted(imported_modules(path.read_text(encoding="utf-8")))
        if module == "tools" or module.startswith("tools.")
    ]
    assert offences == []
