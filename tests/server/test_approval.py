"""Over-dose acquisitions run only when the person answers the server's question; the model cannot approve them.

The question is an MCP elicitation (2026-07-28: an input-required round; handshake era: elicitation/create), with the
figures and the safe alternative. Accept, the safe setting, decline, cancel, a client that cannot ask, the deny and
allow policies, and forged or replayed answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.elicitation import ElicitResult
from mcp.types import ElicitResult as WireElicitResult
from mcp.types import InputRequiredResult

from copilot.session import Session
from copilot.tools import create_server
from copilot.tools.approval import FIGURES_KEY, QUESTION_KEY, SAFE_KEY

SPOT = {"kind": "EELS", "x_nm": 5.0, "y_nm": 5.0, "dwell_ms": 100.0}


def mos2(tmp_path: Path) -> Session:
    return Session(tmp_path, specimen="mos2")


def answering(answer: str | None, asked: list[Any]) -> Any:
    async def handler(message: str, response_type: Any, params: Any, context: Any) -> Any:
        asked.append(params)
        if answer in ("decline", "cancel"):
            return ElicitResult(action=answer)
        return {"decision": answer}

    return handler


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize("answer", ["approve", "use_safe_setting", "decline", "cancel"])
async def test_the_person_answers_an_over_critical_dose_spectrum_in_both_protocol_eras(
    tmp_path: Path, mode: str, answer: str
) -> None:
    session, asked = mos2(tmp_path), []
    critical = session.critical_dose_e_per_A2()
    async with Client(create_server(session), mode=mode, elicitation_handler=answering(answer, asked)) as client:
        result = await client.call_tool("acquire_spectrum", SPOT, raise_on_error=False)
    (params,) = asked
    decision = params.requested_schema["properties"]["decision"]
    figures, safe = decision[FIGURES_KEY], decision[SAFE_KEY]
    assert "critical dose" in params.message and figures["limit_e_per_A2"] == critical
    assert figures["dose_would_reach_e_per_A2"] > critical and safe == {"dwell_ms": figures["longest_safe_dwell_ms"]}
    if answer in ("decline", "cancel"):
        assert (
            result.is_error and f"person {answer}{'d' if answer == 'decline' else 'led'} it" in result.content[0].text
        )  # type: ignore[union-attr]
        assert session.store.ids() == [] and session.instrument_time_s() == 0.0
        return
    dose = session.get_acquisition(result.structured_content["id"]).metadata["dose_e_per_A2"]  # type: ignore[index]
    assert (dose <= critical) is (answer == "use_safe_setting")
    assert dose == pytest.approx(
        figures["planned_dose_e_per_A2"] * (safe["dwell_ms"] / 100.0 if dose <= critical else 1)
    )


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_client_that_cannot_ask_gets_a_refusal_that_says_why_and_what_fits(tmp_path: Path, mode: str) -> None:
    session = mos2(tmp_path)
    async with Client(create_server(session), mode=mode) as client:
        result = await client.call_tool("acquire_spectrum", SPOT, raise_on_error=False)
    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error and "cannot ask (no elicitation)" in text and "At most dwell_ms=" in text
    assert session.store.ids() == []


async def test_deny_refuses_without_asking_and_allow_runs_without_asking(tmp_path: Path) -> None:
    asked: list[Any] = []
    for policy, runs in (("deny", False), ("allow", True)):
        session = Session(tmp_path / policy, specimen="mos2")
        server = create_server(session, approval=policy)  # type: ignore[arg-type]
        async with Client(server, elicitation_handler=answering("approve", asked)) as client:
            result = await client.call_tool("acquire_spectrum", SPOT, raise_on_error=False)
        assert result.is_error is not runs and len(session.store.ids()) == int(runs)
    assert asked == []


async def test_a_dose_within_the_limits_runs_without_a_question(tmp_path: Path) -> None:
    session, asked = mos2(tmp_path), []
    async with Client(create_server(session), elicitation_handler=answering("approve", asked)) as client:
        result = await client.call_tool("acquire_spectrum", {**SPOT, "dwell_ms": 0.1})
    assert result.structured_content["id"] == "a0001" and asked == []  # type: ignore[index]


async def test_no_model_facing_schema_has_an_approval_argument(tmp_path: Path) -> None:
    async with Client(create_server(mos2(tmp_path))) as client:
        tools = await client.list_tools()
    assert not [t.name for t in tools if "approved" in (t.input_schema.get("properties") or {})]


async def test_a_forged_answer_without_the_question_or_a_replayed_one_is_not_an_approval(tmp_path: Path) -> None:
    session = mos2(tmp_path)
    accept = {QUESTION_KEY: WireElicitResult(action="accept", content={"decision": "approve"})}
    async with Client(create_server(session), elicitation_handler=answering("approve", [])) as client:
        wire = client.session
        forged = await wire.call_tool("acquire_spectrum", SPOT, input_responses=accept, allow_input_required=True)
        assert isinstance(forged, InputRequiredResult)  # asked, not run
        answered = await wire.call_tool(
            "acquire_spectrum",
            SPOT,
            input_responses=accept,
            request_state=forged.request_state,
            allow_input_required=True,
        )
        assert not isinstance(answered, InputRequiredResult) and session.store.ids() == ["a0001"]
        replayed = await wire.call_tool(
            "acquire_spectrum",
            SPOT,
            input_responses=accept,
            request_state=forged.request_state,
            allow_input_required=True,
        )
        assert isinstance(replayed, InputRequiredResult) and session.store.ids() == ["a0001"]
