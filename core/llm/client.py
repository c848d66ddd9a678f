"""The per-role LLM client: streaming chat over a pool of OpenAI-compatible replicas.

    llm = get_llm("question")
    async with llm.stream_chat(messages) as stream:
        async for delta in stream:
            ...
    stream.usage, stream.finish_reason

Streams are read as raw SSE lines over httpx (see `pool.stream_http_client` for why not the SDK). Schema-constrained
JSON replies go through LangChain (`worker.evaluation.chain.run_structured`). Both call the model through
`attempts.Attempts`: failures are typed (`LLMUnavailable`, `LLMRequestError`), a stream is retried on another
replica until its first token and never after (the caller has shown it). Leaving a stream early (break, exception,
task cancelled) closes the HTTP response, and llama-server frees the slot.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, TypeVar, cast

from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel

from core.llm.attempts import Attempts, ServerStatus
from core.llm.pool import ReplicaPool
from core.settings import LLMRoleSettings, Settings, get_settings, local_url

Role = Literal["question", "evaluator"]
M = TypeVar("M", bound=BaseModel)
# OpenAI chat messages ({"role": ..., "content": ...}); plain dicts are accepted as the SDK's TypedDicts are.
Messages = Sequence[Mapping[str, Any]] | Sequence[ChatCompletionMessageParam]


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


def role_settings(role: str, settings: Settings) -> LLMRoleSettings:
    if role == "question":
        return settings.llm_question
    if role == "evaluator":
        return settings.llm_evaluator
    raise ValueError(f"unknown model role {role!r}")


def serves_bundled_model(role: str, settings: Settings) -> bool:
    """The local launcher serves the role with the bundled small model (model-servers/local.env): no BASE_URLS and
    LLAMA_MODELS=local."""
    return not role_settings(role, settings).base_urls and settings.llama_models == "local"


def effective_role_settings(role: str, settings: Settings) -> LLMRoleSettings:
    """The role's settings as its client uses them: `bundled_max_tokens` caps `max_tokens` on the bundled model."""
    rs = role_settings(role, settings)
    if rs.bundled_max_tokens and serves_bundled_model(role, settings):
        return rs.model_copy(update={"max_tokens": min(rs.max_tokens, rs.bundled_max_tokens)})
    return rs


def role_base_urls(role: str, settings: Settings) -> list[str]:
    """The configured replicas, else the local launcher's server on the role's port."""
    rs = role_settings(role, settings)
    if rs.base_urls:
        return list(rs.base_urls)
    return [local_url("127.0.0.1", settings.llama_port(role))]


class ChatStream:
    """An async iterator of text deltas; after it ends, `usage`, `finish_reason`, `replica`, `model` are set."""

    def __init__(self, llm: LLMClient, messages: Messages, params: dict[str, Any], affinity: str | None = None) -> None:
        self._llm = llm
        self._affinity = affinity
        self._messages = cast(list[ChatCompletionMessageParam], list(messages))
        self._params = params
        self._gen: AsyncIterator[str] | None = None
        self.usage = Usage()
        self.finish_reason: str | None = None
        self.replica: str | None = None
        self.model: str | None = None
        self.first_token_s: float | None = None
        self.started_at = time.perf_counter()

    def __aiter__(self) -> AsyncIterator[str]:
        if self._gen is None:
            self._gen = self._run()
        return self._gen

    async def __aenter__(self) -> ChatStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP response now (frees the server slot); safe to call twice."""
        gen = self._gen
        if gen is not None and hasattr(gen, "aclose"):
            await gen.aclose()

    async def text(self) -> str:
        return "".join([delta async for delta in self])

    async def _run(self) -> AsyncIterator[str]:
        llm = self._llm
        params = dict(self._params)
        body = {
            "messages": self._messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            **(params.pop("extra_body", None) or {}),  # the SDK's spelling for server-specific fields
            **params,
        }
        async for attempt in Attempts(llm.pool, retries=llm.settings.max_retries, affinity=self._affinity):
            # Leaving this block early (break, error, cancellation) closes the connection mid-response, and
            # llama-server stops generating and frees the slot.
            async with (
                attempt as replica,
                replica.stream_http.stream(
                    "POST", f"{replica.openai_base_url}/chat/completions", json=body
                ) as response,
            ):
                if response.status_code >= 400:
                    await response.aread()
                    raise ServerStatus(response.status_code, response.text[:200])
                self.replica = replica.root
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, SSE comments
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    for delta in self._absorb(_parse_chunk(payload)):
                        if attempt.idempotent:
                            attempt.idempotent = False  # shown to the caller: never retried from here on
                            self.first_token_s = time.perf_counter() - self.started_at
                        yield delta

    def _absorb(self, chunk: dict[str, Any]) -> list[str]:
        """Record a chunk's model, usage and finish reason; return its text deltas."""
        self.model = chunk.get("model") or self.model
        if usage := chunk.get("usage"):
            self.usage = Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0))
        deltas = []
        for choice in chunk.get("choices") or ():
            if reason := choice.get("finish_reason"):
                self.finish_reason = reason
            if delta := (choice.get("delta") or {}).get("content"):
                deltas.append(delta)
        return deltas


