"""Question streaming through the API vs. the same request straight to llama-server (issue 4's benchmark).

Real services: private PostgreSQL + Redis, a real `python -m api` process, one real `llama-server`
(SmolLM2-135M-Instruct, 8 slots, `-t 1`). The API path is the product's: `POST /api/interviews/{id}/questions/next`
on a fresh interview (session cookie, ownership check, generation lock, prompt building, SSE re-framing, Redis
event mirror, question row written at the end). The direct path sends the very same messages (built by
`api.interviews.prompts` for that interview), `max_tokens` and temperature 0 to `/v1/chat/completions`.

For 1, 4 and 8 concurrent interviews, rounds alternate between the two paths so machine noise hits both alike:
- first token: request start → first token event (API) / first content delta (direct), p50;
- tokens/s: streamed pieces of the round / wall time of the round, median over rounds.

`python -m bench.api` prints the rows (about 1–2 minutes).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

import httpx

from bench._support import INTERVIEW, bench_llama, private_services, row, signed_up, sse_events, start_api

CONCURRENCY = (1, 4, 8)
ROUNDS = 3
REQUESTS_PER_SLOT = 1
MAX_TOKENS = 48
ANCHOR = "same request straight to llama-server"


def _messages() -> list[Any]:
    from api.interviews import prompts

    return list(
        prompts.build_messages(
            language=INTERVIEW["language"],
            role=INTERVIEW["role"],
            seniority=INTERVIEW["seniority"],
            job_description=INTERVIEW["job_description"],
            resume_text=INTERVIEW["resume_text"],
            history=[],
            position=1,
            total=INTERVIEW["num_questions"],
            kind=prompts.next_kind(1, []),
        )
    )


async def _direct(http: httpx.AsyncClient, base_url: str, messages: list[Any]) -> tuple[float, int]:
    body = {"messages": messages, "max_tokens": MAX_TOKENS, "temperature": 0.0, "stream": True}
    started = time.perf_counter()
    ttft, pieces = 0.0, 0
    async with http.stream("POST", f"{base_url}/v1/chat/completions", json=body) as resp:
        resp.raise_for_status()
        async for line in resp.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            for choice in json.loads(line[6:]).get("choices", []):
                if (choice.get("delta") or {}).get("content"):
                    pieces += 1
                    ttft = ttft or time.perf_counter() - started
    return ttft, pieces


async def _through_api(client: httpx.AsyncClient) -> tuple[float, int]:
    iid = (await client.post("/api/interviews", json=INTERVIEW)).raise_for_status().json()["id"]
    started = time.perf_counter()
    ttft, pieces = 0.0, 0
    async with client.stream("POST", f"/api/interviews/{iid}/questions/next") as resp:
        resp.raise_for_status()
        async for event, _data in sse_events(resp):
            if event == "token":
                pieces += 1
                ttft = ttft or time.perf_counter() - started
            elif event in ("done", "error"):
                break
    return ttft, pieces


async def _round(fn: Any, concurrency: int) -> tuple[list[float], float]:
    started = time.perf_counter()
    results = await asyncio.gather(*(fn() for _ in range(concurrency * REQUESTS_PER_SLOT)))
    wall = time.perf_counter() - started
    return [r[0] for r in results], sum(r[1] for r in results) / wall


async def _measure(api_url: str, llama_url: str) -> list[dict[str, Any]]:
    messages = _messages()
    rows: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=32, keepalive_expiry=2.0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        client = await signed_up(api_url, limits=limits)
        try:
            for _ in range(2):  # warm-up: connections, prompt cache, first-request costs on both paths
                await _direct(http, llama_url, messages)
                await _through_api(client)
            for concurrency in CONCURRENCY:
                a_ttft: list[float] = []
                d_ttft: list[float] = []
                a_tps: list[float] = []
                d_tps: list[float] = []
                for n in range(ROUNDS):
                    order = [("d", d_ttft, d_tps), ("a", a_ttft, a_tps)]
                    for path, ttfts, tpss in order if n % 2 == 0 else order[::-1]:
                        fn = (
                            (lambda: _direct(http, llama_url, messages))
                            if path == "d"
                            else (lambda: _through_api(client))
                        )
                        t, tps = await _round(fn, concurrency)
                        ttfts += t
                        tpss.append(tps)
                name = f"api.question_stream.c{concurrency}"
                rows.append(
                    row(
                        name,
                        "first_token_p50",
                        statistics.median(a_ttft) * 1000,
                        ANCHOR,
                        statistics.median(d_ttft) * 1000,
                        "ratio ≤ 1.05",
                        "ms",
                    )
                )
                rows.append(
                    row(
                        name,
                        "tokens_per_s",
                        statistics.median(a_tps),
                        ANCHOR,
                        statistics.median(d_tps),
                        "ratio ≥ 0.97",
                        "tokens/s",
                        1,
                    )
                )
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
