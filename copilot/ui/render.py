"""Drawing the transcript with Streamlit: answer text, compact tool steps that expand to details, inline images,
approval prompts with buttons, errors as messages.

The same ``render_item`` draws history (on every rerun) and the live turn (``LiveTurn``, while events stream in),
so a turn looks the same before and after the page reruns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from copilot.ui import approval
from copilot.ui.summaries import clip, describe_call, describe_step
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

MAX_IMAGE_COLUMNS = 3
MAX_CAPTION_CHARS = 400

# Draws a finished step's pictures (and e.g. a spectrum chart); returns False to leave the images to render_step.
StepExtra = Callable[[StepItem], bool]
Decide = Callable[[Decision], None]  # called by the approve / reject / safe-setting buttons
Suggest = Callable[[str], None]  # queues a prompt (the safer option after a rejection)


def render_images(pictures: Sequence[tuple[bytes, str]]) -> None:
    """Pictures (PNG, caption) filling the chat column's width, up to three side by side."""
    for start in range(0, len(pictures), MAX_IMAGE_COLUMNS):
        row = pictures[start : start + MAX_IMAGE_COLUMNS]
        for column, (png, caption) in zip(st.columns(len(row)), row, strict=True):
            column.image(png, caption=caption or None, width="stretch", output_format="PNG")  # sent as it is


STEP_ICONS = {
    "running": ":material/progress_activity:",
    "waiting": ":material/pan_tool:",
    "complete": ":material/check_circle:",
    "error": ":material/error:",
}


def step_state(step: StepItem, waiting: bool) -> str:
    """``waiting`` (for the person's approval: no check mark yet), ``running``, ``complete`` or ``error``."""
    if step.result is None:
        return "waiting" if waiting else "running"
    return "complete" if step.result.ok else "error"


def render_step(step: StepItem, extra: StepExtra | None = None, *, waiting: bool = False) -> None:
    """A collapsed line (name, key arguments, result numbers) whose details hold the full call and result; the
    step's images (and any extra, e.g. a spectrum) show below it without a click."""
    result = step.result
    state = step_state(step, waiting)
    label = describe_step(step.call, result)
    if state == "waiting":
        label = f"{describe_call(step.call)} · waiting for your approval"
    with st.expander(label, icon=STEP_ICONS[state], expanded=False):
        st.markdown("**arguments**")
        st.json(step.call.args, expanded=False)
        if result is not None:
            if result.text and not result.text.lstrip().startswith(("{", "[")):  # JSON is shown below
                st.caption(clip(result.text, MAX_CAPTION_CHARS))
            st.markdown("**result**")
            st.json(result.data, expanded=False)
    if result is not None and result.ok:
        drawn = extra(step) if extra is not None else False
        if result.images and not drawn:
            render_images([(image.png, image.caption or image.uri or "") for image in result.images])


def _request_block(request: dict[str, Any]) -> str:
    """One request in words: what, the short reason and its figures as a small table."""
    lines = [f"**{approval.what(request)}**"]
    if approval.reason(request):
        lines.append(approval.reason(request))
    rows = approval.why(request)
    if rows:
        lines += ["", "| | |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)]
    return "\n".join(lines)


def render_approval(item: ApprovalItem, key: str, decide: Decide | None, suggest: Suggest | None = None) -> None:
    """The actions awaiting an answer, in words, with Approve / Reject (and "Use the safe setting" when the server
    named one) while undecided; after a rejection, the safer option to ask for instead."""
    blocks = "\n\n".join(_request_block(request) for request in item.requests)
    if item.decision is None:
        with st.container(border=True):
            st.markdown(f":material/front_hand: **The microscope needs your approval**\n\n{blocks}")
            if decide is not None:
                buttons = st.columns(3 if item.safe_alternative else 2)
                buttons[0].button("Approve", key=f"{key}-approve", type="primary", on_click=decide, args=("approve",))
                buttons[1].button("Reject", key=f"{key}-reject", on_click=decide, args=("reject",))
                if item.safe_alternative:
                    buttons[2].button("Use the safe setting", key=f"{key}-safe", on_click=decide, args=("safe",))
        return
    said = {"approve": "You approved", "reject": "You rejected", "safe": "You chose the safe setting for"}
    whats = "; ".join(approval.what(request) for request in item.requests)
    if item.decision != "reject":
        st.info(f"{said[item.decision]}: {whats}", icon=":material/check_circle:")
        return
    st.info(f"{said['reject']}: {whats} Nothing was run.", icon=":material/block:")
    prompts = [approval.safe_prompt(request) for request in item.requests]
    offer = next((p for p in prompts if p), "")
    if offer:
        st.markdown(f"A safer option: {offer.removeprefix('Use the safe setting instead: ')}")
        if suggest is not None:
            st.button("Use the safe setting instead", key=f"{key}-safer", on_click=suggest, args=(offer,))


def render_item(
    item: TurnItem,
    key: str,
    *,
    extra: StepExtra | None = None,
    decide: Decide | None = None,
    suggest: Suggest | None = None,
    waiting: frozenset[str] = frozenset(),
) -> None:
    if isinstance(item, TextItem):
        st.markdown(item.text)
    elif isinstance(item, StepItem):
        render_step(item, extra, waiting=item.call.call_id in waiting)
    elif isinstance(item, ApprovalItem):
        render_approval(item, key, decide, suggest)
    elif isinstance(item, ErrorItem):
        st.error(item.message, icon=":material/error:")


def waiting_calls(turn: AssistantTurn) -> frozenset[str]:
    """Ids of the calls in this turn that wait for the person's answer."""
    pending = turn.pending_approval
    return frozenset(pending.call_ids) if pending is not None else frozenset()


def render_footer(turn: AssistantTurn) -> None:
    """Which model answered, how many tool calls it made and the tokens it reported."""
    if turn.final is None:
        return
    parts = [f"model: {turn.final.model}", f"{len(turn.steps)} tool call(s)"]
    usage = turn.final.usage
    if usage:
        parts.append(" / ".join(f"{value} {name.replace('_', ' ')}" for name, value in usage.items()))
    st.caption(" · ".join(parts))


def render_turn(
    turn: Turn,
    key: str,
    *,
    extra: StepExtra | None = None,
    decide: Decide | None = None,
    suggest: Suggest | None = None,
) -> None:
    """One chat message: the user's text, or every item of an assistant turn and its footer."""
    with st.chat_message(turn.role):
        if isinstance(turn, UserTurn):
            st.markdown(turn.text)
            return
        waiting = waiting_calls(turn)
        for index, item in enumerate(turn.items):
            render_item(item, f"{key}-{index}", extra=extra, decide=decide, suggest=suggest, waiting=waiting)
        render_footer(turn)


def _signature(item: TurnItem, waiting: bool) -> tuple[Any, ...]:
    """What changes when an item needs drawing again."""
    if isinstance(item, TextItem):
        return ("text", len(item.text))
    if isinstance(item, StepItem):
        return ("step", item.result is not None, waiting)
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
        waiting = waiting_calls(self.turn)
        for index, item in enumerate(self.turn.items):
            if index == len(self._slots):
                self._slots.append(self._items.empty())
                self._drawn.append(())
            signature = _signature(item, isinstance(item, StepItem) and item.call.call_id in waiting)
            if self._drawn[index] != signature:
                with self._slots[index].container():
                    # Approval buttons are drawn by the rerun that follows the turn, never twice in one run.
                    render_item(item, f"{self.key}-{index}", extra=self.extra, waiting=waiting)
                self._drawn[index] = signature
        if self.turn.final is not None:
            with self._footer.container():
                render_footer(self.turn)
