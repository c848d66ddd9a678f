"""The core LLM client against real llama-server processes: streaming, JSON schema via LangChain (the product's
`run_structured`), replicas, endpoint switching by environment, slot freeing on cancel, health report."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, Field

from core.llm import LLMBadOutput, LLMClient, LLMRequestError, LLMUnavailable, get_llm, role_health
from core.settings import Settings, get_settings
from launcher.llama import LlamaServer, free_port
from tests.llm_fixtures import StartServer
from worker.evaluation.chain import ChainResult, run_structured


class Verdict(BaseModel):
    score: int = Field(ge=0, le=100)
    reason: str = Field(max_length=80)


GRADE = ChatPromptTemplate.from_messages([("system", "You grade answers.\n{format_instructions}"), ("user", "{text}")])


async def grade(llm: LLMClient, text: str, **params: float) -> ChainResult[Verdict]:
    params.setdefault("max_tokens", 120)
    return await run_structured(llm, GRADE, Verdict, {"text": text}, name="verdict", **params)  # type: ignore[arg-type]


@pytest.fixture
def role_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Point roles at servers through environment variables only, as an operator would."""
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def slots_busy(server: LlamaServer) -> int:
    slots = httpx.get(f"{server.base_url}/slots", timeout=5).json()
    return sum(1 for s in slots if s["is_processing"])


async def test_streaming_chat_through_core_client(llama_smol: LlamaServer, role_env: pytest.MonkeyPatch) -> None:
    role_env.setenv("LLM_QUESTION__BASE_URLS", llama_smol.base_url)
    llm = get_llm("question")
    messages = [{"role": "user", "content": "Name one programming language. Answer in one word."}]
    async with llm.stream_chat(messages, max_tokens=24, temperature=0.0) as stream:
        deltas = [delta async for delta in stream]
    assert len(deltas) >= 1
    assert "".join(deltas).strip()
    assert stream.finish_reason in {"stop", "length"}
    assert stream.usage.completion_tokens >= len(deltas) >= 1
    assert stream.usage.prompt_tokens > 0
    assert stream.replica == llama_smol.base_url
    assert stream.model == "smollm2-135m-instruct"


async def test_json_schema_request_via_langchain_json_output_parser(
    llama_smol: LlamaServer, role_env: pytest.MonkeyPatch
) -> None:
    role_env.setenv("LLM_EVALUATOR__BASE_URLS", llama_smol.base_url)
    result = await grade(
        get_llm("evaluator"), "Question: what is 2+2? Answer: 4. Grade it.", max_tokens=200, temperature=0
    )
    assert 0 <= result.output.score <= 100


async def test_structured_reply_validates_and_reports_usage(llama_tiny: LlamaServer, llm_settings: Settings) -> None:
    settings = llm_settings.model_copy(
        update={"llm_evaluator": llm_settings.llm_evaluator.model_copy(update={"base_urls": [llama_tiny.base_url]})}
    )
    reply = await grade(get_llm("evaluator", settings), "grade")
    assert isinstance(reply.output, Verdict)
    assert reply.usage["completion_tokens"] > 0
    assert reply.model == "tiny"


async def test_bad_output_is_typed(llama_tiny: LlamaServer, llm_settings: Settings) -> None:
    """A reply cut at max_tokens is not valid JSON: LLMBadOutput, never a half object."""
    settings = llm_settings.model_copy(
        update={"llm_evaluator": llm_settings.llm_evaluator.model_copy(update={"base_urls": [llama_tiny.base_url]})}
    )
    with pytest.raises(LLMBadOutput, match=r"not valid JSON|cut off at the token limit"):
        await grade(get_llm("evaluator", settings), "x", max_tokens=3)


