"""The event collector builds the episode record; replay helpers resolve references; the flaky model fails once."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from PIL import Image

from copilot.agent.events import ApprovalNeeded, ErrorEvent, Final, ImageRef, ToolCall, ToolResult
from copilot.agent.scripted import ScriptedChatModel
from copilot.eval.collect import Collector
from copilot.eval.flaky import FlakyChatModel
from copilot.eval.replay import ReplayError, render_answer, resolve_args


def png(size: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((size, size), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def test_collector_pairs_calls_counts_turns_and_keeps_images(tmp_path: Path) -> None:
    c = Collector(locate=lambda call: (1.0, 2.0) if call.name == "acquire_spectrum" else None)
    c.note("user", "take a spectrum")
    c.feed(ToolCall("1", "set_beam", {"energy_kv": 80}))
    c.feed(ToolCall("2", "acquire_spectrum", {"x_nm": 1, "y_nm": 2}))
    c.feed(ToolResult("1", "set_beam", True, {"energy_kv": 80}))
    c.feed(ToolResult("2", "acquire_spectrum", True, {"id": "a1"}, images=(ImageRef(png(600)),)))
    c.feed(ApprovalNeeded(({"call_id": "3", "name": "acquire_image", "args": {}, "reason": "dose"},)))
    c.feed(ToolCall("3", "acquire_image", {}))
    c.feed(ToolResult("3", "acquire_image", False, {"error": "not approved"}))
    c.feed(ErrorEvent("endpoint down"))
    c.feed(Final("done", "scripted", usage={"input_tokens": 10, "output_tokens": 4}))
    assert [(r.name, r.ok) for r in c.calls] == [
        ("set_beam", True),
        ("acquire_spectrum", True),
        ("acquire_image", False),
    ]
    assert c.calls[1].specimen_xy_nm == (1.0, 2.0) and c.calls[0].specimen_xy_nm is None
    assert c.calls[0].args == {"energy_kv": 80}
    assert c.steps == 3 and c.approvals_requested == 1 and c.errors == ["endpoint down"]
    assert c.answer == "done" and c.usage == {"input_tokens": 10, "output_tokens": 4}
    (thumb,) = c.thumbnails()
    with Image.open(io.BytesIO(base64.b64decode(thumb))) as im:
        assert max(im.size) == 192
    c.write(tmp_path)
    lines = [json.loads(line) for line in (tmp_path / "transcript.jsonl").read_text().splitlines()]
    assert lines[0] == {"kind": "user", "text": "take a spectrum"} and lines[-1]["kind"] == "final"
    assert (tmp_path / "image_00.png").read_bytes() == png(600)


def test_replay_resolves_saved_results_in_arguments_and_answer() -> None:
    saved = {"img": {"id": "a7", "peaks": [{"x_nm": 1.5}]}, "lat": {"a_nm": 0.24612}}
    assert resolve_args({"acquisition_id": "$img.id", "x": "$img.peaks.0.x_nm", "k": 3}, saved) == {
        "acquisition_id": "a7",
        "x": 1.5,
        "k": 3,
    }
    assert render_answer("a = {lat.a_nm:.3f} nm in {img.id}", saved) == "a = 0.246 nm in a7"
    with pytest.raises(ReplayError, match="no field 'b_nm'"):
        render_answer("{lat.b_nm}", saved)
    with pytest.raises(ReplayError, match="no step saved as 'nope'"):
        resolve_args({"x": "$nope.id"}, saved)


async def test_flaky_model_raises_an_endpoint_error_once_then_answers() -> None:
    inner = ScriptedChatModel(replies=[AIMessage("one"), AIMessage("three")])
    model = FlakyChatModel(inner=inner, fail_on_call=2)
    assert (await model.ainvoke([HumanMessage("hi")])).text == "one"
    with pytest.raises(openai.APIConnectionError):
        await model.ainvoke([HumanMessage("hi")])
    assert (await model.ainvoke([HumanMessage("hi")])).text == "three"
    assert model.calls == 3 and len(inner.calls) == 2
