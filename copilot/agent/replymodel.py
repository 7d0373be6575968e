"""A base for chat models that compute a whole reply in process: the offline planner and scripted fakes.

Subclasses implement ``reply(messages)``; this class binds tools (keeping their argument schemas), streams the reply
token by token and tool call by tool call, so such a model runs through exactly the same ``create_agent`` loop,
middleware and event stream as a remote model. (LangChain's own fake chat models neither bind tools nor stream tool
calls.)
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolCallChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field


def split_text(text: str) -> list[str]:
    """Split text into word-sized pieces, keeping the spaces, the way a model streams tokens."""
    words = text.split(" ")
    return [piece for piece in [words[0], *(" " + word for word in words[1:])] if piece]


def message_chunks(message: AIMessage) -> list[AIMessageChunk]:
    """Cut a finished message into streamed chunks: the text token by token, then each tool call whole."""
    chunks = [AIMessageChunk(content=piece, id=message.id) for piece in split_text(message.text)]
    tool_chunks = [
        ToolCallChunk(name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=index)
        for index, call in enumerate(message.tool_calls)
    ]
    if tool_chunks or not chunks:
        chunks.append(AIMessageChunk(content="", tool_call_chunks=tool_chunks, id=message.id))
    if message.usage_metadata:
        chunks[-1] = chunks[-1] + AIMessageChunk(content="", usage_metadata=message.usage_metadata, id=message.id)
    return chunks


class ReplyChatModel(BaseChatModel):
    """A chat model whose reply is a function of the conversation; see the module docstring."""

    tool_schemas: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Name -> JSON schema of the arguments of every bound tool."""

    @property
    def _llm_type(self) -> str:
        return type(self).__name__

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[LanguageModelInput, AIMessage]:
        """Remember the tools' argument schemas (the planner fills arguments from them) and bind nothing else."""
        for tool in tools:
            function = convert_to_openai_tool(tool)["function"]
            self.tool_schemas[function["name"]] = function.get("parameters", {})
        return self.bind(**kwargs)

    def reply(self, messages: Sequence[BaseMessage]) -> AIMessage:
        """The next message: tool calls, or the final answer."""
        raise NotImplementedError

    def _reply_with_id(self, messages: list[BaseMessage]) -> AIMessage:
        message = self.reply(messages)
        if not message.id:
            turn = sum(isinstance(m, AIMessage) for m in messages)
            message = message.model_copy(update={"id": f"{self._llm_type}-{turn}"})
        return message

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._reply_with_id(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in message_chunks(self._reply_with_id(messages)):
            generation = ChatGenerationChunk(message=chunk)
            if run_manager and chunk.text:
                run_manager.on_llm_new_token(chunk.text, chunk=generation)
            yield generation

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in message_chunks(self._reply_with_id(messages)):
            generation = ChatGenerationChunk(message=chunk)
            if run_manager and chunk.text:
                await run_manager.on_llm_new_token(chunk.text, chunk=generation)
            yield generation
