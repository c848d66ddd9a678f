"""Where the shown questions come from with the shipped local model, and what validation costs in time to the
first visible token (issue 15's closing note).

Real services: private PostgreSQL + Redis, a real `python -m api`, one real llama-server with the bundled
SmolLM2-135M (4 slots, `-t 1`). 20 interviews per language (backend, mid, 5 questions, a JD and a résumé, typed
answers, no evaluation worker), 4 at a time. Per language: questions from the model as generated / follow-up, and
from the bank after two rejected outputs; the rejection reasons; and, per question, the model's first token of the
first attempt (what the candidate saw first before validation) against the first token event the API streams now.

`python -m bench.question_sources [interviews_per_language] [en,ko]` prints one JSON object per language as it
finishes (on stderr) and all of them at the end, with each language's wall time and the load average around it.
A Korean question costs the small model ~5× an English one (its tokenizer spends 2–3 tokens per Hangul syllable:
longer prompts, and replies that run to the token cap), so on 2 busy cores 20 Korean interviews take ~30–60 min.
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

from bench._support import INTERVIEW, bench_llama, private_services, signed_up, sse_events, start_api

ANSWERS = {
    "en": "I led the rewrite of our ledger service, moving it to FastAPI and PostgreSQL partitions; settlement "
    "time fell from 40 to 6 minutes and I wrote the on-call runbook.",
    "ko": "결제 원장 서비스를 FastAPI와 PostgreSQL 파티션 테이블로 다시 만들었고, 정산 시간이 40분에서 6분으로 "
    "줄었습니다. 장애 대응 문서도 제가 작성했습니다.",
}
CONCURRENCY = 4


async def _interview(api_url: str, lang: str) -> list[dict[str, Any]]:
    client = await signed_up(api_url)
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
        return list((await client.get(f"/api/interviews/{iid}")).raise_for_status().json()["questions"])
    finally:
        await client.aclose()


async def _stored_meta() -> dict[str, dict[str, Any]]:
    from sqlmodel import select

    from core.db.engine import dispose_engine, get_sessionmaker
    from core.db.models import Question

    try:
        async with get_sessionmaker()() as session:
            rows = (await session.exec(select(Question))).all()
            return {str(q.id): dict(q.model_meta) for q in rows}
    finally:
        await dispose_engine()


async def _run(api_url: str, per_language: int, langs: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    questions: dict[str, list[dict[str, Any]]] = {}
    runs: dict[str, dict[str, Any]] = {}
    gate = asyncio.Semaphore(CONCURRENCY)
    for lang in langs:

        async def one(lang: str = lang) -> list[dict[str, Any]]:
            async with gate:
                return await _interview(api_url, lang)

        load_before, started = os.getloadavg()[0], time.perf_counter()
        questions[lang] = [q for qs in await asyncio.gather(*(one() for _ in range(per_language))) for q in qs]
        runs[lang] = {
            "interviews": per_language,
            "wall_s": round(time.perf_counter() - started),
            "load_1min_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        }
        print(json.dumps({lang: runs[lang]}), file=sys.stderr, flush=True)
    meta = await _stored_meta()
    for lang, items in questions.items():
        metas = [meta[q["id"]] for q in items]
        before = [m["model_first_token_ms"] for m in metas if m.get("model_first_token_ms") is not None]
        after = [m["visible_first_token_ms"] for m in metas]
        result[lang] = {
            **runs[lang],
            "questions": len(items),
            "sources": dict(Counter(q["source"] for q in items)),
            "rejections": dict(Counter(code for m in metas for code in m.get("rejected", []))),
            "model_first_token_ms_p50": round(statistics.median(before), 1) if before else None,
            "visible_first_token_ms_p50": round(statistics.median(after), 1),
            "visible_first_token_ms_p90": round(statistics.quantiles(after, n=10)[-1], 1),
            "examples": {s: next((q["text"] for q in items if q["source"] == s), None) for s in ("generated", "bank")},
        }
    return result


def main() -> None:
    from core.settings import Settings
    from launcher.models_llm import smollm2_model

    per_language = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    langs = sys.argv[2].split(",") if len(sys.argv) > 2 else ["en", "ko"]
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
                print(json.dumps(asyncio.run(_run(api.base_url, per_language, langs)), ensure_ascii=False, indent=1))
            finally:
                api.stop()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
