"""The LangChain chain: ChatPromptTemplate → ChatOpenAI(evaluator replica).bind(response_format=json_schema) →
JsonOutputParser(pydantic_object=…), then Pydantic validation of the parsed object.

Both guards are needed: the parser's format instructions tell the model what to write, the schema grammar makes
the server write it — except when llama-server cannot build the grammar, where it falls back to free text with
200 OK; and models behind other OpenAI-compatible servers may ignore `response_format` entirely.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import openai
from langchain_core.callbacks import UsageMetadataCallbackHandler
from langchain_core.exceptions import OutputParserException
from langchain_core.output_parsers import JsonOutputParser
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, ValidationError

from core.llm import LLMBadOutput, LLMClient, LLMUnavailable
from core.llm.attempts import SDK_RETRYABLE, Attempts, response_format
from core.llm.langchain import chat_openai_for

M = TypeVar("M", bound=BaseModel)


@dataclass
class ChainResult(Generic[M]):
    output: M
    model: str
    replica: str
    latency_ms: float
    usage: dict[str, int]

    def meta(self, prompt_version: str) -> dict[str, Any]:
        return {
            "model": self.model,
            "replica": self.replica,
            "prompt_version": prompt_version,
            "latency_ms": round(self.latency_ms, 1),
            "usage": self.usage,
        }


def _usage(handler: UsageMetadataCallbackHandler) -> dict[str, int]:
    prompt = sum(int(u.get("input_tokens", 0)) for u in handler.usage_metadata.values())
    completion = sum(int(u.get("output_tokens", 0)) for u in handler.usage_metadata.values())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


async def run_structured(
    llm: LLMClient,
    prompt: ChatPromptTemplate,
    schema: type[M],
    variables: dict[str, Any],
    *,
    name: str,
    max_tokens: int | None = None,
    temperature: float | None = None,
    on_partial: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    affinity: str | None = None,
) -> ChainResult[M]:
    """The reply as a validated `schema` object. A failed connection, timeout or server fault is retried on another
    replica (the request is idempotent) up to the role's `max_retries`, then LLMUnavailable; LLMRequestError when
    the server rejects the request; LLMBadOutput when it answered with something that is not a valid object.

    `on_partial` streams the reply and gets each partial object as it grows (unvalidated: for display only; the
    returned object is validated as always). `affinity` (e.g. the interview id) sends calls with the same key to
    the same replica while it is usable, so its prompt cache holds their shared prefix."""
    parser = JsonOutputParser(pydantic_object=schema)
    overrides: dict[str, Any] = {"max_tokens": max_tokens} if max_tokens else {}
    if temperature is not None:
        overrides["temperature"] = temperature
    prompt = prompt.partial(format_instructions=parser.get_format_instructions())
    usage = UsageMetadataCallbackHandler()
    parsed: Any = None
    async for attempt in Attempts(llm.pool, retries=llm.settings.max_retries, affinity=affinity):
        async with attempt as replica:
            model = chat_openai_for(llm, replica, **overrides).bind(response_format=response_format(schema, name))
            started = time.perf_counter()
            chain = prompt | model | parser
            try:
                if on_partial is None:
                    parsed = await chain.ainvoke(variables, config={"callbacks": [usage]})
                else:
                    # JsonOutputParser yields the object parsed so far after each token; the last is the whole reply.
                    parsed = None
                    async for parsed in chain.astream(variables, config={"callbacks": [usage]}):
                        if isinstance(parsed, dict):
                            await on_partial(parsed)
                    if parsed is None:  # not even the start of a JSON value in the whole reply
                        raise OutputParserException("no JSON in the reply")
            except OutputParserException:
                raise LLMBadOutput(llm.role, "the reply is not valid JSON") from None
            except AssertionError:
                # The SDK's stream reader asserts when a server answers a streamed request with something that is not
                # a chat-completion stream (seen with a server that ignores `stream`): an unusable reply, not a crash.
                raise LLMBadOutput(llm.role, "the reply is not a chat-completion stream") from None
            except (openai.APITimeoutError, httpx.TimeoutException) as exc:
                # Not retried on another replica here: a reply slower than the read timeout is retried by the actor's
                # policy ("timeout" in retry.py: once), so the same work never restarts more often than it says.
                llm.pool.mark_failed(replica, type(exc).__name__)
                silence = llm.settings.read_timeout_s
                raise LLMUnavailable(llm.role, f"{replica.root} sent nothing for {silence:g} s") from exc
            except openai.LengthFinishReasonError:
                raise LLMBadOutput(
                    llm.role, "the reply was cut off at the token limit before the JSON was complete"
                ) from None
            except openai.OpenAIError as exc:
                if isinstance(exc, (*SDK_RETRYABLE, openai.APIStatusError)):
                    raise  # connection, timeout, HTTP status: the attempt decides (retry elsewhere or typed error)
                raise LLMBadOutput(llm.role, f"unusable reply ({type(exc).__name__})") from None  # e.g. content filter
    latency_ms = (time.perf_counter() - started) * 1000
    try:
        output = schema.model_validate(parsed)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "reply"
        raise LLMBadOutput(llm.role, f"the reply does not match the schema ({where}: {first['msg']})") from None
    # The model the server says answered (the usage handler keys by the reply's model name), not `llm.model`: that
    # falls back to the role name while the pool's background probe of /v1/models is still running (a busy machine).
    answered_by = next((str(name) for name in usage.usage_metadata if name), None) or llm.model
    return ChainResult(
        output=output, model=answered_by, replica=replica.root, latency_ms=latency_ms, usage=_usage(usage)
    )
