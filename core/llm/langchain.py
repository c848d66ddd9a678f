"""`langchain-openai` ChatOpenAI for a model role, pointed at a healthy replica.

Imported only by code that uses LangChain (the evaluation worker), so the API image needs no LangChain.
The caller reports a failed call with `llm.pool.mark_failed(replica, reason)` so the next pick avoids it.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

import openai
from langchain_openai import ChatOpenAI

from core.llm.client import LLMClient, Role, get_llm
from core.llm.pool import Replica
from core.settings import Settings

# Building a ChatOpenAI costs ~25 ms (pydantic validation, two SDK clients) — more than all of a job's database
# work. They hold configuration only and are safe to share, so one is kept per replica and set of overrides.
_models: weakref.WeakKeyDictionary[Replica, dict[str, ChatOpenAI]] = weakref.WeakKeyDictionary()


async def chat_openai_for(
    llm: LLMClient, *, affinity: str | None = None, **overrides: Any
) -> tuple[ChatOpenAI, Replica]:
    """A ChatOpenAI bound to the least-loaded healthy replica of `llm`'s role (or the one `affinity` maps to, see
    ReplicaPool.pick), and that replica."""
    replica = await llm.pool.pick(affinity=affinity)
    per_replica = _models.setdefault(replica, {})
    key = json.dumps([llm.model, overrides], sort_keys=True, default=str)
    model = per_replica.get(key)
    if model is None:
        model = per_replica[key] = _build(llm, replica, overrides)
    return model, replica


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


async def chat_openai(role: Role, settings: Settings | None = None, **overrides: Any) -> ChatOpenAI:
    model, _ = await chat_openai_for(get_llm(role, settings), **overrides)
    return model
