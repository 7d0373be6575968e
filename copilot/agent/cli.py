"""``copilot chat``: the agent in a terminal (a rich REPL, or one turn with ``--once`` for scripts).

The lead registers :func:`chat` on the ``copilot`` typer app. Tool calls, the numbers they returned and where
image previews were saved are shown as they happen; approvals are asked at the prompt.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm

from copilot.agent.events import AgentEvent, ApprovalNeeded, ErrorEvent, Final, TextDelta, ToolCall, ToolResult
from copilot.agent.summary import summarize

EXIT_WORDS = {"exit", "quit", ":q"}


class TerminalView:
    """Renders events on a rich console and saves image previews under ``preview_dir``."""

    def __init__(self, console: Console, preview_dir: Path) -> None:
        self.console = console
        self.preview_dir = preview_dir
        self.streamed = False  # a streamed line is open
        self.answered = False  # text was streamed in this turn

    def show(self, event: AgentEvent) -> None:
        """Print one event."""
        if isinstance(event, TextDelta):
            self.console.print(escape(event.text), end="", markup=True, highlight=False)
            self.streamed = self.answered = True
            return
        self._end_line()
        if isinstance(event, ToolCall):
            args = ", ".join(f"{k}={v!r}" for k, v in event.args.items())
            self.console.print(f"[cyan]→ {event.name}({escape(args)})[/cyan]")
        elif isinstance(event, ToolResult):
            self._show_result(event)
        elif isinstance(event, ApprovalNeeded):
            for request in event.requests:
                self.console.print(f"[yellow]⚠ {escape(request['reason'])}[/yellow]")
        elif isinstance(event, ErrorEvent):
            self.console.print(f"[red]✗ {escape(event.message)}[/red]")
        elif isinstance(event, Final):
            if not self.answered and event.text:
                self.console.print(escape(event.text))
            self.console.print(f"[dim]({escape(event.model)})[/dim]")
            self.answered = False

    def _show_result(self, event: ToolResult) -> None:
        if not event.ok:
            self.console.print(f"[red]← {event.name} failed: {escape(str(event.data.get('error', '')))}[/red]")
            return
        numbers = "; ".join(summarize(event.data))
        self.console.print(f"[green]← {event.name}[/green] {escape(numbers)}")
        for index, image in enumerate(event.images):
            self.preview_dir.mkdir(parents=True, exist_ok=True)
            path = self.preview_dir / f"{event.call_id}-{index}.png"
            path.write_bytes(image.png)
            self.console.print(f"  [dim]preview saved: {path}[/dim]")

    def _end_line(self) -> None:
        if self.streamed:
            self.console.print()
            self.streamed = False


def show_local_models(console: Console) -> None:
    """Print the models that local Ollama and llama.cpp servers offer, as --model strings, or how to start one."""
    from copilot.agent.local_models import PROVIDERS, START_HINT, list_models, server_url

    for provider in PROVIDERS:
        try:
            url = server_url(provider)
            found = list_models(provider)
        except ValueError as error:
            console.print(f"[yellow]{escape(str(error))}[/yellow]")
            continue
        if not found:
            console.print(f"{provider}: nothing at {url} ({START_HINT[provider]})")
        for local in found:
            console.print(f"{escape(local.model)}    [dim]{escape(local.base_url)}[/dim]")
    console.print("offline    [dim]the deterministic planner (no LLM)[/dim]")


async def drive_turn(agent: Any, events: AsyncIterator[AgentEvent], view: TerminalView, interactive: bool) -> str:
    """Show a turn's events, answering approvals at the prompt (or declining when not interactive)."""
    final = ""
    while True:
        pending: ApprovalNeeded | None = None
        async for event in events:
            view.show(event)
            if isinstance(event, ApprovalNeeded):
                pending = event
            if isinstance(event, Final):
                final = event.text
        if pending is None or agent.approval != "ask":
            return final
        approve = interactive and Confirm.ask("Approve?", console=view.console, default=False)
        if not interactive:
            view.console.print("[yellow]not interactive: declined (use --approval auto_approve to allow)[/yellow]")
        events = agent.resume(approve=approve)


