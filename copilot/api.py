"""The microscope from Python (a notebook, a script): every MCP tool as a method, results as models and arrays.

>>> import copilot
>>> m = copilot.Microscope(data_dir="data", specimen="srtio3", seed=0)   # doctest: +SKIP
>>> m.set_scan(fov_nm=8.0, pixels=256)                                    # doctest: +SKIP
>>> frame = m.acquire_image(detector="HAADF")                             # doctest: +SKIP
>>> frame.image.shape, frame.result.pixel_size_nm                         # doctest: +SKIP
((256, 256), 0.03125)
>>> m.measure_lattice(acq_id=frame.id).result.a_nm                        # doctest: +SKIP
0.3905...

A :class:`Microscope` owns a :class:`~copilot.session.Session` and talks to it through the real MCP server in
process, so a notebook gets exactly the tools an agent gets: the same validation, dose policy, journal and
acquisition files. Each call returns an :class:`Output`: the tool's result model (``result``), the arrays of the
acquisition it made or read (``arrays``, ``image``), and its preview (shown by Jupyter as a PNG).
"""

from __future__ import annotations

import asyncio
import base64
import re
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel

from copilot.errors import CopilotError
from copilot.session import DEFAULT_DOSE_BUDGET_E_PER_A2, Session
from copilot.store.store import primary_image

T = TypeVar("T")
_ACQ_ID = re.compile(r"^a\d{4,}$")


class ToolCallError(CopilotError, RuntimeError):
    """A tool refused the call (bad argument, limit, dose budget, wrong instrument); nothing changed."""


@dataclass
class Output:
    """What one tool call returned: the result model, the arrays of its acquisition (if any) and its preview."""

    tool: str
    result: Any
    """The tool's result model (a pydantic model; a dict for a tool without one)."""
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    png: bytes | None = None

    @property
    def id(self) -> str | None:
        """The acquisition id the result names (``a0001``), if any."""
        value = self._field("id")
        return value if isinstance(value, str) and _ACQ_ID.match(value) else None

    @property
    def image(self) -> np.ndarray | None:
        """The 2-D array that represents the acquisition (an image, a summed spectrum image, an AFM height)."""
        if not self.arrays:
            return None
        kind = self._field("kind")
        if kind == "spectrum":
            return None
        from copilot.store.acquisition import Acquisition

        return primary_image(Acquisition(self.id or "", kind, "", {}, self.arrays))

    def _field(self, name: str) -> Any:
        if isinstance(self.result, BaseModel):
            return getattr(self.result, name, None)
        return self.result.get(name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = self._field(name)
        if value is None and not _has(self.result, name):
            raise AttributeError(f"{self.tool} returned no field {name!r}")
        return value

    def _repr_png_(self) -> bytes | None:
        return self.png


def _has(result: Any, name: str) -> bool:
    return name in (type(result).model_fields if isinstance(result, BaseModel) else result)


def _result_models() -> dict[str, type[BaseModel]]:
    """Every tool result model by class name (the title of a tool's output schema)."""
    from copilot.tools.common import Result

    out: dict[str, type[BaseModel]] = {}
    todo: list[type[BaseModel]] = [Result]
    while todo:
        cls = todo.pop()
        out[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return out


class Microscope:
    """A digital-twin microscope session for Python: each MCP tool is a method taking the tool's arguments.

    ``data_dir`` is the folder of the acquisition files and the journal (created if needed). ``approval`` is
    the dose policy for acquisitions over the budget or a critical dose: ``"deny"`` (refuse, the default) or
    ``"allow"``. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        data_dir: Path | str = "data",
        specimen: str = "graphene",
        seed: int = 0,
        *,
        dose_budget_e_per_A2: float = DEFAULT_DOSE_BUDGET_E_PER_A2,
        approval: str = "deny",
    ) -> None:
        from fastmcp import Client

        from copilot.tools import create_server

        self.session = Session(data_dir, specimen, seed, dose_budget_e_per_A2)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="copilot-microscope", daemon=True)
        self._thread.start()
        self._client: Any = Client(create_server(self.session, approval=approval))  # type: ignore[arg-type]
        self._run(self._client.__aenter__())
        self._tools = {t.name: t for t in self._run(self._client.list_tools())}
        self._models = _result_models()

    # -- tools ----------------------------------------------------------------------------------------------------

    @property
    def tools(self) -> list[str]:
        """The names of the tools (the methods this object has besides its own)."""
        return sorted(self._tools)

    def call(self, tool: str, **arguments: Any) -> Output:
        """Call ``tool`` with ``arguments`` (None values are left out); raise ToolCallError when it refuses."""
        from fastmcp.exceptions import ToolError

        if tool not in self._tools:
            raise ToolCallError(f"No tool {tool!r}.", hint=f"Tools: {', '.join(self.tools)}.")
        args = {k: v for k, v in arguments.items() if v is not None}
        try:
            raw = self._run(self._client.call_tool(tool, args))
        except ToolError as exc:
            raise ToolCallError(str(exc), hint="") from None
        return self._output(tool, raw)

    def __getattr__(self, name: str) -> Callable[..., Output]:
        tools = self.__dict__.get("_tools", {})
        if name not in tools:
            raise AttributeError(f"{type(self).__name__} has no tool or attribute {name!r}")

        def method(**arguments: Any) -> Output:
            return self.call(name, **arguments)

        method.__name__ = name
        method.__doc__ = tools[name].description
        return method

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._tools})

    def _output(self, tool: str, raw: Any) -> Output:
        structured = dict(raw.structured_content or {})
        model = self._model_of(tool)
        result: BaseModel | dict[str, Any] = model.model_validate(structured) if model else structured
        out = Output(tool, result, png=_first_png(raw.content))
        if out.id is not None and (tool.startswith("acquire") or tool in ("get_acquisition", "denoise_image")):
            out.arrays = dict(self.session.get_acquisition(out.id).arrays)
        return out

    def _model_of(self, tool: str) -> type[BaseModel] | None:
        """The result model of ``tool``: the one its output schema names, or the one with exactly its fields."""
        schema = self._tools[tool].output_schema or {}
        if schema.get("title") in self._models:
            return self._models[schema["title"]]
        fields = set(schema.get("properties", {}))
        same = [m for m in self._models.values() if fields and set(m.model_fields) == fields]
        return same[0] if len(same) == 1 else None

    # -- life cycle -----------------------------------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def close(self) -> None:
        """Disconnect, stop the event loop thread and close the session's journal."""
        if self._loop.is_closed():
            return
        try:
            self._run(self._client.__aexit__(None, None, None))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
            self.session.close()

    def __enter__(self) -> Microscope:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Microscope(data_dir={str(self.session.data_dir)!r}, specimen={self.session.specimen!r})"


def _first_png(content: list[Any]) -> bytes | None:
    for item in content:
        if getattr(item, "type", None) == "image" and getattr(item, "mime_type", "") == "image/png":
            return base64.b64decode(item.data)
    return None
