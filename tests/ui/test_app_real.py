"""The page over the real session and agent: the offline planner, a scripted chat model with an approval, and an
OpenAI-compatible endpoint that cannot be reached."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from streamlit.testing.v1 import AppTest

from copilot.agent import CopilotAgent
from copilot.agent.scripted import ScriptedChatModel
from copilot.ui.runtime import Backend
from copilot.ui.settings import DATA_DIR_ENV, ModelChoice
from copilot.ui.state import DRAWN_KEY

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT_S = 60


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    return tmp_path


def page(at: AppTest) -> AppTest:
    """The page's first run, as after the browser said it shows the page (there is no browser here)."""
    at.session_state[DRAWN_KEY] = True
    return at.run()


def _page(backend: "Backend") -> None:  # noqa: UP037 - the body runs alone as a script
    import app

    app.main(backend)


def scripted(replies: list[AIMessage]) -> Backend:
    """The real session and agent, with a scripted chat model in place of a language model."""

    def make_agent(session: Any, model: ModelChoice, **options: Any) -> Any:
        options.pop("mcp_url", None)
        return CopilotAgent.create(
            session, model=model.model_string, chat_model=ScriptedChatModel(replies=replies), **options
        )

    return Backend(make_agent=make_agent)


def call(name: str, call_id: str, **args: Any) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}])


def finish(at: AppTest) -> None:
    assert not at.exception, at.exception
    runtime = at.session_state.get("copilot_runtime")
    if runtime is not None:
        runtime.close()


@pytest.mark.slow  # about 5 s on 2 cores: two agent turns over the real twin
def test_the_offline_planner_loads_graphene_acquires_and_the_panel_shows_the_image() -> None:
    at = page(AppTest.from_file(str(APP), default_timeout=TIMEOUT_S))
    assert not at.exception, at.exception
    at.chat_input[0].set_value("load graphene and acquire an image").run()
    assert not at.exception, at.exception
    assert not any(b.label == "Approve" for b in at.button)  # loading a specimen needs no approval
    steps = [status.label for status in at.expander]
    assert any(label.startswith("acquire_image") and "id=" in label for label in steps), steps
    assert len(at.image) >= 1  # the inline picture with its scale bar
    viewers = [e for e in at.get("bidi_component") if e.proto.component_name == "copilot.image_viewer"]
    assert viewers and '"width_px": 512' in viewers[0].proto.json  # the panel shows every pixel
    assert any("FOV" in caption for image in at.image for caption in image.proto.imgs[0].caption.split("\n"))
    assert any("model: offline planner" in c.value for c in at.caption)
    finish(at)


def test_an_approved_over_budget_acquisition_runs_and_reaches_the_panel() -> None:
    backend = scripted([call("acquire_image", "c1"), AIMessage(content="Acquired after approval.")])
    at = page(AppTest.from_function(_page, args=(backend,), default_timeout=TIMEOUT_S))
    at.sidebar.number_input[1].set_value(10.0).run()  # a budget the acquisition goes past: the server asks
    at.chat_input[0].set_value("acquire even if it is over budget").run()
    card = next((md.value for md in at.markdown if "needs your approval" in md.value), "")
    assert "| limit |" in card and "e⁻/Å²" in card, card  # the server's figures, in words and units
    next(b for b in at.button if b.label == "Approve").click().run()
    assert not at.exception, at.exception
    assert any(md.value == "Acquired after approval." for md in at.markdown)
    assert any(status.label.startswith("acquire_image") for status in at.expander)
    assert not any("No acquisition yet" in info.value for info in at.info)
    finish(at)


def test_an_unreachable_endpoint_is_reported_as_a_message_without_the_key() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    at = page(AppTest.from_file(str(APP), default_timeout=TIMEOUT_S))
    at.sidebar.radio[0].set_value("openai").run()
    at.sidebar.text_input[1].set_value(f"http://127.0.0.1:{port}/v1").run()
    at.sidebar.text_input[2].set_value("sk-test-never-shown").run()
    at.chat_input[0].set_value("hello").run()
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in at.error)
    assert f"http://127.0.0.1:{port}/v1 (model gpt-4o-mini)" in shown  # the URL and model used, not the default
    assert "api.openai.com" not in shown
    page_text = " ".join(str(m.value) for m in [*at.markdown, *at.error, *at.caption, *at.warning])
    assert "sk-test-never-shown" not in page_text
    finish(at)


CIF = Path(__file__).resolve().parents[2] / "examples" / "structures" / "si_diamond.cif"


def specimen_box(at: AppTest) -> Any:
    return next(box for box in at.sidebar.selectbox if box.label == "Specimen")


def offers(at: AppTest, name: str) -> bool:
    return any(option.startswith(f"{name}: ") for option in specimen_box(at).options)  # "name: description"


@pytest.mark.slow  # the real twin builds a slab from the CIF
def test_a_shared_structure_file_is_offered_in_the_sidebar_and_loads_into_the_session(data_dir: Path) -> None:
    (data_dir / "structures").mkdir()
    (data_dir / "structures" / "si_diamond.cif").write_bytes(CIF.read_bytes())
    at = page(AppTest.from_file(str(APP), default_timeout=TIMEOUT_S))
    assert offers(at, "structures/si_diamond.cif")
    specimen_box(at).set_value("structures/si_diamond.cif").run()
    assert not at.exception, at.exception
    runtime = at.session_state["copilot_runtime"]
    status = runtime.status()
    assert status["specimen"] == "structures/si_diamond.cif" and status["instrument"] == "STEM"
    assert (runtime.data_dir / "structures" / "si_diamond.cif").read_bytes() == CIF.read_bytes()
    assert specimen_box(at).value == "structures/si_diamond.cif"
    assert any("Loaded structures/si_diamond.cif" in s.value for s in at.sidebar.success)
    finish(at)


@pytest.mark.slow  # the real twin builds a slab from the CIF
def test_an_uploaded_structure_file_loads_and_one_ase_cannot_read_is_refused_and_removed(data_dir: Path) -> None:
    at = page(AppTest.from_file(str(APP), default_timeout=TIMEOUT_S))
    runtime = at.session_state["copilot_runtime"]
    at.sidebar.file_uploader[0].set_value(("broken.cif", b"data_broken\n_cell_length_a oops\n", "chemical/x-cif")).run()
    assert not at.exception, at.exception
    assert any("broken.cif" in e.value for e in at.sidebar.error)
    assert not (runtime.data_dir / "structures" / "broken.cif").exists()  # the refused file is gone again
    assert runtime.status()["specimen"] == "graphene"  # and the instrument kept what it had
    at.sidebar.file_uploader[0].set_value(("si.cif", CIF.read_bytes(), "chemical/x-cif")).run()
    assert not at.exception, at.exception
    assert runtime.status()["specimen"] == "structures/si.cif"
    assert specimen_box(at).value == "structures/si.cif" and offers(at, "structures/si.cif")
    finish(at)
