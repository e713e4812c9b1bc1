"""What differs between OpenAI-compatible providers, in one place.

OpenAI and Azure OpenAI take ``max_completion_tokens`` (and refuse ``max_tokens`` for their
reasoning models); llama.cpp, vLLM, Ollama and most others know only ``max_tokens``. Azure
serves OpenAI models from several host families. Reasoning models (the o-series, gpt-5)
refuse any ``temperature`` but the default, and their completion limit counts the hidden
reasoning tokens too, so a limit sized for a visible reply cuts them off before they
answer.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

#: Hosts that speak OpenAI's own dialect (``max_completion_tokens``).
OPENAI_HOSTS = ("openai.com", "openai.azure.com", "cognitiveservices.azure.com",
                "services.ai.azure.com")
AZURE_HOSTS = OPENAI_HOSTS[1:]
#: How much larger a reasoning model's completion limit is than a step's visible-text
#: limit, and the least it gets.
REASONING_FACTOR, REASONING_MIN_TOKENS = 4, 4000
_REASONING = re.compile(r"^(?:o\d(?:-(?:mini|pro|preview))?|gpt-5(?!-chat)|gpt-5\.\d)")


def host(base_url: str | None) -> str:
    return (urlparse(base_url).hostname or "") if base_url else "api.openai.com"


def speaks_openai(base_url: str | None) -> bool:
    """OpenAI itself or Azure OpenAI (any of its host families)."""
    return host(base_url).endswith(OPENAI_HOSTS)


def is_azure(base_url: str | None) -> bool:
    return bool(base_url) and host(base_url).endswith(AZURE_HOSTS)


#: The last data-plane API version whose ``GET /openai/deployments`` lists a resource's
#: deployments with its API key; newer resources answer 404 (the list moved to the Azure
#: management plane, which needs Azure credentials, not the key).
AZURE_DEPLOYMENTS_API = "2023-03-15-preview"


def deployments_url(base_url: str | None) -> str | None:
    """Where an Azure resource lists its deployments (None for any other server)."""
    if not is_azure(base_url):
        return None
    parts = urlparse(base_url)
    return f"{parts.scheme}://{parts.netloc}/openai/deployments?api-version={AZURE_DEPLOYMENTS_API}"


def is_reasoning(model: str | None) -> bool:
    """o1, o3, o4-mini, gpt-5, gpt-5.1, … (not gpt-5-chat, which is a chat model)."""
    if not model:
        return False
    return bool(_REASONING.match(model.lower().rsplit("/", 1)[-1]))


def limit_param(base_url: str | None) -> str:
    return "max_completion_tokens" if speaks_openai(base_url) else "max_tokens"


def completion_limit(limit: int, model: str | None) -> int:
    """A step's limit, raised for a reasoning model (its reasoning counts against it)."""
    return max(limit * REASONING_FACTOR, REASONING_MIN_TOKENS) if is_reasoning(model) else limit


def sampling(model: str | None, temperature: float | None) -> dict[str, float]:
    """The ``temperature`` to send: none for a reasoning model, which refuses it."""
    if temperature is None or is_reasoning(model):
        return {}
    return {"temperature": temperature}