async def chat_session(
    *,
    model: str,
    once: str | None,
    data_dir: Path,
    specimen: str | None,
    seed: int,
    thread: str,
    mcp_url: str | None,
    vision: bool | None,
    approval: str,
    max_tool_calls: int,
    console: Console,
) -> int:
    """Open the session and the agent, run one turn or the REPL, close everything; returns the exit code."""
    from copilot.agent.core import CopilotAgent
    from copilot.session import Session

    session = Session(data_dir, specimen=specimen, seed=seed)  # no specimen: continue the folder's instrument
    try:
        agent = await CopilotAgent.create(
            session,
            model=model,
            thread_id=thread,
            mcp_url=mcp_url,
            approval=approval,  # type: ignore[arg-type]
            max_tool_calls=max_tool_calls,
            vision=vision,
        )
    except ValueError as error:
        console.print(f"[red]{escape(str(error))}[/red]")
        session.close()
        return 2
    view = TerminalView(console, Path(data_dir) / "chat_previews")
    interactive = sys.stdin.isatty()
    try:
        if once is not None:
            await drive_turn(agent, agent.run(once), view, interactive)
            return 0
        console.print(f"[bold]Microscope Copilot[/bold] · {escape(agent.model_label)} · data in {data_dir}")
        console.print("[dim]Ask in plain words; 'exit' to leave.[/dim]")
        while True:
            try:
                text = console.input("[bold]you> [/bold]").strip()
            except (EOFError, KeyboardInterrupt):
                return 0
            if text.lower() in EXIT_WORDS:
                return 0
            if text:
                await drive_turn(agent, agent.run(text), view, interactive)
    finally:
        await agent.aclose()
        session.close()


def chat(
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help="'offline' (no LLM), 'openai:<model>', or a local 'ollama:<name>' / 'llamacpp:<name>' "
            "(see --list-models).",
        ),
    ] = "offline",
    list_models: Annotated[
        bool, typer.Option("--list-models", help="List the models of local Ollama / llama.cpp servers and exit.")
    ] = False,
    once: Annotated[str | None, typer.Option("--once", help="Run this one request, print the answer, exit.")] = None,
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Session data folder.")] = Path("data/session"),
    specimen: Annotated[
        str | None,
        typer.Option("--specimen", help="Specimen loaded at start (default: continue the folder's instrument)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Specimen seed.")] = 0,
    thread: Annotated[str, typer.Option("--thread", help="Conversation id (resumed if it exists).")] = "main",
    mcp_url: Annotated[str | None, typer.Option("--mcp-url", help="Use a running MCP server over HTTP.")] = None,
    vision: Annotated[
        bool | None, typer.Option("--vision/--no-vision", help="Re-post tool images to the model (default: by name).")
    ] = None,
    approval: Annotated[
        str, typer.Option("--approval", help="ask, auto_approve or auto_reject for over-budget/destructive actions.")
    ] = "ask",
    max_tool_calls: Annotated[int, typer.Option("--max-tool-calls", help="Tool-call limit per turn.", min=1)] = 25,
) -> None:
    """Chat with the microscope in the terminal (OPENAI_API_KEY / OPENAI_BASE_URL select the endpoint)."""
    if approval not in ("ask", "auto_approve", "auto_reject"):
        raise typer.BadParameter("must be ask, auto_approve or auto_reject", param_hint="--approval")
    console = Console(highlight=False, soft_wrap=True)  # no inserted line breaks: output stays greppable
    if list_models:
        show_local_models(console)
        return
    code = asyncio.run(
        chat_session(
            model=model,
            once=once,
            data_dir=data_dir,
            specimen=specimen,
            seed=seed,
            thread=thread,
            mcp_url=mcp_url,
            vision=vision,
            approval=approval,
            max_tool_calls=max_tool_calls,
            console=console,
        )
    )
    if code:
        raise typer.Exit(code)
