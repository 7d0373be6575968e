"""The agent over the real MCP server and session: planner and scripted runs change the instrument and the files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from copilot.agent import CopilotAgent
from copilot.agent.events import AgentEvent, ApprovalNeeded, Final, ToolCall, ToolResult
from copilot.agent.scripted import ScriptedChatModel
from copilot.session import Session


async def turn(agent: CopilotAgent, text: str) -> list[AgentEvent]:
    return [event async for event in agent.run(text)]


def journal(session: Session) -> list[dict[str, Any]]:
    lines = (session.data_dir / "journal.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


async def test_the_offline_planner_sets_acquires_and_reports_the_tool_numbers(session: Session) -> None:
    agent = await CopilotAgent.create(session)
    events = await turn(agent, "fov 20 nm, 128 px, 2 µs dwell, then take an image")
    await agent.aclose()
    assert [e.name for e in events if isinstance(e, ToolCall)] == ["set_scan", "acquire_image"]
    image = next(e for e in events if isinstance(e, ToolResult) and e.name == "acquire_image")
    assert image.ok and image.images and image.images[0].uri == f"acq://{image.data['id']}"
    final = events[-1]
    assert isinstance(final, Final) and final.model == "offline planner (no LLM)"
    assert image.data["id"] in final.text and f"pixel size {0.15625:.4g} nm" in final.text
    status = session.status()
    assert json.dumps(status).count("20.0") >= 1 and session.store.ids() == [image.data["id"]]
    assert [line["tool"] for line in journal(session)][-2:] == ["set_scan", "acquire_image"]
    assert (session.data_dir / "checkpoints.sqlite").exists()


async def test_a_scripted_model_runs_a_multi_step_plan_through_the_real_tools(session: Session) -> None:
    replies = [
        AIMessage(content="", tool_calls=[{"name": "set_scan", "args": {"fov_nm": 8, "pixels": 64}, "id": "c1"}]),
        AIMessage(content="", tool_calls=[{"name": "acquire_image", "args": {"detector": "BF"}, "id": "c2"}]),
        AIMessage(content="", tool_calls=[{"name": "move_stage", "args": {"x_um": 5000}, "id": "c3"}]),
        lambda msgs: AIMessage(content=f"Stored {msgs[-3].artifact['structured_content']['id']}."),
    ]
    agent = await CopilotAgent.create(session, model="scripted", chat_model=ScriptedChatModel(replies=replies))
    events = await turn(agent, "small BF image, then go far away")
    await agent.aclose()
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [r.ok for r in results] == [True, True, False]
    assert "x_um" in results[2].data["error"] or "stage" in results[2].data["error"].lower()
    acquisition = session.store.ids()[0]
    assert events[-1].text == f"Stored {acquisition}."  # type: ignore[union-attr]
    assert session.get_acquisition(acquisition).metadata["detector"] == "BF"


@pytest.mark.parametrize(("approve", "use_safe"), [(True, False), (True, True), (False, False)])
async def test_an_over_dose_acquisition_asks_the_person_with_the_figures_and_runs_only_as_they_answer(
    tmp_path: Path, approve: bool, use_safe: bool
) -> None:
    session = Session(tmp_path / "data", specimen="mos2", seed=0)
    session.set_beam(energy_kv=200.0)  # MoS2 is most beam-sensitive at high kV
    critical = session.critical_dose_e_per_A2()
    session.set_scan(dwell_us=200.0)
    agent = await CopilotAgent.create(session)
    first = await turn(agent, "take an image")
    assert isinstance(first[-1], ApprovalNeeded) and session.store.ids() == []
    (request,) = first[-1].requests
    assert request["name"] == "acquire_image" and request["args"] == {} and "critical dose" in request["message"]
    figures = request["figures"]
    assert figures["limit_e_per_A2"] == critical and figures["dose_would_reach_e_per_A2"] > critical
    assert request["safe_alternative"] == {"dwell_us": figures["longest_safe_dwell_us"]}
    assert {"call_id", "reason"} <= set(request) and "approved" not in json.dumps(request)
    second = [event async for event in agent.resume(approve=approve, use_safe=use_safe)]
    await agent.aclose()
    assert len(session.store.ids()) == (1 if approve else 0)
    result = next(e for e in second if isinstance(e, ToolResult))
    assert result.ok is approve
    if approve:
        dose = session.get_acquisition(session.store.ids()[0]).metadata["dose_e_per_A2"]
        assert (dose <= critical) is use_safe
    else:
        assert "declined" in result.data["error"]
    session.close()


async def test_the_real_tools_get_the_approval_rules(session: Session) -> None:
    agent = await CopilotAgent.create(session)
    rules = agent._rules
    await agent.aclose()
    assert not {"acquire_image", "acquire_spectrum", "autofocus"} & set(rules)  # the server asks about the dose
    assert "load_specimen" not in rules and "get_status" not in rules and "set_scan" not in rules
    assert "change_tip" in rules and "when" not in rules["change_tip"]  # destructive: always asks


@pytest.mark.parametrize("specimen", ["mos2"])
async def test_the_offline_planner_fits_an_edge_onset_on_the_spectrum_it_just_took(session: Session) -> None:
    agent = await CopilotAgent.create(session)
    events = await turn(agent, "EELS at 4,4 nm for 5 ms, then fit the S L2,3 onset")  # within the dose
    await agent.aclose()
    assert [e.name for e in events if isinstance(e, ToolCall)] == ["acquire_spectrum", "measure_edge_onset"]
    spectrum, onset = (e for e in events if isinstance(e, ToolResult))
    assert onset.ok and onset.data["acquisition_id"] == spectrum.data["id"]
    assert (onset.data["element"], onset.data["edge"]) == ("S", "L2,3")
    final = events[-1]
    assert isinstance(final, Final) and final.text.startswith("Edge onset ")
    assert abs(onset.data["onset_eV"] - onset.data["tabulated_onset_eV"]) < 10
