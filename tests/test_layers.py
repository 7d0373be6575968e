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


def module_name(path: Path) -> str:
    """The installed module name of a source file (tools/ and prompts/ install inside copilot)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] in {"tools", "prompts"}:
        parts.insert(0, "copilot")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports(source: str, me: str, package: str, modules: set[str]) -> set[str]:
    """The project modules that module ``me`` (of ``package``) imports anywhere in ``source`` (lazy imports count,
    ``if TYPE_CHECKING:`` ones do not)."""
    tree = ast.parse(source)
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            source = ".".join([*base, node.module] if node.module else base)
            submodules = [f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in modules]
            names = submodules if len(submodules) == len(node.names) else [source, *submodules]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != me:
                found.add(name)
    return found


def test_the_project_has_no_import_cycles() -> None:
    paths = [p for folder in ("copilot", "tools", "prompts") for p in sorted((ROOT / folder).rglob("*.py"))]
    modules = {module_name(p) for p in paths}
    graph = {}
    for path in paths:
        me = module_name(path)
        package = me if path.name == "__init__.py" else me.rpartition(".")[0]
        graph[me] = project_imports(path.read_text(encoding="utf-8"), me, package, modules)
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            cycles.append([*trail[trail.index(module) :], module])
            return
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert cycles == []


def test_the_import_finder_sees_lazy_and_relative_imports_but_not_typing_only_ones() -> None:
    source = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from copilot import session\n"
        "from .common import x\ndef f():\n    from copilot import errors\n"
    )
    modules = {"copilot", "copilot.errors", "copilot.session", "copilot.tools", "copilot.tools.common"}
    found = project_imports(source, "copilot.tools.server", "copilot.tools", modules)
    assert found == {"copilot.errors", "copilot.tools.common"}
