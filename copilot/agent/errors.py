"""Plain-language messages for failures of the model endpoint (the conversation itself is kept)."""

from __future__ import annotations

import json
import os

from copilot.agent.models import MAX_RETRIES

API_PATHS = ("/chat/completions", "/completions", "/responses", "/embeddings")


def endpoint_used(error: BaseException) -> str:
    """The base URL and model of the request that failed (from the request itself, so a base URL given in code
    is named, not the default), else what the environment says."""
    request = getattr(error, "request", None)
    url = str(getattr(request, "url", "") or "")
    for path in API_PATHS:
        url = url.removesuffix(path)
    url = url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
    try:
        model = json.loads(getattr(request, "content", b"") or b"{}").get("model")
    except (ValueError, AttributeError, TypeError):
        model = None
    return f"{url} (model {model})" if model else url


def explain_model_error(error: BaseException) -> str:
    """What went wrong talking to the model and what to do about it."""
    import openai

    endpoint = endpoint_used(error)
    if isinstance(error, openai.AuthenticationError):
        return f"The model endpoint {endpoint} refused the API key (401). Check OPENAI_API_KEY, or use --model offline."
    if isinstance(error, openai.PermissionDeniedError):
        return f"The model endpoint {endpoint} denied access to this model (403). Check the model name and key."
    if isinstance(error, openai.NotFoundError):
        return f"The model endpoint {endpoint} does not know this model (404). Check the model name."
    if isinstance(error, openai.RateLimitError):
        return f"The model endpoint {endpoint} is rate limiting (429) after {MAX_RETRIES} retries. Wait and retry."
    if isinstance(error, openai.APITimeoutError):
        return f"The model endpoint {endpoint} did not answer in time after {MAX_RETRIES} retries. Try again later."
    if isinstance(error, openai.APIConnectionError):
        return (
            f"Cannot connect to the model endpoint {endpoint} (connection refused or unreachable). Is the server "
            "running? Check OPENAI_BASE_URL, or use --model offline."
        )
    if isinstance(error, openai.APIStatusError):
        return f"The model endpoint {endpoint} failed with HTTP {error.status_code} after {MAX_RETRIES} retries."
    return f"The agent stopped: {type(error).__name__}: {error}"
