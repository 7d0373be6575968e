"""A scripted tool-calling chat model that replays a fixed list of replies, for tests and the evaluation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from pydantic import Field

from copilot.agent.replymodel import ReplyChatModel

Reply = AIMessage | Callable[[Sequence[BaseMessage]], AIMessage]
"""One scripted reply: a fixed message, or a function of the conversation so far (for example to quote a tool
output in the answer)."""


class ScriptedChatModel(ReplyChatModel):
    """The n-th model call gets ``replies[n]``, counted over the whole life of the model (across user turns).

    ``calls`` records the messages each call saw, for assertions. Running past the end of the script raises an
    ``IndexError`` that names the call, so a test sees at once that the agent asked for more than was planned.
    """

    replies: list[Any] = Field(default_factory=list)
    calls: list[list[BaseMessage]] = Field(default_factory=list)

    def reply(self, messages: Sequence[BaseMessage]) -> AIMessage:
        """Record the conversation and return the next scripted reply."""
        self.calls.append(list(messages))
        index = len(self.calls) - 1
        if index >= len(self.replies):
            raise IndexError(f"the script has {len(self.replies)} replies but model call {index + 1} was made")
        reply = self.replies[index]
        message: AIMessage = reply(messages) if callable(reply) else reply
        return message if message.id else message.model_copy(update={"id": f"scripted-{index}"})
