"""Every tool, fed valid, boundary, invalid and hostile arguments generated from its own input schema.

Through the in-memory MCP client: no call hangs, no call ends in an unhandled exception, every rejection is an
error result whose message names what was wrong, and a rejected call leaves the instrument, the dose ledger, the
stored data and the folder around the session exactly as they were (only the journal gains its error line).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastmcp import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copilot.session import Session
from copilot.tools import create_server
from tests.reliability.fs_audit import ALLOWED_READ_ROOTS, AUDIT, outside
from tests.reliability.schema_strategies import invalid_arguments, valid_arguments
from tests.reliability.sync_client import SyncClient

CALL_TIMEOUT_S = 30.0
EXAMPLES = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COST_CAPS: dict[tuple[str, str], st.SearchStrategy[Any]] = {
    ("acquire_spectrum_image", "pixels"): st.integers(2, 8),
    ("autofocus", "steps"): st.integers(3, 7),
}
"""Valid maxima that are legitimately slow (a 128 x 128 spectrum image takes tens of seconds): capped here to keep
the suite fast. Their speed is a bench matter; invalid values still span the whole schema."""

EVENTS = ("TipCrashError:",)
"""Errors that report something that happened on the instrument (a crashed tip is damaged and withdrawn, as the
tool descriptions say) rather than a refused call: state changes are expected after them."""


def _tool_instruments() -> dict[str, str]:
    """Tool name -> the instrument it needs (AFM for the tools of ``tools.afm``), read from a server's tool list."""
    tools = asyncio.run(create_server(None).list_tools())  # type: ignore[arg-type]  # registration only
    return {t.name: "AFM" if "afm" in getattr(getattr(t, "fn", None), "__module__", "") else "STEM" for t in tools}


TOOLS = _tool_instruments()


def state_of(session: Session) -> tuple[Any, ...]:
    """Everything a rejected call must not change: instrument, dose, stored data, every file but the journal and
    the dose ledger (append-only records: a refused attempt may add its line, its dose stays 0), including files
    next to the data folder (where a path-traversing export would land)."""
    inst = session.instrument
    dose_map = float(np.asarray(inst.dose_map().data).sum()) if hasattr(inst, "dose_map") else None
    root = session.data_dir.parent
    files = {
        str(p.relative_to(root)): p.stat().st_size
        for p in root.rglob("*")
        if p.is_file() and p.name not in ("journal.jsonl", "dose_ledger.jsonl")
    }
    ids = session.store.ids()
    return (
        session.instrument_kind,
        session.specimen,
        inst.snapshot(),
        dose_map,
        session.dose_used_e_per_A2,
        ids,
        files,
    )


def error_text(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[SyncClient, Session]]]:
    """One STEM and one AFM session, each with a client, for the whole module; each holds stored acquisitions."""
    stem = Session(tmp_path_factory.mktemp("stem") / "data", specimen="graphene", seed=0)
    afm_name = next(s["name"] for s in stem.list_specimens() if s["instrument"] == "AFM")
    afm = Session(tmp_path_factory.mktemp("afm") / "data", specimen=afm_name, seed=0)
    with SyncClient(create_server(stem)) as stem_client, SyncClient(create_server(afm)) as afm_client:
        _reset(stem_client, "STEM")
        stem_client.call("acquire_image", {})
        stem_client.call("acquire_spectrum", {"kind": "EDS", "x_nm": 50.0, "y_nm": 50.0, "dwell_ms": 10.0})
        _reset(afm_client, "AFM")
        afm_client.call("acquire_afm_image", {})
        yield {"STEM": (stem_client, stem), "AFM": (afm_client, afm)}
    stem.close()
    afm.close()


def _reset(client: SyncClient, instrument: str) -> None:
    """Small, low-dose settings (undoing what earlier examples set), the AFM tip engaged."""
    calls: list[tuple[str, dict[str, Any]]] = (
        [
            ("set_beam", {"current_pa": 10.0, "blanked": False}),
            ("set_scan", {"fov_nm": 100.0, "pixels": 32, "dwell_us": 1.0}),
            ("move_stage", {"x_um": 0.0, "y_um": 0.0}),
        ]
        if instrument == "STEM"
        else [
            ("withdraw", {}),
            ("change_tip", {}),
            ("set_feedback", {"setpoint_nm": 14.0, "p_gain": 0.5, "i_gain_per_ms": 3.0}),
            ("set_afm_scan", {"size_nm": 1000.0, "pixels": 32, "rate_hz": 1.0, "x_um": 0.0, "y_um": 0.0}),
            ("approach", {}),
        ]
    )
    for tool, args in calls:
        result = client.call(tool, args)
        assert not result.is_error, f"resetting with {tool}({args}) failed: {error_text(result)}"


