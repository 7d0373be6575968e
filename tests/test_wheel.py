"""The built wheel is the product a new user installs: it must hold every module and prompt of the checkout,
install no generic top-level ``tools`` package, and serve the tools, resources and prompts over stdio from a
fresh virtual environment outside the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PROMPT_NAMES = {"characterise_defects", "focus_and_stigmate", "low_dose_imaging", "survey_then_zoom"}


def tracked(*patterns: str) -> set[str]:
    """Files of the checkout (tracked, or new and not ignored) matching ``patterns``."""
    command = ["git", "ls-files", "--cached", "--others", "--exclude-standard", *patterns]
    out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True).stdout
    return {p for p in out.split() if (REPO / p).is_file()}


def installed_name(path: str) -> str:
    """Where a checkout file lands in the wheel (tools/ and prompts/ install inside copilot/)."""
    return "copilot/" + path if path.startswith(("tools/", "prompts/")) else path


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout's files (no build/ folder left behind, none reused)."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for path in tracked():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / path, source / path)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), "."]
    subprocess.run(command, cwd=source, check=True, capture_output=True, timeout=300)
    (built,) = out.glob("microscope_copilot-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new venv outside the checkout with the wheel installed; its dependencies come from the test venv's
    site-packages (through a .pth line, so the checkout's editable finder is not activated)."""
    root = tmp_path_factory.mktemp("venv")
    venv.create(root, with_pip=False)
    python = root / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    yield python


def test_the_wheel_holds_every_module_and_prompt_and_no_top_level_tools(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {installed_name(p) for p in tracked("copilot/*.py", "tools/*.py", "prompts/*")}
    assert expected - names == set()
    assert {"copilot/prompts/system.md", "copilot/eval/task.schema.json"} <= names
    assert not any(n.startswith("tools/") for n in names)


def test_import_tools_fails_in_the_installed_environment(fresh_python: Path, tmp_path: Path) -> None:
    probe = "import copilot.tools, copilot.prompts; print(copilot.tools.__file__)\nimport tools"
    done = subprocess.run([str(fresh_python), "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "No module named 'tools'" in done.stderr
    assert str(REPO) not in done.stdout and "site-packages/copilot/tools" in done.stdout


async def test_copilot_serve_from_the_wheel_lists_tools_resources_and_the_four_prompts(
    fresh_python: Path, tmp_path: Path
) -> None:
    copilot = fresh_python.parent / "copilot"
    params = StdioServerParameters(command=str(copilot), args=["serve", "--data-dir", str(tmp_path)], cwd=tmp_path)
    async with Client(params) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        status = await client.call_tool("get_status", {})
    assert {"get_status", "acquire_image", "find_atoms", "acquire_afm_image"} <= tools
    assert any(t.startswith("acq://") for t in templates) and resources
    assert prompts == PROMPT_NAMES
    assert not status.is_error
