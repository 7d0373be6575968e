"""The system prompt and the MCP prompt templates, as Markdown files (installed as ``copilot.prompts``).

>>> (PROMPTS_DIR / "system.md").is_file()
True
"""

from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
"""The folder of the Markdown prompt files, in a checkout and in an installed package alike."""
