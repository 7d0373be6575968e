"""Stand-ins for the session and the agent that replay events built by hand, so the page is tested on exactly
the events it must draw."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from copilot.agent.events import AgentEvent, Final, ImageRef, TextDelta, ToolCall, ToolResult
from copilot.ui.runtime import Backend
from copilot.ui.settings import ModelChoice, SessionChoice


def png_bytes(size_px: int = 32, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (size_px, size_px), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class StoredAcquisition:
    """Shaped like ``copilot.store.Acquisition``: kind, calibration metadata, named arrays."""

    kind: str
    metadata: dict[str, Any]
    arrays: dict[str, np.ndarray]


@dataclass
class FakeSession:
    data_dir: Path
    specimen: str = "graphene"
    seed: int = 0
    dose_budget_e_per_A2: float = 1e7
    acquisitions: dict[str, StoredAcquisition] = field(default_factory=dict)
    dose_used_e_per_A2: float = 0.0

    def status(self) -> dict[str, Any]:
        if self.specimen.startswith("afm"):
            return {
                "instrument": "AFM",
                "specimen": self.specimen,
                "seed": self.seed,
                "settings": {"engaged": True, "feedback": {"setpoint_nm": 14.0}, "tip": {"radius_nm": 8.4}},
                "dose": {"used_e_per_A2": 0, "budget_e_per_A2": self.dose_budget_e_per_A2},
            }
        return {
            "instrument": "STEM",
            "specimen": self.specimen,
            "seed": self.seed,
            "instrument_time_s": 12.5,
            "settings": {
                "beam": {"energy_kv": 200.0, "current_pa": 50.0, "blanked": False},
                "scan": {"fov_nm": 20.0, "pixels": 64, "dwell_us": 2.0},
                "stage": {"x_um": 0.0, "y_um": 0.0},
            },
            "dose": {"used_e_per_A2": self.dose_used_e_per_A2, "budget_e_per_A2": self.dose_budget_e_per_A2},
            "latest_acquisition_id": self.latest_acquisition_id,
        }

    @property
    def latest_acquisition_id(self) -> str | None:
        return next(reversed(self.acquisitions), None)

    def get_acquisition(self, acq_id: str) -> StoredAcquisition:
        return self.acquisitions[acq_id]

    def load_specimen(self, name: str, seed: int) -> None:
        self.specimen, self.seed = name, seed

    def acquire(self, acq_id: str, fov_nm: float = 20.0, pixels: int = 64) -> None:
        rng = np.random.default_rng(len(self.acquisitions))
        data = rng.poisson(100.0, (pixels, pixels)).astype(np.float32)
        meta = {"fov_nm": fov_nm, "pixel_size_nm": fov_nm / pixels, "detector": "HAADF"}
        self.acquisitions[acq_id] = StoredAcquisition("image", meta, {"image": data})
        (self.data_dir / f"{acq_id}.h5").write_bytes(data.tobytes())
        self.dose_used_e_per_A2 += 2.5e6


@dataclass
class ScriptedAgent:
    """Replays ``turns[n]`` for the n-th ``run``; ``resume`` replays ``approved`` or ``rejected``.

    A ``ToolCall`` named ``acquire_image`` also stores an acquisition in the fake session, so the panel has
    something to show; an exception in a script is raised at that point of the stream.
    """

    session: FakeSession
    model: ModelChoice
    turns: list[Sequence[AgentEvent | Exception]]
    approved: Sequence[AgentEvent] = ()
    rejected: Sequence[AgentEvent] = ()
    mcp_url: str | None = None
    prompts: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # what each resume was told: approve, safe or reject

    @property
    def model_label(self) -> str:
        return "scripted" if self.model.offline else f"scripted {self.model.model_string}"

    async def _replay(self, events: Sequence[AgentEvent | Exception]) -> AsyncIterator[AgentEvent]:
        for event in events:
            if isinstance(event, Exception):
                raise event
            if isinstance(event, ToolCall) and event.name == "acquire_image":
                self.session.acquire(f"a{len(self.session.acquisitions):04d}")
            if isinstance(event, ToolCall) and event.name == "load_specimen":
                self.session.load_specimen(str(event.args["name"]), int(event.args.get("seed", 0)))
            yield event

    def run(self, text: str) -> AsyncIterator[AgentEvent]:
        self.prompts.append(text)
        return self._replay(self.turns[len(self.prompts) - 1])

    def resume(self, approve: bool, use_safe: bool = False) -> AsyncIterator[AgentEvent]:
        self.answers.append(("safe" if use_safe else "approve") if approve else "reject")
        return self._replay(self.approved if approve else self.rejected)


@dataclass
class Script:
    """What the scripted agents will replay; makes fake sessions and agents and keeps them for assertions."""

    turns: list[Sequence[AgentEvent | Exception]] = field(default_factory=list)
    approved: Sequence[AgentEvent] = ()
    rejected: Sequence[AgentEvent] = ()
    agents: list[ScriptedAgent] = field(default_factory=list)
    sessions: list[FakeSession] = field(default_factory=list)

    @property
    def backend(self) -> Backend:
        return Backend(self.make_session, self.make_agent, lambda: dict(SPECIMENS))

    def make_session(self, data_dir: Path, choice: SessionChoice) -> FakeSession:
        session = FakeSession(data_dir, choice.specimen, choice.seed, choice.dose_budget_e_per_A2)
        self.sessions.append(session)
        return session

    def make_agent(self, session: FakeSession, model: ModelChoice, *, mcp_url: str | None, **_: Any) -> ScriptedAgent:
        if model.name == "broken":
            raise ConnectionError(f"cannot reach {model.base_url} with key {model.api_key}")
        agent = ScriptedAgent(session, model, self.turns, self.approved, self.rejected, mcp_url)
        self.agents.append(agent)
        return agent


SPECIMENS = {
    "graphene": "single-layer graphene",
    "mos2": "MoS2 monolayer with vacancies",
    "afm_steps": "atomic steps for the AFM",
}


def acquisition_turn(answer: str = "Here is the image.") -> list[AgentEvent]:
    """Load graphene, acquire an image (with a PNG) and answer."""
    return [
        ToolCall("c1", "load_specimen", {"name": "graphene", "seed": 0}),
        ToolResult("c1", "load_specimen", True, {"specimen": "graphene"}, "graphene loaded"),
        ToolCall("c2", "acquire_image", {"fov_nm": 20.0, "pixels": 64, "dwell_us": 2.0}),
        ToolResult(
            "c2",
            "acquire_image",
            True,
            {"id": "a0000", "pixel_size_nm": 0.3125, "dose_e_per_A2": 2.5e6},
            "acquired a0000",
            (ImageRef(png_bytes(), caption="HAADF a0000", uri="acq://a0000"),),
        ),
        TextDelta(answer[:5]),
        TextDelta(answer[5:]),
        Final(answer, model="scripted"),
    ]