async def test_two_replicas_share_load_and_survive_one_killed(
    llama_factory: StartServer, llm_settings: Settings
) -> None:
    a = llama_factory("tiny", parallel=2)
    b = llama_factory("tiny", parallel=2)
    settings = llm_settings.model_copy(
        update={
            "llm_evaluator": llm_settings.llm_evaluator.model_copy(
                update={"base_urls": [a.base_url, b.base_url], "max_retries": 3}
            )
        }
    )
    llm = get_llm("evaluator", settings)
    served: dict[str, int] = {}
    done = 0
    thirty_done = asyncio.Event()

    async def one(i: int) -> None:
        nonlocal done
        reply = await grade(llm, f"grade {i}")
        served[reply.replica] = served.get(reply.replica, 0) + 1
        done += 1
        if done >= 30:
            thirty_done.set()

    await asyncio.gather(*(one(i) for i in range(20)))
    assert served.get(a.base_url, 0) > 0
    assert served.get(b.base_url, 0) > 0

    async def killer() -> None:
        await thirty_done.wait()  # mid-run: requests are in flight on both replicas
        a.kill()

    semaphore = asyncio.Semaphore(4)

    async def bounded(i: int) -> None:
        async with semaphore:
            await one(i)

    results = await asyncio.gather(killer(), *(bounded(i) for i in range(20, 80)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert done == 80
    health = await role_health("evaluator", settings)
    assert health["status"] == "degraded"
    assert health["replicas_up"] == 1


async def test_role_switched_to_another_endpoint_by_environment(
    llama_factory: StartServer, llama_tiny: LlamaServer, role_env: pytest.MonkeyPatch
) -> None:
    other = llama_factory("tiny", parallel=1, alias="other-model")
    role_env.setenv("LLM_EVALUATOR__BASE_URLS", llama_tiny.base_url)
    first = await grade(get_llm("evaluator"), "x")
    assert first.replica == llama_tiny.base_url
    role_env.setenv("LLM_EVALUATOR__BASE_URLS", f"{other.base_url}/v1/")  # OpenAI-style base URL works too
    role_env.setenv("LLM_EVALUATOR__MODEL", "other-model")
    get_settings.cache_clear()
    second = await grade(get_llm("evaluator"), "x")
    assert second.replica == other.base_url
    assert second.model == "other-model"


async def test_cancelled_stream_frees_the_server_slot(llama_smol: LlamaServer, llm_settings: Settings) -> None:
    settings = llm_settings.model_copy(
        update={"llm_question": llm_settings.llm_question.model_copy(update={"base_urls": [llama_smol.base_url]})}
    )
    llm = get_llm("question", settings)
    long_request: dict[str, Any] = {"max_tokens": 3000, "extra_body": {"ignore_eos": True}}  # ~30+ s of generation

    # 1. Leaving the `async with` early.
    async with llm.stream_chat([{"role": "user", "content": "Count to ten thousand."}], **long_request) as stream:
        async for _ in stream:
            assert slots_busy(llama_smol) == 1
            break
    await wait_for_idle(llama_smol)

    # 2. The consuming task cancelled (a browser that went away).
    started = asyncio.Event()

    async def consume() -> None:
        async with llm.stream_chat([{"role": "user", "content": "Write a long story."}], **long_request) as s:
            async for _ in s:
                started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_for_idle(llama_smol)


async def wait_for_idle(server: LlamaServer) -> None:
    # Generation would take half a minute if the slot were not freed; it is freed at the next token.
    for _ in range(100):
        if slots_busy(server) == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("slot still processing after the client left")


async def test_a_stream_the_server_rejects_is_a_request_error_not_an_outage(
    llama_smol: LlamaServer, llm_settings: Settings
) -> None:
    settings = llm_settings.model_copy(
        update={"llm_question": llm_settings.llm_question.model_copy(update={"base_urls": [llama_smol.base_url]})}
    )
    llm = get_llm("question", settings)
    too_long = "interview " * 6000  # beyond the slot's 2,048-token context: llama-server answers 400

    with pytest.raises(LLMRequestError, match="HTTP 400"):
        async with llm.stream_chat([{"role": "user", "content": too_long}]) as stream:
            await stream.text()

    assert llm.pool.replicas[0].usable()  # the server is fine; the request was at fault: no failover, no back-off
    async with llm.stream_chat([{"role": "user", "content": "Say hi."}], max_tokens=8) as stream:
        assert await stream.text()


async def test_all_replicas_down_is_llm_unavailable(llm_settings: Settings) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    settings = llm_settings.model_copy(
        update={"llm_question": llm_settings.llm_question.model_copy(update={"base_urls": [dead]})}
    )
    llm = get_llm("question", settings)
    with pytest.raises(LLMUnavailable):
        async with llm.stream_chat([{"role": "user", "content": "hi"}]) as stream:
            await stream.text()
    health = await role_health("question", settings)
    assert health["status"] == "down"


async def test_role_health_reports_alias_and_slots(llama_smol: LlamaServer, llm_settings: Settings) -> None:
    settings = llm_settings.model_copy(
        update={"llm_question": llm_settings.llm_question.model_copy(update={"base_urls": [llama_smol.base_url]})}
    )
    health = await role_health("question", settings)
    assert health["status"] == "ok"
    assert health["model"] == "smollm2-135m-instruct"
    assert health["slots_total"] == 4
    assert health["slots_idle"] == 4
    assert health["replicas"][0]["url"] == llama_smol.base_url


async def test_stream_fails_over_to_another_replica_before_its_first_token(
    llama_smol: LlamaServer, llm_settings: Settings
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    settings = llm_settings.model_copy(
        update={"llm_question": llm_settings.llm_question.model_copy(update={"base_urls": [dead, llama_smol.base_url]})}
    )
    llm = get_llm("question", settings)
    for _ in range(2):  # whichever replica the pool picks first, the stream ends up on the live one
        async with llm.stream_chat([{"role": "user", "content": "Say hi."}], max_tokens=8) as stream:
            assert await stream.text()
        assert stream.replica == llama_smol.base_url
    assert not llm.pool.by_root(dead).usable()  # type: ignore[union-attr]


async def test_affinity_keeps_an_interview_on_one_replica_and_moves_it_when_that_one_is_down(
    llama_factory: StartServer, llm_settings: Settings
) -> None:
    a = llama_factory("tiny", parallel=2)
    b = llama_factory("tiny", parallel=2)
    settings = llm_settings.model_copy(
        update={"llm_evaluator": llm_settings.llm_evaluator.model_copy(update={"base_urls": [a.base_url, b.base_url]})}
    )
    pool = get_llm("evaluator", settings).pool
    await pool.refresh()
    keys = [f"interview-{i}" for i in range(40)]
    first = {k: (await pool.pick(affinity=k)).root for k in keys}
    for k in keys:
        for _ in range(3):
            assert (await pool.pick(affinity=k)).root == first[k]
    assert set(first.values()) == {a.base_url, b.base_url}  # keys spread over both replicas

    # The call itself goes where the pick says: the second request of an interview reuses the cached prefix.
    prompt = [{"role": "user", "content": "The same long shared rubric, then answer one. " * 20}]
    async with get_llm("evaluator", settings).stream_chat(prompt, max_tokens=4, affinity=keys[0]) as stream:
        await stream.text()
    assert stream.replica == first[keys[0]]

    down = pool.by_root(a.base_url)
    assert down is not None
    pool.mark_failed(down, "test")
    moved = {k: (await pool.pick(affinity=k)).root for k in keys}
    assert set(moved.values()) == {b.base_url}
    assert all(moved[k] == first[k] for k in keys if first[k] == b.base_url)  # only the down replica's keys move


def test_bundled_model_caps_the_evaluators_output_and_nothing_else() -> None:
    """The bundled SmolLM2's long evaluator replies are loops (docs/benchmarks/quality.md): capped at
    `bundled_max_tokens` there; a configured endpoint or the production profile keeps `max_tokens`."""
    from core.llm.client import effective_role_settings, serves_bundled_model
    from core.settings import EvaluatorRoleSettings, QuestionRoleSettings

    roles = {"llm_evaluator": EvaluatorRoleSettings(), "llm_question": QuestionRoleSettings()}
    bundled = Settings(_env_file=None).model_copy(update={"llama_models": "local", **roles})  # type: ignore[call-arg]
    assert serves_bundled_model("evaluator", bundled)
    assert effective_role_settings("evaluator", bundled).max_tokens == bundled.llm_evaluator.bundled_max_tokens == 450
    assert bundled.llm_evaluator.max_tokens == 1100  # the production default is untouched
    assert effective_role_settings("question", bundled).max_tokens == bundled.llm_question.max_tokens
    production = bundled.model_copy(update={"llama_models": "production"})
    assert effective_role_settings("evaluator", production).max_tokens == 1100
    remote = bundled.model_copy(
        update={"llm_evaluator": bundled.llm_evaluator.model_copy(update={"base_urls": ["http://solar:8080"]})}
    )
    assert not serves_bundled_model("evaluator", remote)
    assert effective_role_settings("evaluator", remote).max_tokens == 1100
