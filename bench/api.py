"""Question streaming through the API vs. the same request straight to llama-server (issue 4's benchmark).

Real services: private PostgreSQL + Redis, a real `python -m api` process, one real `llama-server`
(SmolLM2-135M-Instruct, 8 slots, `-t 1`). The API path is the product's: `POST /api/interviews/{id}/questions/next`
on a fresh interview (session cookie, ownership check, generation lock, prompt building, SSE re-framing, Redis
event mirror, question row written at the end). The direct path sends the very same messages (built by
`api.interviews.prompts` for that interview), `max_tokens` and temperature 0 to `/v1/chat/completions`.

Two prompt scenarios, each at 1, 4 and 8 concurrent interviews; rounds alternate between the two paths so machine
noise hits both alike:
- `own_prompt` (the target rows): every interview has its own job description and résumé (~1,000 characters, a
  unique requisition id up front), as candidates paste them, so the server's prompt cache holds only the shared
  system prompt — the work a real first question costs.
- `cached_prompt` (informational): the identical short prompt every time, served entirely from llama-server's
  prompt cache (first token in ~17 ms here), so nothing hides the API's own per-request cost; read it in ms.

Metrics: first token = request start → first token event (API) / first content delta (direct), p50 over all
requests (both scenarios); tokens/s = a stream's pieces after its first one / time from its first to its last
piece, p50 — compared in `cached_prompt` only, where the server does nothing but decode: with `own_prompt` a
stream's decode rate depends on how its tokens overlap other streams' prompt processing, i.e. on arrival order.

`python -m bench.api` prints the rows (about 3 minutes).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench._support import INTERVIEW, bench_llama, private_services, row, signed_up, sse_events, start_api

CONCURRENCY = (1, 4, 8)


@dataclass(frozen=True)
class Scenario:
    rounds: int
    first_token_target: str
    tokens_per_s_target: str | None  # None: not compared in this scenario (see above)


SCENARIOS = {
    "own_prompt": Scenario(2, "ratio ≤ 1.05", None),
    "cached_prompt": Scenario(3, "informational: the API's fixed cost per request, in ms", "ratio ≥ 0.97"),
}
MAX_TOKENS = 48
ANCHOR = "same request straight to llama-server"

JOB_DESCRIPTION = (
    "We are hiring a backend engineer for our payments platform. You will design and operate Python services "
    "(FastAPI, asyncio) on PostgreSQL and Redis, own the ledger and payout APIs end to end, and keep p99 latency "
    "under 100 ms at peak. You will review designs, mentor two junior engineers and join the on-call rotation. "
    "Requirements: 4+ years building production web services; strong SQL and data modelling; queues (Dramatiq, "
    "Celery or Kafka); observability (Prometheus, OpenTelemetry); a habit of writing tests."
)
RESUME = (
    "Backend engineer, 5 years. Built a double-entry ledger service in Python handling 2M transactions a day; cut "
    "settlement batch time from 40 to 6 minutes with PostgreSQL COPY and partitioned tables. Led the migration of "
    "a Django billing module to FastAPI services. Set up Prometheus alerting and SLOs. Mentored three interns."
)


def _interview(scenario: str) -> dict[str, Any]:
    if scenario == "cached_prompt":
        return dict(INTERVIEW)
    requisition = uuid.uuid4().hex[:10]
    return {**INTERVIEW, "job_description": f"Requisition {requisition}. {JOB_DESCRIPTION}", "resume_text": RESUME}


def _messages(interview: dict[str, Any]) -> list[Any]:
    """The first question's prompt for an interview like this one (its plan's opening slot; the API's interview
    draws its own opening question from the bank, of the same kind and a similar length)."""
    from api.interviews import plan, prompts
    from core.db.models import Interview, QuestionSource

    row = Interview(user_id=uuid.uuid4(), **interview)
    row.plan = plan.make_plan(
        interview_id=row.id,
        role_preset=row.role_preset,
        seniority=row.seniority,
        language=row.language,
        num_questions=row.num_questions,
    )
    first = prompts.build_messages(
        language=row.language,
        role=row.role,
        seniority=row.seniority,
        job_description=row.job_description,
        resume_text=row.resume_text,
        history=[],
        slot=plan.slot(row, 1),
        source=QuestionSource.generated,
    )
    return list(first.messages)


class _Timing:
    """First-token latency and decode rate of one stream."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.first = self.last = 0.0
        self.pieces = 0

    def piece(self) -> None:
        now = time.perf_counter()
        self.pieces += 1
        self.first = self.first or now
        self.last = now

    def result(self) -> tuple[float, float]:
        if self.pieces < 2 or self.last <= self.first:
            raise RuntimeError(f"the stream produced {self.pieces} piece(s); cannot measure it")
        return self.first - self.started, (self.pieces - 1) / (self.last - self.first)


