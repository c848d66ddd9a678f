"""`langchain-openai` ChatOpenAI for one replica of a model role (the replica comes from `attempts.Attempts`,
which also keeps its health and load right).

Imported only by code that uses LangChain (the evaluation worker), so the API image needs no LangChain.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

import openai
from langchain_openai import ChatOpenAI

from core.llm.client import LLMClient
from core.llm.pool import Replica

# Building a ChatOpenAI costs ~25 ms (pydantic validation, two SDK clients) — more than all of a job's database
# work. They hold configuration only and are safe to share, so one is kept per replica and set of overrides.
_models: weakref.WeakKeyDictionary[Replica, dict[str, ChatOpenAI]] = weakref.WeakKeyDictionary()


def chat_openai_for(llm: LLMClient, replica: Replica, **overrides: Any) -> ChatOpenAI:
    """A ChatOpenAI for `replica` of `llm`'s role, with `overrides` (max_tokens, temperature, …)."""
    per_replica = _models.setdefault(replica, {})
    key = json.dumps([llm.model, overrides], sort_keys=True, default=str)
    model = per_replica.get(key)
    if model is None:
        model = per_replica[key] = _build(llm, replica, overrides)
    return model


def _build(llm: LLMClient, replica: Replica, overrides: dict[str, Any]) -> ChatOpenAI:
    rs = llm.settings
    params: dict[str, Any] = {
        "model": llm.model,
        "base_url": replica.openai_base_url,
        "api_key": rs.api_key.get_secret_value() or "not-needed",
        "temperature": rs.temperature,
        "max_tokens": rs.max_tokens,
        "timeout": openai.Timeout(rs.read_timeout_s, connect=rs.connect_timeout_s),
        "max_retries": 0,  # retries are the caller's: on another replica, with backoff
        "stream_usage": True,
    }
    if replica.http is not None:
        params["http_async_client"] = replica.http  # pooled connections, short keep-alive (see sdk_http_client)
    params.update(overrides)
    return ChatOpenAI(**params)
