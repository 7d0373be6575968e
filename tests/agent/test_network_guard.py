"""The suite-wide guard (tests/conftest.py): no request leaves the machine, model clients included."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.conftest import RealNetworkRequestError


def test_a_request_to_a_real_host_is_blocked_before_it_is_sent() -> None:
    with pytest.raises(RealNetworkRequestError, match=r"api\.openai\.com"):
        httpx.get("https://api.openai.com/v1/models")


async def test_an_async_request_to_a_real_host_is_blocked() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(RealNetworkRequestError):
            await client.get("https://example.org/")


def test_the_openai_client_cannot_reach_the_real_endpoint() -> None:
    client = openai.OpenAI(api_key="sk-test", max_retries=0)
    with pytest.raises(RealNetworkRequestError):
        client.models.list()


def test_model_keys_from_the_environment_are_hidden_from_tests() -> None:
    import os

    assert "OPENAI_API_KEY" not in os.environ and "OPENAI_BASE_URL" not in os.environ
