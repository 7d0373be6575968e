"""Agent middleware of our own: images from tool results reach the model the way it can read them.

OpenAI's Chat Completions rejects or ignores images inside tool messages. So before each model call, images are
taken out of tool messages (which keep their text summary plus a note) and, for a vision model, re-posted as one
user message right after the tool results. The conversation state itself is not changed: only what the model sees.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
from langchain_core.messages import AnyMessage, HumanMessage, ToolMessage

IMAGE_NOTE = "[image returned; shown to you in the next message]"
TEXT_ONLY_NOTE = "[image returned; this model reads only the numbers above]"
REPOST_MARK = "copilot_image_repost"


def is_image_block(block: Any) -> bool:
    """Whether a content block carries an image (standard LangChain or OpenAI form)."""
    return isinstance(block, dict) and block.get("type") in ("image", "image_url")


def split_images(message: ToolMessage) -> tuple[list[Any], list[Any]]:
    """The non-image blocks and the image blocks of a tool message."""
    if isinstance(message.content, str):
        return [message.content], []
    keep = [block for block in message.content if not is_image_block(block)]
    images = [block for block in message.content if is_image_block(block)]
    return keep, images


def prepare_messages(messages: list[AnyMessage], vision: bool) -> list[AnyMessage]:
    """What the model sees: tool messages without images; for ``vision``, the images re-posted as a user message."""
    prepared: list[AnyMessage] = []
    pending: list[Any] = []
    for message in messages:
        if pending and not isinstance(message, ToolMessage):
            prepared.append(_repost(pending))
            pending = []
        if isinstance(message, ToolMessage):
            keep, images = split_images(message)
            if images:
                note = IMAGE_NOTE if vision else TEXT_ONLY_NOTE
                message = message.model_copy(update={"content": [*keep, {"type": "text", "text": note}]})
                if vision:
                    pending.extend({"call": message.name or "tool", **block} for block in images)
        prepared.append(message)
    if pending:
        prepared.append(_repost(pending))
    return prepared


def _repost(images: list[dict[str, Any]]) -> HumanMessage:
    names = ", ".join(dict.fromkeys(image.pop("call") for image in images))
    intro = {"type": "text", "text": f"Images returned by {names} (read them together with the numbers):"}
    return HumanMessage(content=[intro, *images], additional_kwargs={REPOST_MARK: True})


class ImageRepostMiddleware(AgentMiddleware):
    """Apply ``prepare_messages`` to every model request; see the module docstring."""

    def __init__(self, vision: bool) -> None:
        super().__init__()
        self.vision = vision

    def wrap_model_call(self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]) -> ModelResponse:
        """Synchronous variant of ``awrap_model_call``."""
        return handler(request.override(messages=prepare_messages(request.messages, self.vision)))

    async def awrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], Awaitable[ModelResponse]]
    ) -> ModelResponse:
        """Hand the model the prepared messages."""
        return await handler(request.override(messages=prepare_messages(request.messages, self.vision)))
