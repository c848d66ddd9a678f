"""LLM client benchmark: the core client (`core.llm`, replica pool + openai.AsyncOpenAI streaming) vs. the bare
llama-server HTTP API, same real server, model (SmolLM2-135M-Instruct, `-t 1`), prompt and sampling.

For concurrency 1, 4 and 8 (8 slots), each round sends `concurrency × REQUESTS_PER_SLOT` streamed chat requests
through each path, interleaved round by round so machine noise hits both alike:
- time to first token (TTFT, from request start to the first text delta), p50;
- tokens/s: completion tokens of the round / wall time of the round.
Ratios are client / direct (≈ 1.0 means the client adds nothing measurable).

`python -m bench.llm` prints the rows (about 1–2 minutes).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

import httpx

from bench._support import bench_llama, scaled
from core.settings import Settings
from launcher.llama import LlamaServer
from launcher.models_llm import smollm2_model

CONCURRENCY = (1, 4, 8)
REQUESTS_PER_SLOT = 2
ROUNDS = 2
MAX_TOKENS = 48
MESSAGES = [{"role": "user", "content": "Give one tip for a job interview."}]


async def _direct(http: httpx.AsyncClient, base_url: str) -> tuple[float, int]:
    # Like the SDK, retry once when a pooled keep-alive connection turns out to be closed before any byte came.
    try:
        return await _direct_once(http, base_url)
    except httpx.RemoteProtocolError:
        return await _direct_once(http, base_url)


async def _direct_once(http: httpx.AsyncClient, base_url: str) -> tuple[float, int]:
    body = {
        "messages": MESSAGES,
        "max_tokens": MAX_TOKENS,
        "temperature": 0.0,
        "stream": True,
        "stream_options": {"include_usage": True},
        "ignore_eos": True,
    }
    started = time.perf_counter()
    ttft = 0.0
    tokens = 0
    async with http.stream("POST", f"{base_url}/v1/chat/completions", json=body) as resp:
        async for line in resp.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                tokens = int(chunk["usage"]["completion_tokens"])
            for choice in chunk.get("choices", []):
                if (choice.get("delta") or {}).get("content") and not ttft:
                    ttft = time.perf_counter() - started
    return ttft, tokens


async def _client(llm: Any) -> tuple[float, int]:
    started = time.perf_counter()
    ttft = 0.0
    stream = llm.stream_chat(MESSAGES, max_tokens=MAX_TOKENS, temperature=0.0, extra_body={"ignore_eos": True})
    async with stream:
        async for _delta in stream:
            if not ttft:
                ttft = time.perf_counter() - started
    return ttft, stream.usage.completion_tokens


async def _round(fn: Any, concurrency: int) -> tuple[list[float], float]:
    semaphore = asyncio.Semaphore(concurrency)
    n = concurrency * REQUESTS_PER_SLOT

    async def one() -> tuple[float, int]:
        async with semaphore:
            result: tuple[float, int] = await fn()
            return result

    started = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(n)))
    wall = time.perf_counter() - started
    return [r[0] for r in results], sum(r[1] for r in results) / wall


async def _measure(server: LlamaServer, settings: Settings) -> list[dict[str, Any]]:
    from core.llm import get_llm

    role = settings.llm_question.model_copy(update={"base_urls": [server.base_url]})
    llm = get_llm("question", settings.model_copy(update={"llm_question": role}))
    rows: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=32, keepalive_expiry=2.0)) as http:
        await _direct(http, server.base_url)  # warm-up: both paths open connections, server caches the prompt
        await _client(llm)
        for concurrency in CONCURRENCY:
            d_ttft: list[float] = []
            c_ttft: list[float] = []
            d_tps: list[float] = []
            c_tps: list[float] = []
            for _ in range(scaled(ROUNDS)):
                t, tps = await _round(lambda: _direct(http, server.base_url), concurrency)
                d_ttft += t
                d_tps.append(tps)
                t, tps = await _round(lambda: _client(llm), concurrency)
                c_ttft += t
                c_tps.append(tps)
            ttft_c, ttft_d = statistics.median(c_ttft) * 1000, statistics.median(d_ttft) * 1000
            tps_c, tps_d = statistics.median(c_tps), statistics.median(d_tps)
            rows.append(
                {
                    "benchmark": f"llm.stream.c{concurrency}",
                    "metric": "ttft_p50",
                    "value": round(ttft_c, 2),
                    "anchor": "direct llama-server HTTP",
                    "anchor_value": round(ttft_d, 2),
                    "ratio": round(ttft_c / ttft_d, 3),
                    "target": "ratio ≤ 1.10",
                    "unit": "ms",
                }
            )
            rows.append(
                {
                    "benchmark": f"llm.stream.c{concurrency}",
                    "metric": "tokens_per_s",
                    "value": round(tps_c, 1),
                    "anchor": "direct llama-server HTTP",
                    "anchor_value": round(tps_d, 1),
                    "ratio": round(tps_c / tps_d, 3),
                    "target": "ratio ≥ 0.95",
                    "unit": "tokens/s",
                }
            )
    await llm.aclose()
    return rows


def run() -> list[dict[str, Any]]:
    settings = Settings()
    model = smollm2_model(settings)
    server = bench_llama(
        "question",
        settings,
        model=model,
        alias="smollm2-135m-instruct",
        parallel=max(CONCURRENCY),
        ctx=512 * max(CONCURRENCY),
    )
    server.start()
    try:
        server.wait_healthy(120)
        return asyncio.run(_measure(server, settings))
    finally:
        server.stop()


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row, ensure_ascii=False))