async def _direct(http: httpx.AsyncClient, base_url: str, interview: dict[str, Any]) -> tuple[float, float]:
    body = {"messages": _messages(interview), "max_tokens": MAX_TOKENS, "temperature": 0.0, "stream": True}
    timing = _Timing()
    async with http.stream("POST", f"{base_url}/v1/chat/completions", json=body) as resp:
        resp.raise_for_status()
        async for line in resp.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            for choice in json.loads(line[6:]).get("choices", []):
                if (choice.get("delta") or {}).get("content"):
                    timing.piece()
    return timing.result()


async def _through_api(client: httpx.AsyncClient, interview: dict[str, Any]) -> tuple[float, float]:
    iid = (await client.post("/api/interviews", json=interview)).raise_for_status().json()["id"]
    timing = _Timing()
    async with client.stream("POST", f"/api/interviews/{iid}/questions/next") as resp:
        resp.raise_for_status()
        async for event, data in sse_events(resp):
            if event == "token":
                timing.piece()
            elif event == "error":
                raise RuntimeError(f"the API streamed an error: {data}")
            elif event == "done":
                break
    return timing.result()


async def _round(
    fn: Callable[[dict[str, Any]], Awaitable[tuple[float, float]]], scenario: str, concurrency: int
) -> list[tuple[float, float]]:
    interviews = [_interview(scenario) for _ in range(concurrency)]
    return list(await asyncio.gather(*(fn(i) for i in interviews)))


def _rows(name: str, scenario: Scenario, results: dict[str, list[tuple[float, float]]]) -> list[dict[str, Any]]:
    def median(path: str, metric: int) -> float:
        return statistics.median(r[metric] for r in results[path])

    out = [
        row(
            name,
            "first_token_p50",
            median("api", 0) * 1000,
            ANCHOR,
            median("direct", 0) * 1000,
            scenario.first_token_target,
            "ms",
        )
    ]
    if scenario.tokens_per_s_target:
        out.append(
            row(
                name,
                "tokens_per_s_per_stream_p50",
                median("api", 1),
                ANCHOR,
                median("direct", 1),
                scenario.tokens_per_s_target,
                "tokens/s",
                1,
            )
        )
    return out


async def _measure(api_url: str, llama_url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=32, keepalive_expiry=2.0)
    async with httpx.AsyncClient(timeout=300, limits=limits) as http:
        client = await signed_up(api_url, limits=limits)
        paths: dict[str, Callable[[dict[str, Any]], Awaitable[tuple[float, float]]]] = {
            "direct": lambda interview: _direct(http, llama_url, interview),
            "api": lambda interview: _through_api(client, interview),
        }
        try:
            for _ in range(2):  # warm-up: connections, the system prompt in the cache, first-request costs
                for name in SCENARIOS:
                    for fn in paths.values():
                        await fn(_interview(name))
            for name, scenario in SCENARIOS.items():
                for concurrency in CONCURRENCY:
                    results: dict[str, list[tuple[float, float]]] = {"direct": [], "api": []}
                    for n in range(scenario.rounds):
                        for path in ["direct", "api"] if n % 2 == 0 else ["api", "direct"]:
                            results[path] += await _round(paths[path], name, concurrency)
                    rows += _rows(f"api.question_stream.{name}.c{concurrency}", scenario, results)
        finally:
            await client.aclose()
    return rows


def run() -> list[dict[str, Any]]:
    from core.settings import Settings
    from launcher.models_llm import smollm2_model

    settings = Settings()
    server = bench_llama(
        "question",
        settings,
        model=smollm2_model(settings),
        alias="smollm2-135m-instruct",
        parallel=max(CONCURRENCY),
        ctx=1024 * max(CONCURRENCY),
    )
    server.start()
    try:
        server.wait_healthy(120)
        with private_services("bench-api-") as env:
            api = start_api(
                env,
                LLM_QUESTION__BASE_URLS=server.base_url,
                LLM_EVALUATOR__BASE_URLS=server.base_url,
                LLM_QUESTION__MAX_TOKENS=str(MAX_TOKENS),
                LLM_QUESTION__TEMPERATURE="0",
            )
            try:
                return asyncio.run(_measure(api.base_url, server.base_url))
            finally:
                api.stop()
    finally:
        server.stop()


if __name__ == "__main__":
    for r in run():
        print(json.dumps(r, ensure_ascii=False))
