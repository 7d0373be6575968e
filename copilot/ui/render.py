"""Drawing the transcript with Streamlit: answer text, compact tool steps that expand to details, inline images,
approval prompts with buttons, errors as messages.

The same ``render_item`` draws history (on every rerun) and the live turn (``LiveTurn``, while events stream in),
so a turn looks the same before and after the page reruns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import streamlit as st

from copilot.agent.events import ImageRef
from copilot.ui.summaries import clip, describe_step, key_arguments
from copilot.ui.transcript import (
    ApprovalItem,
    AssistantTurn,
    Decision,
    ErrorItem,
    StepItem,
    TextItem,
    Turn,
    TurnItem,
    UserTurn,
)

INLINE_IMAGE_WIDTH_PX = 360
MAX_IMAGE_COLUMNS = 3
MAX_CAPTION_CHARS = 400

StepExtra = Callable[[StepItem], None]  # draws more for a finished step (e.g. a spectrum chart)
Decide = Callable[[Decision], None]  # called by the approve / reject / safe-setting buttons


def render_images(images: tuple[ImageRef, ...]) -> None:
    """Images side by side (up to three per row), each with its caption or resource URI."""
    for start in range(0, len(images), MAX_IMAGE_COLUMNS):
        row = images[start : start + MAX_IMAGE_COLUMNS]
        columns = st.columns(len(row)) if len(row) > 1 else [st.container()]
        for column, image in zip(columns, row, strict=True):
            with column:
                st.image(image.png, caption=image.caption or image.uri or None, width=INLINE_IMAGE_WIDTH_PX)


def render_step(step: StepItem, extra: StepExtra | None = None) -> None:
    """A collapsed status line (name, key arguments, result numbers) whose details hold the full call and
    result; the step's images (and any extra, e.g. a spectrum) show below it without a click."""
    result = step.result
    state: Literal["running", "complete", "error"] = (
        "running" if result is None else ("complete" if result.ok else "error")
    )
    with st.status(describe_step(step.call, result), state=state, expanded=False):
        st.markdown("**arguments**")
        st.json(step.call.args, expanded=False)
        if result is not None:
            if result.text and not result.text.lstrip().startswith(("{", "[")):  # JSON is shown below
                st.caption(clip(result.text, MAX_CAPTION_CHARS))
            st.markdown("**result**")
            st.json(result.data, expanded=False)
    if result is not None and result.ok:
        if result.images:
            render_images(result.images)
        if extra is not None:
            extra(step)


def describe_request(request: dict[str, Any]) -> str:
    name = str(request.get("name", "an action"))
    args = key_arguments(request.get("args") or {})
    reason = str(request.get("reason", "")).strip()
    text = f"`{name}`" + (f" ({args})" if args else "")
    return f"{text}: {reason}" if reason else text


def render_approval(item: ApprovalItem, key: str, decide: Decide | None) -> None:
    """The actions awaiting a yes, with Approve / Reject buttons while undecided and ``decide`` is given."""
    lines = "\n".join(f"- {describe_request(request)}" for request in item.requests)
    if item.decision is None:
        st.warning(f"Approval needed before the microscope goes on:\n{lines}", icon=":material/front_hand:")
        if decide is not None:
            left, right = st.columns(2)
            left.button("Approve", key=f"{key}-approve", type="primary", on_click=decide, args=("approve",))
            right.button("Reject", key=f"{key}-reject", on_click=decide, args=("reject",))
    else:
        verdict = "rejected" if item.decision == "reject" else "approved"
        icon = ":material/block:" if item.decision == "reject" else ":material/check_circle:"
        st.info(f"You {verdict}:\n{lines}", icon=icon)


def render_item(item: TurnItem, key: str, *, extra: StepExtra | None = None, decide: Decide | None = None) -> None:
    if isinstance(item, TextItem):
        st.markdown(item.text)
    elif isinstance(item, StepItem):
        render_step(item, extra)
    elif isinstance(item, ApprovalItem):
        render_approval(item, key, decide)
    elif isinstance(item, ErrorItem):
        st.error(item.message, icon=":material/error:")


def render_footer(turn: AssistantTurn) -> None:
    """Which model answered, how many tool calls it made and the tokens it reported."""
    if turn.final is None:
        return
    parts = [f"model: {turn.final.model}", f"{len(turn.steps)} tool call(s)"]
    usage = turn.final.usage
    if usage:
        parts.append(" / ".join(f"{value} {name.replace('_', ' ')}" for name, value in usage.items()))
    st.caption(" · ".join(parts))


def render_turn(turn: Turn, key: str, *, extra: StepExtra | None = None, decide: Decide | None = None) -> None:
    """One chat message: the user's text, or every item of an assistant turn and its footer."""
    with st.chat_message(turn.role):
        if isinstance(turn, UserTurn):
            st.markdown(turn.text)
            return
        for index, item in enumerate(turn.items):
            render_item(item, f"{key}-{index}", extra=extra, decide=decide)
        render_footer(turn)


def _signature(item: TurnItem) -> tuple[Any, ...]:
    """What changes when an item needs drawing again."""
    if isinstance(item, TextItem):
        return ("text", len(item.text))
    if isinstance(item, StepItem):
        return ("step", item.result is not None)
    if isinstance(item, ApprovalItem):
        return ("approval", item.decision)
    return ("error", item.message)


class LiveTurn:
    """Draws an assistant turn while its events arrive, redrawing only the items that changed.

    Create it inside the ``st.chat_message`` block of the turn; call ``refresh`` after each event.
    """

    def __init__(self, turn: AssistantTurn, key: str, *, extra: StepExtra | None = None) -> None:
        self.turn = turn
        self.key = key
        self.extra = extra
        self._items = st.container()
        self._footer = st.empty()
        self._slots: list[Any] = []
        self._drawn: list[tuple[Any, ...]] = []

    def refresh(self) -> None:
        for index, item in enumerate(self.turn.items):
            if index == len(self._slots):
                self._slots.append(self._items.empty())
                self._drawn.append(())
            signature = _signature(item)
            if self._drawn[index] != signature:
                with self._slots[index].container():
                    # Approval buttons are drawn by the rerun that follows the turn, never twice in one run.
                    render_item(item, f"{self.key}-{index}", extra=self.extra, decide=None)
                self._drawn[index] = signature
        if self.turn.final is not None:
            with self._footer.container():
                render_footer(self.turn)
