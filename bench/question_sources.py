"""Where the shown questions come from with the shipped local model, and what validation costs in time to the
first visible token (issue 15's closing note).

Real services: private PostgreSQL + Redis, a real `python -m api`, one real llama-server with the bundled
SmolLM2-135M (4 slots, `-t 1`). 20 interviews per language (backend, mid, 5 questions, a JD and a résumé, typed
answers, no evaluation worker), 4 at a time. Per language: questions from the model as generated / follow-up, and
from the bank after two rejected outputs; the rejection reasons; and, per question, the model's first token of the
first attempt (what the candidate saw first before validation) against the first token event the API streams now.

`python -m bench.question_sources [per_language] [en,ko] [minutes per language, e.g. 10,30]` prints one JSON object
per language as it finishes (on stderr) and all of them at the end, with each language's wall time and the load
average around it. A Korean question costs the small model ~5× an English one (its tokenizer spends 2–3 tokens per
Hangul syllable: longer prompts, and replies that run to the token cap), so 20 Korean interviews do not fit an hour
on 2 busy cores; each language therefore has a time box.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from typing import Any

import httpx

from bench._support import INTERVIEW, bench_llama, private_services, signed_up, sse_events, start_api

ANSWERS = {
    "en": "I led the rewrite of our ledger service, moving it to FastAPI and PostgreSQL partitions; settlement "
    "time fell from 40 to 6 minutes and I wrote the on-call runbook.",
    "ko": "결제 원장 서비스를 FastAPI와 PostgreSQL 파티션 테이블로 다시 만들었고, 정산 시간이 40분에서 6분으로 "
    "줄었습니다. 장애 대응 문서도 제가 작성했습니다.",
}
CONCURRENCY = 4
READ_TIMEOUT_S = 900.0


async def _interview(api_url: str, lang: str) -> None:
    # Under load a held-back Korean question (two capped attempts, then the bank) can take minutes without a byte.
    client = await signed_up(api_url, timeout=httpx.Timeout(READ_TIMEOUT_S, connect=10))
    try:
        body = {**INTERVIEW, "language": lang, "num_questions": 5}
        iid = (await client.post("/api/interviews", json=body)).raise_for_status().json()["id"]
        for _ in range(5):
            async with client.stream("POST", f"/api/interviews/{iid}/questions/next") as resp:
                resp.raise_for_status()
                async for event, data in sse_events(resp):
                    if event == "error":
                        raise RuntimeError(f"question failed: {data}")
                    if event == "done":
                        qid = data["question_id"]
                        break
            r = await client.post(f"/api/questions/{qid}/answer", json={"text": ANSWERS[lang]})
            r.raise_for_status()
    finally:
        await client.aclose()


async def _stored(lang: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(source, text, model_meta) of every question stored for interviews in `lang`, finished interviews or not."""
    from sqlmodel import col, select

    from core.db.engine import dispose_engine, get_sessionmaker
    from core.db.models import Interview, Question

    try:
        async with get_sessionmaker()() as session:
            ids = select(Interview.id).where(Interview.language == lang)
            rows = (await session.exec(select(Question).where(col(Question.interview_id).in_(ids)))).all()
            return [(str(q.source), q.text, dict(q.model_meta)) for q in rows]
    finally:
        await dispose_engine()


def _summary(stored: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    metas = [m for _, _, m in stored]
    before = [m["model_first_token_ms"] for m in metas if m.get("model_first_token_ms") is not None]
    after = [m["visible_first_token_ms"] for m in metas if m.get("visible_first_token_ms") is not None]
    sources = Counter(src.rsplit(".", 1)[-1] for src, _, _ in stored)
    return {
        "questions": len(stored),
        "sources": dict(sources),
        "rejections": dict(Counter(code for m in metas for code in m.get("rejected", []))),
        "model_first_token_ms_p50": round(statistics.median(before), 1) if before else None,
        "visible_first_token_ms_p50": round(statistics.median(after), 1) if after else None,
        "visible_first_token_ms_p90": round(statistics.quantiles(after, n=10)[-1], 1) if len(after) > 1 else None,
        "examples": {
            s: next((text for src, text, _ in stored if src.endswith(s)), None) for s in ("generated", "bank")
        },
    }


async def _run(api_url: str, per_language: int, langs: list[str], minutes: list[float]) -> dict[str, Any]:
    """Each language in turn, 4 interviews at a time, within its time box (`minutes`, per language): interviews not
    finished by then are stopped — their stored questions still count, the interview counts as unfinished."""
    result: dict[str, Any] = {}
    gate = asyncio.Semaphore(CONCURRENCY)
    for lang, box in zip(langs, minutes, strict=True):
        deadline = time.monotonic() + box * 60
        outcomes: Counter[str] = Counter()

        async def one(lang: str = lang, deadline: float = deadline, outcomes: Counter[str] = outcomes) -> None:
            async with gate:
                left = deadline - time.monotonic()
                if left <= 0:
                    outcomes["not started"] += 1
                    return
                try:
                    await asyncio.wait_for(_interview(api_url, lang), left)
                    outcomes["finished"] += 1
                except TimeoutError:
                    outcomes["stopped by the time box"] += 1
                except (httpx.HTTPError, RuntimeError) as exc:
                    outcomes[f"failed: {type(exc).__name__}"] += 1

        load_before, started = os.getloadavg()[0], time.perf_counter()
        await asyncio.gather(*(one() for _ in range(per_language)))
        result[lang] = {
            "interviews": dict(outcomes),
            "wall_s": round(time.perf_counter() - started),
            "load_1min_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            **_summary(await _stored(lang)),
        }
        print(json.dumps({lang: result[lang]}, ensure_ascii=False), file=sys.stderr, flush=True)
    return result


def main() -> None:
    from core.settings import Settings
    from launcher.models_llm import smollm2_model

    per_language = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    langs = sys.argv[2].split(",") if len(sys.argv) > 2 else ["en", "ko"]
    minutes = [float(m) for m in sys.argv[3].split(",")] if len(sys.argv) > 3 else [60.0] * len(langs)
    settings = Settings()
    server = bench_llama(
        "question", settings, model=smollm2_model(settings), alias="smollm2-135m-instruct", parallel=4, ctx=8192
    )
    server.start()
    try:
        server.wait_healthy(120)
        with private_services("bench-sources-") as env:
            import os

            os.environ.update({"DATABASE_URL": env["DATABASE_URL"], "REDIS_URL": env["REDIS_URL"]})
            api = start_api(env, LLM_QUESTION__BASE_URLS=server.base_url, LLM_EVALUATOR__BASE_URLS=server.base_url)
            try:
                print(
                    json.dumps(
                        asyncio.run(_run(api.base_url, per_language, langs, minutes)), ensure_ascii=False, indent=1
                    )
                )
            finally:
                api.stop()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
