"""The per-role LLM client: streaming chat and JSON-schema requests over a pool of OpenAI-compatible replicas.

    llm = get_llm("question")
    async with llm.stream_chat(messages) as stream:
        async for delta in stream:
            ...
    stream.usage, stream.finish_reason

    reply = await get_llm("evaluator").complete_json(messages, Rubric)   # validated pydantic object

Streams are read as raw SSE lines over httpx (see `pool.stream_http_client` for why not the SDK); JSON requests
go through the `openai` SDK. Failures are typed (`LLMUnavailable`, `LLMBadOutput`, `LLMRequestError`). An
idempotent request — a non-streamed one, or a stream before its first token — is retried on another replica; a
stream that already produced text is not (the caller has shown it), it raises LLMUnavailable instead. Leaving a
stream early (break, exception, task cancelled) closes the HTTP response, and llama-server frees the slot.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, TypeVar, cast

import httpx
import openai
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, ValidationError

from core.llm.errors import LLMBadOutput, LLMRequestError, LLMUnavailable
from core.llm.pool import Replica, ReplicaPool
from core.settings import LLMRoleSettings, Settings, get_settings

Role = Literal["question", "evaluator"]
M = TypeVar("M", bound=BaseModel)
# OpenAI chat messages ({"role": ..., "content": ...}); plain dicts are accepted as the SDK's TypedDicts are.
Messages = Sequence[Mapping[str, Any]] | Sequence[ChatCompletionMessageParam]

# SDK errors after which another replica may succeed: connection trouble, timeouts, overload, server faults.
SDK_RETRYABLE: tuple[type[Exception], ...] = (
    openai.APIConnectionError,  # includes APITimeoutError
    openai.InternalServerError,  # 5xx, including llama-server's 503 while loading
    openai.RateLimitError,
)


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


def role_base_urls(role: str, settings: Settings) -> list[str]:
    """The configured replicas, else the local launcher's server on the role's port."""
    rs = role_settings(role, settings)
    if rs.base_urls:
        return list(rs.base_urls)
    port = settings.llama_question_port if role == "question" else settings.llama_evaluator_port
    return [f"http://127.0.0.1:{port}"]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, _HTTPStatus):
        return f"HTTP {exc.status}"
    return type(exc).__name__


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
        pool = self._llm.pool
        tried: set[str] = set()
        attempts = 0
        params = dict(self._params)
        body = {
            "messages": self._messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            **(params.pop("extra_body", None) or {}),  # the SDK's spelling for server-specific fields
            **params,
        }
        while True:
            replica = await pool.pick(exclude=tried, affinity=self._affinity)
            produced = False
            replica.inflight += 1
            try:
                # Leaving this block early (break, error, cancellation) closes the connection mid-response, and
                # llama-server stops generating and frees the slot.
                async with replica.stream_http.stream(
                    "POST", f"{replica.openai_base_url}/chat/completions", json=body
                ) as response:
                    if response.status_code >= 400:
                        await response.aread()
                        raise _HTTPStatus(response.status_code, response.text[:200])
                    self.replica = replica.root
                    async for line in response.aiter_lines():
                        if not line.startswith("data:"):
                            continue  # blank separators, SSE comments
                        payload = line[5:].strip()
                        if payload == "[DONE]":
                            break
                        for delta in self._absorb(_parse_chunk(payload)):
                            if not produced:
                                produced = True
                                self.first_token_s = time.perf_counter() - self.started_at
                            yield delta
                pool.mark_ok(replica)
                return
            except (httpx.TransportError, _HTTPStatus) as exc:
                if isinstance(exc, _HTTPStatus) and not exc.retryable:
                    raise LLMRequestError(pool.role, f"request rejected (HTTP {exc.status})") from exc
                pool.mark_failed(replica, _describe(exc))
                if produced:
                    raise LLMUnavailable(pool.role, f"stream interrupted ({_describe(exc)})") from exc
                attempts += 1
                tried.add(replica.root)
                if attempts > self._llm.settings.max_retries:
                    raise LLMUnavailable(pool.role, f"request failed on {attempts} attempt(s)") from exc
                if len(tried) >= len(pool.replicas):
                    tried.clear()  # every replica tried once: allow a recovered one again
            finally:
                replica.inflight -= 1

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


class _HTTPStatus(Exception):
    """An error status from a streamed request; 429 and 5xx (overload, loading, faults) may succeed elsewhere."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.retryable = status == 429 or status >= 500


