"""Replay a list of tool calls through an in-memory MCP client, as the agent's event stream.

This is the ``reference`` model of the evaluation (every task's reference solution) and the way task set-up steps
run. Arguments may refer to earlier results: ``"$img.id"`` is field ``id`` of the step saved as ``img``; the answer
template may quote them: ``"{atoms.count}"`` or ``"{lattice.a_nm:.3f}"``, add or average several:
``"{sum(a.particle_count, b.particle_count)}"``, ``"{mean(a.mean_diameter_nm, b.mean_diameter_nm):.2f}"``, and
list positions: ``"{d.positions_nm:pairs=vacancy}"`` writes every vacancy of a defect list as ``(x, y)`` (``pairs=*``
every item). In a
list, ``?word`` picks the first item that contains ``word``: ``"$defects.positions_nm.?substitution.1"`` is the x
of the first substitution.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastmcp import Client
from mcp import types as mcp_types

from copilot.agent.events import AgentEvent, Final, ImageRef, ToolCall, ToolResult
from copilot.eval.task import ToolStep

REFERENCE_LABEL = "reference solution (replay)"
_FIELD = re.compile(r"\{([a-z][a-z0-9_]*)((?:\.\??[A-Za-z0-9_ ]+)*)(?::([^{}]*))?\}")
_AGGREGATE = re.compile(r"\{(sum|mean)\(([^(){}]*)\)(?::([^{}]*))?\}")


class ReplayError(RuntimeError):
    """A step refers to a result that does not exist, or a step failed that was expected to succeed."""


def resolve(path: str, saved: dict[str, Any]) -> Any:
    """The value at ``name.field.sub`` (list indices allowed) among saved results."""
    name, *fields = path.split(".")
    if name not in saved:
        raise ReplayError(f"no step saved as {name!r} (saved: {sorted(saved)})")
    value = saved[name]
    for f in fields:
        if isinstance(value, list) and f.startswith("?"):
            match = [item for item in value if f[1:] in (item if isinstance(item, list | tuple) else [item])]
            if not match:
                raise ReplayError(f"no item of {name!r} contains {f[1:]!r} on the way to {path!r}")
            value = match[0]
        elif isinstance(value, list) and f.isdigit() and int(f) < len(value):
            value = value[int(f)]
        elif isinstance(value, dict) and f in value:
            value = value[f]
        else:
            raise ReplayError(f"result {name!r} has no field {f!r} on the way to {path!r}")
    return value


def resolve_args(args: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    """Arguments with every ``"$name.field"`` string replaced by the saved value."""
    return {k: resolve(v[1:], saved) if isinstance(v, str) and v.startswith("$") else v for k, v in args.items()}


def _pairs(items: list[Any], kind: str) -> str:
    """``(x, y)`` (the first two numbers) of every item of a position list whose first entry contains ``kind``
    (``*``: every item)."""
    out = []
    for item in items:
        if kind == "*" or kind in str(item[0]):
            x, y = [v for v in item if isinstance(v, int | float) and not isinstance(v, bool)][:2]
            out.append(f"({x:.2f}, {y:.2f})")
    return ", ".join(out)


def render_answer(template: str, saved: dict[str, Any]) -> str:
    """The answer template with ``{name.field[:format]}``, ``{sum(...)}`` and ``{mean(...)}`` filled from saved
    results."""

    def aggregate(m: re.Match[str]) -> str:
        values = [float(resolve(p.strip(), saved)) for p in m.group(2).split(",") if p.strip()]
        if not values:
            raise ReplayError(f"{m.group(0)!r} names no values")
        total = sum(values)
        return format(total if m.group(1) == "sum" else total / len(values), m.group(3) or "")

    def fill(m: re.Match[str]) -> str:
        value = resolve(m.group(1) + m.group(2), saved)
        fmt = m.group(3) or ""
        if fmt.startswith("pairs="):
            return _pairs(list(value), fmt.removeprefix("pairs="))
        return format(value, fmt)

    return _FIELD.sub(fill, _AGGREGATE.sub(aggregate, template))


def _images(content: Sequence[Any]) -> tuple[ImageRef, ...]:
    return tuple(
        ImageRef(png=base64.b64decode(block.data), caption="")
        for block in content
        if isinstance(block, mcp_types.ImageContent)
    )


def _text(content: Sequence[Any]) -> str:
    return "\n".join(block.text for block in content if isinstance(block, mcp_types.TextContent))


async def call_step(client: Client[Any], step: ToolStep, saved: dict[str, Any], index: int) -> list[AgentEvent]:
    """Run one step; return its ToolCall and ToolResult events and save its result when asked."""
    args = resolve_args(step.args, saved)
    call_id = f"replay-{index}"
    result = await client.call_tool(step.tool, args, raise_on_error=False)
    text = _text(result.content)
    data = dict(result.structured_content or {}) if not result.is_error else {"error": text}
    if result.is_error != step.expect_error:
        wanted = "an error" if step.expect_error else "success"
        raise ReplayError(f"step {index} {step.tool}({args}) was expected to give {wanted}, got: {text[:300]}")
    if step.save_as:
        saved[step.save_as] = data
    return [
        ToolCall(call_id, step.tool, args),
        ToolResult(call_id, step.tool, not result.is_error, data, text, _images(result.content)),
    ]


async def replay(
    client: Client[Any], steps: Sequence[ToolStep], answer: str, saved: dict[str, Any] | None = None
) -> AsyncIterator[AgentEvent]:
    """Replay ``steps`` then answer, as events (the client must be connected)."""
    saved = {} if saved is None else saved
    for index, step in enumerate(steps):
        for event in await call_step(client, step, saved, index):
            yield event
    yield Final(text=render_answer(answer, saved), model=REFERENCE_LABEL)


def recorded_steps(transcript: Sequence[dict[str, Any]]) -> tuple[list[ToolStep], str]:
    """The tool calls (in the order their results came back, with whether each failed) and the final answer of a
    recorded transcript (``transcript.jsonl`` of an episode), for re-running it without the model."""
    calls = {e["call_id"]: e for e in transcript if e.get("kind") == ToolCall.kind}
    steps = [
        ToolStep(e["name"], dict(calls.get(e["call_id"], {}).get("args") or {}), expect_error=not e["ok"])
        for e in transcript
        if e.get("kind") == ToolResult.kind
    ]
    answers = [e["text"] for e in transcript if e.get("kind") == Final.kind]
    return steps, answers[-1] if answers else ""
