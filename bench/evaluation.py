"""Evaluation-worker benchmark on real services: embedded PostgreSQL + Redis and real `python -m worker evaluation`
processes. What is measured is the worker, not a model: the evaluator endpoint is the local chat-completions server
of tests/evaluator_standin.py, which streams a valid evaluation in ~9 pieces 0.1 s apart (≈ 1 s, as llama-server
streams). The models this machine can run cannot be used here: the content checks reject every reply of the tiny
test model and of SmolLM2 (as they must), so no `evaluation.ready` would ever come.

1. Overhead: answer submitted (job enqueued) → `evaluation.ready` read from the interview's event stream, minus the
   model's own time for that evaluation (`model_meta.latency_ms`, the chain call), p50/p95 over sequential
   evaluations with idle gaps between them, as between real submissions. Anchor: the model time itself. The worker
   runs as shipped (`python -m worker evaluation`: an idle consumer polls Redis every 25 ms; Dramatiq's default
   1000 ms ceiling alone would add ~0.5 s at p50).
2. Throughput: evaluations/minute for a burst of jobs with 1 worker process × 1 thread (anchor) vs. 2 processes ×
   2 threads, against the same endpoint (it answers any number of requests at once).

`python -m bench.evaluation` prints the rows (about 2 minutes).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OVERHEAD_SAMPLES = 20
BURST = 16
CHUNK_DELAY_S = 0.1  # between the stand-in's streamed pieces: ≈ 1 s of "generation" per evaluation
ANSWER = "I profiled the service, found an N+1 query, batched it, and p95 latency fell from 900 ms to 120 ms."


def _start_worker(env: dict[str, str], log: Path, processes: int, threads: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "worker", "evaluation", "--processes", str(processes), "--threads", str(threads)]
    with log.open("ab") as fh:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


async def _make_answers(n: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    from core.db.engine import get_sessionmaker
    from core.db.models import Answer, AnswerSource, Evaluation, Interview, Language, Question, QuestionKind, User

    async with get_sessionmaker()() as session:
        user = User(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password_hash="x")  # noqa: S106 - never signs in
        session.add(user)
        await session.flush()
        interview = Interview(user_id=user.id, role="Engineer", seniority="mid", language=Language.en, num_questions=n)
        session.add(interview)
        await session.flush()
        ids: list[uuid.UUID] = []
        for i in range(n):
            q = Question(
                interview_id=interview.id,
                position=i + 1,
                kind=QuestionKind.technical,
                text="How did you improve performance?",
                prompt_version="bench",
            )
            session.add(q)
            await session.flush()
            a = Answer(question_id=q.id, interview_id=interview.id, text=ANSWER, source=AnswerSource.typed)
            session.add(a)
            await session.flush()
            session.add(Evaluation(answer_id=a.id, interview_id=interview.id, answer_revision=1))
            ids.append(a.id)
        await session.commit()
        return interview.id, ids


async def _latency_ms(answer_id: uuid.UUID) -> float:
    from sqlmodel import col, select

    from core.db.engine import get_sessionmaker
    from core.db.models import Evaluation

    async with get_sessionmaker()() as session:
        row = (await session.exec(select(Evaluation).where(col(Evaluation.answer_id) == answer_id))).one()
        return float(row.model_meta.get("latency_ms", 0.0))


async def _overheads(redis_url: str) -> tuple[list[float], list[float]]:
    import redis.asyncio as aioredis

    from core import jobs
    from core.events import stream_key

    interview_id, answers = await _make_answers(OVERHEAD_SAMPLES + 1)
    client = aioredis.Redis.from_url(redis_url)
    key = stream_key(interview_id)
    cursor = "0-0"
    overheads: list[float] = []
    model: list[float] = []
    for i, answer_id in enumerate(answers):
        started = time.perf_counter()
        await asyncio.to_thread(jobs.send_now, [jobs.evaluate_answer(answer_id, 1)])
        while True:
            batch: Any = await client.xread({key: cursor}, block=1_000, count=10)
            if not batch:
                if time.perf_counter() - started > 120:
                    raise TimeoutError("no evaluation event within 120 s")
                continue
            done = False
            for _key, entries in batch:
                for entry_id, fields in entries:
                    cursor = entry_id.decode()
                    data = json.loads(fields[b"data"])
                    if data.get("answer_id") == str(answer_id) and data["type"] in (
                        "evaluation.ready",
                        "evaluation.failed",
                    ):
                        done = data["type"] == "evaluation.ready"
            if done:
                break
        elapsed_ms = (time.perf_counter() - started) * 1000
        latency = await _latency_ms(answer_id)
        if i > 0:  # the first one warms up the worker (imports, connections)
            overheads.append(elapsed_ms - latency)
            model.append(latency)
        await asyncio.sleep(0.3)  # an idle gap, as between real submissions
    await client.aclose()
    return overheads, model


async def _burst(n: int) -> float:
    from sqlmodel import col, select

    from core import jobs
    from core.db.engine import get_sessionmaker
    from core.db.models import Evaluation, JobStatus

    interview_id, answers = await _make_answers(n)
    started = time.perf_counter()
    await asyncio.to_thread(jobs.send_now, [jobs.evaluate_answer(a, 1) for a in answers])
    while True:
        async with get_sessionmaker()() as session:
            rows = (await session.exec(select(Evaluation).where(col(Evaluation.interview_id) == interview_id))).all()
        if all(r.status != JobStatus.pending for r in rows):
            break
        await asyncio.sleep(0.1)
    return n / ((time.perf_counter() - started) / 60)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run() -> list[dict[str, Any]]:
    from core.db.engine import dispose_engine
    from core.db.migrate import upgrade
    from core.settings import get_settings
    from launcher.embedded import EmbeddedPostgres, EmbeddedRedis
    from tests.evaluator_standin import EvaluatorHandler, serve

    class Generating(EvaluatorHandler):
        CHUNK_DELAY_S = CHUNK_DELAY_S

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-eval-") as tmp, serve(Generating) as (model_url, _):
        base = Path(tmp)
        os.chmod(base, 0o755)  # noqa: S103 - the embedded PostgreSQL runs as its own user
        pg, rd = EmbeddedPostgres(base / "pg"), EmbeddedRedis(base / "redis", persist=False)
        saved = dict(os.environ)
        try:
            db_url, redis_url = pg.start(), rd.start()
            os.environ.update({"DATABASE_URL": db_url, "REDIS_URL": redis_url, "VAR_DIR": str(base / "var")})
            get_settings.cache_clear()
            upgrade(db_url)
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "LLM_EVALUATOR__BASE_URLS": model_url,
                "EVALUATION_MAX_RETRIES": "0",
                "LOG_LEVEL": "WARNING",
            }
            log = Path(tempfile.gettempdir()) / "rehearsal-bench-evaluation-worker.log"

            worker = _start_worker(env, log, 1, 2)
            try:
                overheads, model = asyncio.run(_overheads(redis_url))
            finally:
                _stop(worker)
                asyncio.run(dispose_engine())
            model_p50 = statistics.median(model)
            for q, name, target in ((0.5, "p50", "≤ 50 ms"), (0.95, "p95", "informational")):
                value = _pct(overheads, q)
                rows.append(
                    {
                        "benchmark": "evaluation.overhead (python -m worker evaluation)",
                        "metric": f"submitted_to_event_minus_model_{name}",
                        "value": round(value, 1),
                        "anchor": "model time per evaluation (p50)",
                        "anchor_value": round(model_p50, 1),
                        "ratio": round(value / model_p50, 3),
                        "target": target,
                        "unit": "ms",
                    }
                )

            rates: dict[str, float] = {}
            for label, processes, threads in (("1×1", 1, 1), ("2×2", 2, 2)):
                worker = _start_worker(env, log, processes, threads)
                try:
                    asyncio.run(_burst(2))  # warm-up: every process imported and connected
                    asyncio.run(dispose_engine())
                    rates[label] = asyncio.run(_burst(BURST))
                finally:
                    _stop(worker)
                    asyncio.run(dispose_engine())
            rows.append(
                {
                    "benchmark": "evaluation.throughput (model stand-in, ≈ 1 s per reply)",
                    "metric": "evaluations_per_minute_2_processes_x_2_threads",
                    "value": round(rates["2×2"], 1),
                    "anchor": "1 worker process × 1 thread",
                    "anchor_value": round(rates["1×1"], 1),
                    "ratio": round(rates["2×2"] / rates["1×1"], 3),
                    # The stand-in answers any number of requests at once: 4 worker threads can reach 4× one.
                    "target": "informational: the worker's own concurrency (≤ 4× with 4 threads)",
                    "unit": "evaluations/min",
                }
            )
        finally:
            rd.stop()
            pg.stop()
            os.environ.clear()
            os.environ.update(saved)
            get_settings.cache_clear()
    return rows


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row, ensure_ascii=False))
