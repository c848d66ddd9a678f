"""Clients for the two model roles (question, evaluator), each a pool of OpenAI-compatible replicas.

`core.llm.langchain` (ChatOpenAI factory) is a separate import so services without LangChain stay lean.
"""

from core.llm.attempts import SDK_RETRYABLE, Attempts, response_format
from core.llm.client import (
    ChatStream,
    LLMClient,
    Role,
    Usage,
    close_clients,
    get_llm,
    role_base_urls,
)
from core.llm.errors import LLMBadOutput, LLMError, LLMRequestError, LLMUnavailable
from core.llm.health import role_health

__all__ = [
    "SDK_RETRYABLE",
    "Attempts",
    "ChatStream",
    "LLMBadOutput",
    "LLMClient",
    "LLMError",
    "LLMRequestError",
    "LLMUnavailable",
    "Role",
    "Usage",
    "close_clients",
    "get_llm",
    "response_format",
    "role_base_urls",
    "role_health",
]
