"""A chat-model wrapper that fails once mid-run, like a dropped connection to the model endpoint.

Used for the ``endpoint_error`` fault: the wrapped model answers normally except on call ``fail_on_call`` (1-based),
which raises ``openai.APIConnectionError`` exactly as a real unreachable endpoint would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx2
import openai
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict

FAULT_URL = "http://model-endpoint.invalid/v1/chat/completions"


class FlakyChatModel(BaseChatModel):
    """Delegates to ``inner`` (with its tools bound) but raises an endpoint error on one call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    fail_on_call: int = 2
    calls: int = 0
    bound: Any = None  # ``inner`` with tools bound, once bind_tools was called

    @property
    def _llm_type(self) -> str:
        return f"flaky-{self.inner._llm_type}"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[LanguageModelInput, AIMessage]:
        self.bound = self.inner.bind_tools(tools, **kwargs)
        return self

    def _count(self) -> None:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise openai.APIConnectionError(request=httpx2.Request("POST", FAULT_URL))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self._count()
        message = (self.bound or self.inner).invoke(messages)
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self._count()
        message = await (self.bound or self.inner).ainvoke(messages)
        return ChatResult(generations=[ChatGeneration(message=message)])
