"""The one way to call a model: attempts over the replica pool, with the retry rule in one place.

    async for attempt in Attempts(llm.pool, retries=llm.settings.max_retries):
        async with attempt as replica:
            ...  # one request to `replica`; return (or break) when it succeeded

Each attempt picks the least-loaded usable replica not yet tried, counts the request in `replica.inflight` while it
runs, and marks the replica ok or failed. A failure another replica may not have (connection trouble, timeout,
429, 5xx) is swallowed and the loop tries again — unless the retries are spent (`LLMUnavailable`) or the attempt was
marked `not idempotent` (a stream that already produced text, which the caller has shown: `LLMUnavailable` too). A
request the server rejects (other 4xx: too long, bad parameters) is `LLMRequestError` at once, the replica stays in
rotation. Anything else (a cancellation, the caller leaving a stream, a bad reply) passes through untouched.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx
import openai
from pydantic import BaseModel

from core.llm.errors import LLMRequestError, LLMUnavailable
from core.llm.pool import Replica, ReplicaPool

# SDK errors after which another replica may succeed: connection trouble, timeouts, overload, server faults.
SDK_RETRYABLE: tuple[type[Exception], ...] = (
    openai.APIConnectionError,  # includes APITimeoutError
    openai.InternalServerError,  # 5xx, including llama-server's 503 while loading
    openai.RateLimitError,
)


class ServerStatus(Exception):
    """An error status from a raw-HTTP (streamed) request; 429 and 5xx (overload, loading, faults) may succeed
    elsewhere."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.retryable = status == 429 or status >= 500


def describe(exc: BaseException) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, ServerStatus):
        return f"HTTP {exc.status}"
    return type(exc).__name__


def _retryable(exc: BaseException) -> bool | None:
    """True: another replica may succeed; False: the request itself is at fault; None: not a transport failure."""
    if isinstance(exc, (*SDK_RETRYABLE, httpx.TransportError)):
        return True
    if isinstance(exc, ServerStatus):
        return exc.retryable
    if isinstance(exc, openai.APIStatusError):
        return False
    return None


def response_format(schema: type[BaseModel] | dict[str, Any], name: str) -> dict[str, Any]:
    """OpenAI `response_format` for schema-constrained decoding (llama-server compiles it to a grammar)."""
    json_schema = schema if isinstance(schema, dict) else schema.model_json_schema()
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": json_schema}}


class Attempts:
    """Async iterator of `Attempt`s; ends after the first attempt whose block completed without an error."""

    def __init__(self, pool: ReplicaPool, *, retries: int, affinity: str | None = None) -> None:
        self.pool = pool
        self.retries = retries
        self.affinity = affinity  # an interview id: its calls go to the replica that caches its prompt
        self.failures = 0
        self.tried: set[str] = set()
        self.finished = False

    def __aiter__(self) -> Attempts:
        return self

    async def __anext__(self) -> Attempt:
        if self.finished:
            raise StopAsyncIteration
        return Attempt(self, await self.pool.pick(exclude=self.tried, affinity=self.affinity))


class Attempt:
    def __init__(self, attempts: Attempts, replica: Replica) -> None:
        self._attempts = attempts
        self.replica = replica
        self.idempotent = True

    async def __aenter__(self) -> Replica:
        self.replica.inflight += 1
        return self.replica

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        self.replica.inflight -= 1
        run, pool, role = self._attempts, self._attempts.pool, self._attempts.pool.role
        if exc is None:
            pool.mark_ok(self.replica)
            run.finished = True
            return False
        retryable = _retryable(exc)
        if retryable is None:
            run.finished = True  # not ours to handle (cancelled, caller left, bad reply): no further attempt
            return False
        if not retryable:
            raise LLMRequestError(role, f"request rejected ({describe(exc)})") from exc
        pool.mark_failed(self.replica, describe(exc))
        if not self.idempotent:
            raise LLMUnavailable(role, f"stream interrupted ({describe(exc)})") from exc
        run.failures += 1
        run.tried.add(self.replica.root)
        if run.failures > run.retries:
            raise LLMUnavailable(role, f"request failed on {run.failures} attempt(s)") from exc
        if len(run.tried) >= len(pool.replicas):
            run.tried.clear()  # every replica tried once: allow a recovered one again
        return True  # swallowed: the loop goes on with another replica
