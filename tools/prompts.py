"""MCP prompts from the Markdown files in ``prompts/``.

A prompt file starts with a YAML front matter block (``description`` and ``arguments``: a list of ``name``,
``description``, ``required``, ``default``) followed by the Markdown body, in which ``{{name}}`` is replaced by
the argument's value. Files without front matter (such as the agent's ``system.md``) are not MCP prompts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from fastmcp import FastMCP
from fastmcp.exceptions import PromptError
from fastmcp.prompts.base import Prompt, PromptArgument
from pydantic import Field

from copilot.prompts import PROMPTS_DIR

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
MAX_ARGUMENT_CHARS = 500


class MarkdownPrompt(Prompt):
    """A prompt rendered from a Markdown template with ``{{name}}`` placeholders."""

    template: str
    defaults: dict[str, str] = Field(default_factory=dict)

    async def render(self, arguments: dict[str, Any] | None = None) -> str:
        """Fill the placeholders; a missing required argument or an over-long value is an error."""
        values = {**self.defaults, **{k: str(v) for k, v in (arguments or {}).items()}}
        for arg in self.arguments or []:
            if arg.required and not values.get(arg.name):
                raise PromptError(f"Prompt {self.name!r} needs the argument {arg.name!r}: {arg.description}")
        for key, value in values.items():
            if len(value) > MAX_ARGUMENT_CHARS:
                raise PromptError(f"Argument {key!r} is longer than {MAX_ARGUMENT_CHARS} characters.")
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), self.template).strip()


def load_prompt(path: Path) -> MarkdownPrompt | None:
    """The prompt defined by ``path``, or None when the file has no front matter."""
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if match is None:
        return None
    header = yaml.safe_load(match.group(1)) or {}
    specs = header.get("arguments") or []
    arguments = [
        PromptArgument(name=a["name"], description=a.get("description"), required=bool(a.get("required", False)))
        for a in specs
    ]
    defaults = {a["name"]: str(a["default"]) for a in specs if "default" in a}
    return MarkdownPrompt(
        name=path.stem.replace("-", "_"),
        description=str(header.get("description", "")),
        arguments=arguments,
        template=match.group(2),
        defaults=defaults,
    )


def register_prompts(mcp: FastMCP, folder: Path = PROMPTS_DIR) -> None:
    """Register every Markdown prompt of ``folder`` (sorted by name)."""
    for path in sorted(folder.glob("*.md")):
        prompt = load_prompt(path)
        if prompt is not None:
            mcp.add_prompt(prompt)