@pytest.fixture
def tool_client(request: pytest.FixtureRequest, clients: dict[str, tuple[SyncClient, Session]]) -> Any:
    """(client, session, input schema, argument overrides) for the tool named by the test's parameter."""
    tool = request.node.callspec.params["tool"]
    client, session = clients[TOOLS[tool]]
    _reset(client, TOOLS[tool])
    schema = next(t for t in client.list_tools() if t.name == tool).input_schema
    ids = session.store.ids()
    overrides: dict[str, st.SearchStrategy[Any]] = {
        name: st.one_of(st.sampled_from(ids), st.from_regex(sub["pattern"], fullmatch=True))
        for name, sub in schema.get("properties", {}).items()
        if "acq_id" in name and "pattern" in sub
    }
    overrides.update({prop: s for (t, prop), s in COST_CAPS.items() if t == tool})
    return client, session, schema, overrides


def call_checked(client: SyncClient, session: Session, tool: str, args: dict[str, Any]) -> Any:
    """Call ``tool`` (failing after CALL_TIMEOUT_S): it must read and write only inside the session's folder and
    start no process; on an error result check the message and that nothing changed."""
    before = state_of(session)
    with AUDIT.watch() as watched:
        result = client.call(tool, args, timeout_s=CALL_TIMEOUT_S)
    assert not watched.processes, f"{tool}({args!r}) started a process: {watched.processes}"
    assert not outside(watched.writes, session.data_dir), f"{tool}({args!r}) wrote outside its folder"
    assert not outside(watched.reads, session.data_dir, ALLOWED_READ_ROOTS), f"{tool}({args!r}) read outside"
    if result.is_error:
        text = error_text(result)
        assert text.strip(), f"{tool}({args!r}) was refused without a message"
        assert not text.startswith("Error calling tool"), f"{tool}({args!r}) raised an unhandled exception: {text}"
        assert "Traceback" not in text
        if not text.startswith(EVENTS):
            assert state_of(session) == before, f"the rejected call {tool}({args!r}) changed state: {text}"
    return result


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_valid_and_boundary_arguments_succeed_or_are_refused_cleanly(tool: str, tool_client: Any) -> None:
    client, session, schema, overrides = tool_client

    @EXAMPLES
    @given(args=valid_arguments(schema, overrides))
    def check(args: dict[str, Any]) -> None:
        result = call_checked(client, session, tool, args)
        if not result.is_error:
            assert result.content, f"{tool}({args!r}) succeeded with an empty result"

    check()


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_invalid_arguments_are_refused_with_a_message_naming_the_fault(tool: str, tool_client: Any) -> None:
    client, session, schema, overrides = tool_client

    @EXAMPLES
    @given(case=invalid_arguments(schema, overrides))
    def check(case: tuple[dict[str, Any], str]) -> None:
        args, fault = case
        result = call_checked(client, session, tool, args)
        assert result.is_error, f"{tool} accepted {args!r} ({fault} is invalid)"
        assert fault in error_text(result), f"the refusal of {tool}({args!r}) does not name {fault}"

    check()


async def test_every_tool_of_the_server_is_covered(client: Client[Any]) -> None:
    assert {t.name for t in await client.list_tools()} == set(TOOLS)


def test_the_invalid_strategy_really_breaks_the_schema() -> None:
    import jsonschema

    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "x_nm": {"type": "number", "minimum": 0, "maximum": 10},
            "kind": {"enum": ["EELS", "EDS"], "type": "string"},
            "acq_id": {"type": "string", "pattern": "^a\\d{4}$"},
            "pixels": {"anyOf": [{"type": "integer", "minimum": 16, "maximum": 64}, {"type": "null"}]},
        },
        "required": ["x_nm", "acq_id"],
    }
    validator = jsonschema.Draft202012Validator(schema)

    @settings(max_examples=200, derandomize=True, database=None)
    @given(valid=valid_arguments(schema), case=invalid_arguments(schema))
    def check(valid: dict[str, Any], case: tuple[dict[str, Any], str]) -> None:
        assert validator.is_valid(valid), valid
        assert not validator.is_valid(case[0]), case

    check()
