"""Bad arguments for every tool give an error result, change no state and leave the server serving."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp import Client

from copilot.session import Session

BAD_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("load_specimen", {"name": "unobtainium"}),
    ("load_specimen", {"name": "graphene", "seed": -1}),
    ("load_specimen", {"name": "x" * 10_000}),
    ("set_beam", {"energy_kv": 10_000.0}),
    ("set_beam", {"current_pa": "NaN"}),
    ("set_beam", {"blanked": "maybe"}),
    ("set_optics", {"defocus_nm": "Infinity"}),
    ("set_optics", {"convergence_mrad": -3.0}),
    ("set_scan", {"fov_nm": "wide"}),
    ("set_scan", {"pixels": 1_000_000}),
    ("set_scan", {"pixels": 12.5}),
    ("set_scan", {"dwell_us": 0.0}),
    ("move_stage", {"x_um": 1e9}),
    ("move_stage", {"y_um": [1, 2]}),
    ("acquire_image", {"detector": "SE"}),
    ("acquire_spectrum", {"kind": "XPS", "x_nm": 1.0, "y_nm": 1.0}),
    ("acquire_spectrum", {"kind": "EELS", "x_nm": "NaN", "y_nm": 1.0}),
    ("acquire_spectrum", {"kind": "EELS", "x_nm": 1.0}),
    ("acquire_spectrum_image", {"kind": "EDS", "x_nm": 0, "y_nm": 0, "width_nm": 1, "height_nm": 1, "pixels": 10**6}),
    ("autofocus", {"steps": 10_000}),
    ("autofocus", {"range_nm": -1.0}),
    ("get_acquisition", {"acq_id": "a0001"}),
    ("get_acquisition", {"acq_id": "../../etc/passwd"}),
    ("export_acquisition", {"acq_id": "a0001", "name": "ok"}),
    ("list_acquisitions", {"last": 0}),
    ("list_acquisitions", {"kind": "movie"}),
    ("acquire_spectrum_image", {"kind": "EELS", "x_nm": 0, "y_nm": 0, "width_nm": 5e-324, "height_nm": 1}),
    ("estimate_drift", {"first_acq_id": "a0001", "second_acq_id": "a0001", "dt_s": 2.2e-309}),
    ("roughness", {"width_nm": "Infinity"}),
    ("roughness", {"x_nm": 1e300}),
    ("find_atoms", {"acq_id": "a0001"}),
]

TRAVERSAL_NAMES = ["../escape", "/etc/passwd", "sub/dir", "..", "a\\b", "..hidden", "", "C:\\x", "~root", "x" * 500]


def state_of(session: Session) -> tuple[Any, ...]:
    exports = sorted(p.name for p in (session.data_dir / "exports").iterdir())
    return (session.instrument.snapshot(), session.specimen, session.dose_used_e_per_A2, session.store.ids(), exports)


@pytest.mark.parametrize(("tool", "args"), BAD_CALLS, ids=[f"{t}-{i}" for i, (t, _) in enumerate(BAD_CALLS)])
async def test_a_bad_call_is_an_error_result_and_changes_nothing(
    client: Client[Any], session: Session, tool: str, args: dict[str, Any]
) -> None:
    before = state_of(session)
    result = await client.call_tool(tool, args, raise_on_error=False)
    assert result.is_error, result.content
    assert result.content[0].text.strip()  # type: ignore[union-attr]
    assert state_of(session) == before
    assert (await client.call_tool("get_status")).structured_content["specimen"] == "graphene"


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
async def test_export_refuses_names_that_are_not_plain_file_names(
    client: Client[Any], session: Session, name: str
) -> None:
    await client.call_tool("set_scan", {"pixels": 32})
    await client.call_tool("acquire_image", {})
    before = state_of(session)
    result = await client.call_tool("export_acquisition", {"acq_id": "a0001", "name": name}, raise_on_error=False)
    assert result.is_error
    assert state_of(session) == before
    assert not list(session.data_dir.parent.glob("escape*")) and not list(session.data_dir.glob("*.hspy"))


async def test_twin_errors_say_what_was_wrong_and_what_to_do_next(client: Client[Any]) -> None:
    await client.call_tool("move_stage", {"x_um": 8.0})
    result = await client.call_tool("move_stage", {"x_um": 8.0, "relative": True}, raise_on_error=False)
    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error and "StageLimitError" in text and "Next:" in text