def _parse_chunk(payload: str) -> dict[str, Any]:
    """One streamed chunk; an `error` object mid-stream (llama-server sends one when it fails) is a server fault."""
    try:
        chunk = json.loads(payload)
    except ValueError:
        raise ServerStatus(502, "malformed stream chunk") from None
    if not isinstance(chunk, dict):
        raise ServerStatus(502, "malformed stream chunk")
    if error := chunk.get("error"):
        message = error.get("message") if isinstance(error, dict) else str(error)
        raise ServerStatus(500, str(message)[:200])
    return chunk


@dataclass(eq=False)
class LLMClient:
    role: Role
    settings: LLMRoleSettings
    pool: ReplicaPool
    _closed: bool = field(default=False, repr=False)

    @property
    def model(self) -> str:
        """What to send as `model`: the configured one, else what the server reports, else the role name."""
        if self.settings.model:
            return self.settings.model
        return next((r.model_id for r in self.pool.replicas if r.model_id), None) or self.role

    def _params(self, **overrides: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        params.update({k: v for k, v in overrides.items() if v is not None})
        return params

    def stream_chat(self, messages: Messages, *, affinity: str | None = None, **params: Any) -> ChatStream:
        """Stream a chat completion; `params` (temperature, max_tokens, stop, …) override the role defaults.
        `affinity` (an interview id) keeps one interview on one replica's prompt cache (see ReplicaPool.pick)."""
        return ChatStream(self, messages, self._params(**params), affinity)

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self.pool.aclose()


# One client per role, per event loop (HTTP connection pools belong to the loop that opened them), rebuilt
# when the role's settings change (e.g. a test switching the endpoint through the environment).
_clients: dict[tuple[str, int], tuple[str, LLMClient]] = {}


def _fingerprint(role: str, settings: Settings) -> str:
    rs = role_settings(role, settings)
    return json.dumps([role_base_urls(role, settings), rs.model_dump(mode="json")], sort_keys=True, default=str)


def get_llm(role: Role, settings: Settings | None = None) -> LLMClient:
    settings = settings or get_settings()
    loop_id = id(asyncio.get_running_loop())
    fingerprint = _fingerprint(role, settings)
    cached = _clients.get((role, loop_id))
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    rs = effective_role_settings(role, settings)
    client = LLMClient(role=role, settings=rs, pool=ReplicaPool.from_urls(role, role_base_urls(role, settings), rs))
    if cached is not None:
        asyncio.get_running_loop().create_task(cached[1].aclose())
    _clients[(role, loop_id)] = (fingerprint, client)
    return client


async def close_clients() -> None:
    """Close every client of the running loop (app shutdown, tests)."""
    loop_id = id(asyncio.get_running_loop())
    for key in [k for k in _clients if k[1] == loop_id]:
        _, client = _clients.pop(key)
        await client.aclose()