def _parse_chunk(payload: str) -> dict[str, Any]:
    """One streamed chunk; an `error` object mid-stream (llama-server sends one when it fails) is a server fault."""
    try:
        chunk = json.loads(payload)
    except ValueError:
        raise _HTTPStatus(502, "malformed stream chunk") from None
    if not isinstance(chunk, dict):
        raise _HTTPStatus(502, "malformed stream chunk")
    if error := chunk.get("error"):
        message = error.get("message") if isinstance(error, dict) else str(error)
        raise _HTTPStatus(500, str(message)[:200])
    return chunk


@dataclass
class JsonReply:
    data: Any  # the validated pydantic object, or a dict when no model was given
    raw: str
    usage: Usage
    latency_s: float
    replica: str
    model: str
    finish_reason: str | None


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

    async def complete_json(
        self,
        messages: Messages,
        schema: type[M] | dict[str, Any],
        *,
        name: str = "reply",
        **params: Any,
    ) -> JsonReply:
        """A non-streamed request constrained to a JSON schema (server-side grammar), validated here anyway:
        llama-server may fall back to unconstrained output with 200 OK when a grammar fails to build."""
        json_schema = schema if isinstance(schema, dict) else schema.model_json_schema()
        request = self._params(**params)
        request["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": name, "strict": True, "schema": json_schema},
        }
        completion, replica, latency = await self._create(messages, request)
        choice = completion.choices[0] if completion.choices else None
        raw = (choice.message.content if choice else None) or ""
        finish = choice.finish_reason if choice else None
        usage = Usage()
        if completion.usage is not None:
            usage = Usage(completion.usage.prompt_tokens, completion.usage.completion_tokens)
        try:
            loaded = json.loads(raw)
        except ValueError:
            hint = " (cut at max_tokens)" if finish == "length" else ""
            raise LLMBadOutput(self.role, f"reply is not valid JSON{hint}", raw) from None
        data: Any = loaded
        if not isinstance(schema, dict):
            try:
                data = schema.model_validate(loaded)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "reply"
                message = f"reply does not match the schema: {where}: {first['msg']}"
                raise LLMBadOutput(self.role, message, raw) from None
        return JsonReply(
            data=data,
            raw=raw,
            usage=usage,
            latency_s=latency,
            replica=replica.root,
            model=completion.model or self.model,
            finish_reason=finish,
        )

    async def _create(self, messages: Messages, request: dict[str, Any]) -> tuple[Any, Replica, float]:
        tried: set[str] = set()
        attempts = 0
        while True:
            replica = await self.pool.pick(exclude=tried)
            replica.inflight += 1
            started = time.perf_counter()
            try:
                completion = await replica.client.chat.completions.create(
                    messages=cast(list[ChatCompletionMessageParam], list(messages)), **request
                )
                self.pool.mark_ok(replica)
                return completion, replica, time.perf_counter() - started
            except SDK_RETRYABLE as exc:
                self.pool.mark_failed(replica, _describe(exc))
                attempts += 1
                tried.add(replica.root)
                if attempts > self.settings.max_retries:
                    raise LLMUnavailable(self.role, f"request failed on {attempts} attempt(s)") from exc
                if len(tried) >= len(self.pool.replicas):
                    tried.clear()
            except openai.APIStatusError as exc:
                raise LLMRequestError(self.role, f"request rejected ({_describe(exc)})") from exc
            finally:
                replica.inflight -= 1

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
    rs = role_settings(role, settings)
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
