"""`make bench-production` (`python -m bench.production`): what a candidate waits for with the production models.

Starts llama-server with the production role configs (model-servers/question.env, evaluator.env: context, slots,
metrics; threads fitted to this machine) on the shape-faithful Llama-3.1-8B Q4_K_M and SOLAR-10.7B Q8_0
(bench/production/models.py) — or on the real weights in models/ with `LLAMA_MODELS=production` — and measures:

1. prompt processing and generation tokens/s per role, at 1 and 2 threads, with 1/2/4 concurrent requests on a
   `--parallel 4` server (a request per slot), and the question model's time to first token on CPU;
2. the evaluator end to end through the real worker path (`python -m worker evaluation`, embedded PostgreSQL +
   Redis): answer submitted → first `evaluation.partial` (streamed) and → outcome event, once per language, today's
   path (no partials) and the streamed one side by side;
3. prompt tokens the servers actually process per call (llama-server `/metrics` prompt_tokens_total), for an
   interview's evaluations and questions over two replicas, without and with interview affinity — on tiny-scaled
   variants of the same models (same tokenizer, template and cache logic: the counts are the production counts).

Random weights do not write realistic replies, so generation lengths are fixed (n_predict with ignore_eos, or
max_tokens in the worker run) to the lengths real evaluations have — measured here from SmolLM2 evaluations of the
same prompts, re-tokenized with each production tokenizer — and long generations are extrapolated from the measured
rates (method printed with the results). Writes docs/benchmarks/production.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.production import models

ROOT = Path(__file__).resolve().parents[2]
OUT_MD = ROOT / "docs" / "benchmarks" / "production.md"
OUT_JSON = ROOT / "docs" / "benchmarks" / "production.json"
SHORT_GEN = 8  # tokens generated per throughput request
E2E_MAX_TOKENS = 24  # the worker run's reply: the first rubric items, then extrapolated
PP_TOKENS = 256  # prompt tokens per prompt-processing sample
LENGTH_SAMPLES = 4  # evaluations whose replies fix the reply length (whole and shortened answers, alternating)
ROLE_MODEL = {"evaluator": "solar-10.7b", "question": "llama-3.1-8b"}
ROLES = ("Backend engineer", "Data engineer", "Platform engineer")  # the caching run's three interviews

ANSWERS = {
    "en": (
        "In my last role our payment API started timing out every night at 2 am. I checked the dashboards and saw "
        "the database connection pool was exhausted. The release from that afternoon had a code path that never "
        "returned connections, so I rolled it back, which stopped the errors within ten minutes. Then I wrote a "
        "regression test, fixed the leak with a context manager, and added an alert when pool usage passes 80 "
        "percent. We wrote a blameless postmortem and since then we have had no incident of that kind; p95 latency "
        "also fell from 900 to 120 milliseconds because we stopped queueing for connections."
    ),
    "ko": (
        "지난 회사에서 결제 API가 매일 새벽 2시에 타임아웃이 나기 시작했습니다. 대시보드를 확인해 보니 데이터베이스 "
        "커넥션 풀이 고갈되어 있었습니다. 그날 오후에 배포된 코드에 커넥션을 반환하지 않는 경로가 있었기 때문에 먼저 "
        "배포를 롤백했고, 10분 안에 오류가 멈췄습니다. 그다음 회귀 테스트를 작성하고 컨텍스트 매니저로 "
        "누수를 고쳤으며, 풀 사용률이 80퍼센트를 넘으면 알림이 오도록 설정했습니다. 비난 없는 포스트모템을 "
        "작성해 팀과 공유했고, 그 뒤로 "
        "같은 장애는 없었습니다. 커넥션 대기가 사라지면서 p95 지연 시간도 900밀리초에서 120밀리초로 줄었습니다."
    ),
}
QUESTIONS = {
    "en": "Tell me about a production incident you handled. What did you do, and what changed afterwards?",
    "ko": "직접 대응했던 운영 장애 경험을 말씀해 주세요. 무엇을 했고, 이후 무엇이 바뀌었나요?",
}
JOB = {
    "en": ("We build payment APIs in Python with PostgreSQL and Redis.", "Five years of Python; built a ledger."),
    "ko": ("Python, PostgreSQL, Redis로 결제 API를 만듭니다.", "Python 5년 경력, 원장 서비스 개발."),
}


# --- plumbing -------------------------------------------------------------------------------------------------


class LoadSampler:
    """1-minute load average every 5 s while the benchmark runs (other work on the machine lowers every figure)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(5)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def model_file(role: str) -> Path:
    """The real GGUF from models/ when LLAMA_MODELS=production, else the generated shape-faithful one."""
    spec = models.SPECS[ROLE_MODEL[role]]
    if os.environ.get("LLAMA_MODELS") == "production":
        for candidate in (ROOT / "models" / spec.file_name, ROOT / "var" / "models" / spec.file_name):
            if candidate.is_file():
                return candidate
        raise SystemExit(f"LLAMA_MODELS=production but {spec.file_name} is not in models/ (see models/README.md)")
    return models.ensure_model(spec.key)


@contextlib.contextmanager
def server(role: str, model: Path, *, threads: int, parallel: int, ctx_per_slot: int, **extra: str) -> Iterator[Any]:
    """llama-server from the role's production env file (alias, template, metrics, slots), on this machine."""
    from core.settings import Settings
    from launcher.llama import LlamaServer, free_port

    overrides = {
        "LLAMA_ARG_MODEL": str(model),
        "LLAMA_ARG_THREADS": str(threads),
        "LLAMA_ARG_N_PARALLEL": str(parallel),
        "LLAMA_ARG_CTX_SIZE": str(ctx_per_slot * parallel),
        "LLAMA_ARG_N_GPU_LAYERS": "0",
        **extra,
    }
    settings = Settings(llama_models="production")
    srv = LlamaServer.for_role(role, settings, free_port(), overrides=overrides, build=False)  # type: ignore[arg-type]
    srv.env["LLAMA_ARG_THREADS"] = str(threads)  # for_role fits threads to small machines; we sweep them
    srv.log_path = Path(tempfile.gettempdir()) / f"rehearsal-bench-production-{role}.log"
    started = time.perf_counter()
    srv.start()
    try:
        srv.wait_healthy(timeout_s=900)
        srv.ready_s = time.perf_counter() - started  # type: ignore[attr-defined]
        yield srv
    finally:
        srv.stop()


@contextlib.contextmanager
def smollm2_evaluator(settings: Any) -> Iterator[Any]:
    """The evaluator's production server config on the bundled SmolLM2 (ChatML): real replies to the project's
    prompts, whose lengths size the production-shape runs (output_lengths, sizing.py)."""
    from launcher.models_llm import smollm2_model

    with server(
        "evaluator",
        smollm2_model(settings),
        threads=1,
        parallel=1,
        ctx_per_slot=8192,
        LLAMA_ARG_CHAT_TEMPLATE_FILE=str(ROOT / "model-servers" / "templates" / "chatml.jinja"),
        LLAMA_ARG_ALIAS="smollm2",
    ) as srv:
        yield srv


def render(base: str, messages: list[dict[str, str]]) -> str:
    r = httpx.post(f"{base}/apply-template", json={"messages": messages}, timeout=60)
    r.raise_for_status()
    return str(r.json()["prompt"])


def tokenize(base: str, text: str) -> list[int]:
    r = httpx.post(f"{base}/tokenize", json={"content": text, "add_special": False}, timeout=60)
    r.raise_for_status()
    return list(r.json()["tokens"])


def completion(base: str, prompt: str | list[int], n_predict: int, **extra: Any) -> dict[str, Any]:
    body = {"prompt": prompt, "n_predict": n_predict, "ignore_eos": True, "temperature": 0, **extra}
    r = httpx.post(f"{base}/completion", json=body, timeout=3600)
    r.raise_for_status()
    return dict(r.json())


async def concurrent(base: str, prompts: list[str], n_predict: int) -> tuple[float, list[dict[str, Any]]]:
    async with httpx.AsyncClient(timeout=3600) as client:

        async def one(p: str) -> dict[str, Any]:
            body = {"prompt": p, "n_predict": n_predict, "ignore_eos": True, "temperature": 0, "cache_prompt": False}
            r = await client.post(f"{base}/completion", json=body)
            r.raise_for_status()
            return dict(r.json())

        started = time.perf_counter()
        replies = await asyncio.gather(*(one(p) for p in prompts))
        return time.perf_counter() - started, list(replies)


def metrics(base: str) -> dict[str, float]:
    """One scrape of llama-server's /metrics (`llamacpp:` names without the prefix). Read every figure of a moment
    from one scrape: each scrape resets the server's rate gauges (`predicted_tokens_seconds`,
    `prompt_tokens_seconds` cover the time since the previous one), so a second read of them gives 0."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return {
        name.removeprefix("llamacpp:"): float(value)
        for name, _, value in (line.partition(" ") for line in text.splitlines())
        if name.startswith("llamacpp:")
    }


def prompt_tokens_total(base: str, counter: str = "prompt_tokens_total") -> float:
    """A llama-server /metrics counter: prompt tokens processed (default) or `tokens_predicted_total`."""
    found = metrics(base)
    if counter not in found:
        raise RuntimeError(f"no llamacpp:{counter} in /metrics")
    return found[counter]


def variant(lang: str, n: int) -> tuple[str, str]:
    """The n-th (question, answer) of an interview: same lengths, different text from the question on (so a warm
    server holds the shared prefix, never the whole prompt, as with a candidate's next answer)."""
    sentences = [x for x in ANSWERS[lang].replace("다. ", "다.|").replace(". ", ".|").split("|") if x]
    k = n % len(sentences)
    return f"(Q{n + 1}) {QUESTIONS[lang]}", " ".join(sentences[k:] + sentences[:k])


# --- prompts --------------------------------------------------------------------------------------------------


def evaluation_messages(
    lang: str, answer: str | None = None, question: str | None = None, *, role: str = "Backend engineer"
) -> list[dict[str, str]]:
    from langchain_core.output_parsers import JsonOutputParser

    from worker.evaluation.prompts import evaluation_prompt
    from worker.evaluation.schemas import EvaluationOutput
    from worker.evaluation.scoring import AnswerToScore, prompt_variables

    item = AnswerToScore(
        role=role,
        seniority="mid",
        language=lang,
        question_kind="behavioural",
        question_text=question or QUESTIONS[lang],
        answer_text=answer or ANSWERS[lang],
        competency="ownership",
    )
    prompt = evaluation_prompt().partial(
        format_instructions=JsonOutputParser(pydantic_object=EvaluationOutput).get_format_instructions()
    )
    out = []
    for m in prompt.format_messages(**prompt_variables(item)):
        out.append({"role": {"human": "user", "ai": "assistant"}.get(m.type, m.type), "content": str(m.content)})
    return out


def question_messages(lang: str, turns: int, *, role: str = "Backend engineer") -> list[dict[str, str]]:
    from api.interviews import prompts
    from core.db.models import QuestionKind, QuestionSource

    history = [
        prompts.PastTurn(
            position=i + 1,
            kind="behavioural",
            question=QUESTIONS[lang],
            answer=ANSWERS[lang],
            score=3,
            improvements=[],
        )
        for i in range(turns)
    ]
    slot = prompts.Slot(
        position=turns + 1,
        kind=QuestionKind.technical,
        competency="system_design",
        competency_name="System design",
        bank_id="bench",
        bank_text=QUESTIONS[lang],
    )
    built = prompts.build_messages(
        language=lang,
        role=role,
        seniority="mid",
        job_description=JOB[lang][0],
        resume_text=JOB[lang][1],
        history=history,
        slot=slot,
        source=QuestionSource.generated,
    )
    return [{"role": str(m["role"]), "content": str(m.get("content", ""))} for m in built.messages]


# --- measurements ---------------------------------------------------------------------------------------------


def rates(role: str, model: Path, threads: int, results: dict[str, Any], *, ttft_langs: list[str]) -> None:
    spec = models.SPECS[ROLE_MODEL[role]]
    ctx = min(spec.n_ctx_train, 4096)
    with server(role, model, threads=threads, parallel=4, ctx_per_slot=ctx) as srv:
        base = srv.base_url
        row: dict[str, Any] = {"role": role, "threads": threads, "ready_s": round(srv.ready_s, 1)}
        msgs = evaluation_messages("ko") if role == "evaluator" else question_messages("ko", 3)
        ids = tokenize(base, render(base, msgs))
        sample = completion(base, ids[:PP_TOKENS], 1, cache_prompt=False)
        row["pp_tokens_per_s"] = round(sample["timings"]["prompt_per_second"], 2)
        for c in (1, 2, 4):
            prompts = [f"Interview {i}: describe item {c * 10 + i} briefly." for i in range(c)]
            wall, replies = asyncio.run(concurrent(base, prompts, SHORT_GEN))
            per = [r["timings"]["predicted_per_second"] for r in replies]
            gen = sum(r["timings"]["predicted_n"] for r in replies)
            pp_ms = max(r["timings"]["prompt_ms"] for r in replies)
            row[f"tg_c{c}_per_stream"] = round(statistics.median(per), 2)
            row[f"tg_c{c}_total"] = round(gen / max(1e-9, wall - pp_ms / 1000), 2)
        if role == "question":
            for lang in ttft_langs:
                prompt = render(base, question_messages(lang, 3))
                started = time.perf_counter()
                first = None
                with httpx.stream(
                    "POST",
                    f"{base}/completion",
                    json={"prompt": prompt, "n_predict": 2, "stream": True, "cache_prompt": False, "ignore_eos": True},
                    timeout=3600,
                ) as resp:
                    for line in resp.iter_lines():
                        if line.startswith("data:") and first is None:
                            first = time.perf_counter() - started
                row[f"ttft_{lang}_s"] = round(first or float("nan"), 2)
                row[f"question_prompt_tokens_{lang}"] = len(tokenize(base, prompt))
        print(json.dumps(row), flush=True)
        # A re-measured role × threads (with --merge) replaces the earlier run's row.
        kept = [r for r in results.get("rates", []) if (r["role"], r["threads"]) != (role, threads)]
        results["rates"] = [*kept, row]


def output_lengths(results: dict[str, Any]) -> None:
    """Tokens a real evaluation reply has, per production tokenizer: SmolLM2's replies to the same prompt (en),
    re-tokenized; Korean scaled by the tokenizer's ko/en ratio on the bank's parallel competency anchors."""
    from core.question_bank import load_bank
    from core.settings import Settings

    settings = Settings()
    texts: list[str] = []
    with smollm2_evaluator(settings) as srv:
        from core.llm.attempts import response_format
        from worker.evaluation.schemas import EvaluationOutput

        for i in range(LENGTH_SAMPLES):
            question, answer = variant("en", i)
            r = httpx.post(
                f"{srv.base_url}/v1/chat/completions",
                json={
                    "messages": evaluation_messages("en", answer if i % 2 == 0 else answer[:300], question),
                    "response_format": response_format(EvaluationOutput, "evaluation"),
                    "max_tokens": 1200,
                    "seed": i,
                },
                timeout=900,
            )
            r.raise_for_status()
            texts.append(r.json()["choices"][0]["message"]["content"])
    anchors = load_bank().competencies
    ko = " ".join(a for c in anchors.values() for a in c.anchors.get("ko", {}).values())
    en = " ".join(a for c in anchors.values() for a in c.anchors.get("en", {}).values())
    lengths: dict[str, Any] = {"samples_en": texts}
    for role, key in ROLE_MODEL.items():
        spec = models.scaled(models.SPECS[key], n_layer=1, n_embd=256, n_ff=256, n_head=2, n_head_kv=1)
        path = Path(tempfile.gettempdir()) / f"rehearsal-tokenizer-{key}.gguf"
        if not path.is_file():
            models.write_model(spec, path)
        with server(role, path, threads=1, parallel=1, ctx_per_slot=4096) as srv:
            en_counts = [len(tokenize(srv.base_url, t)) for t in texts]
            ratio = len(tokenize(srv.base_url, ko)) / len(tokenize(srv.base_url, en))
        lengths[key] = {"en": round(statistics.mean(en_counts)), "ko": round(statistics.mean(en_counts) * ratio)}
        lengths[key]["ko_en_ratio"] = round(ratio, 2)
    print(json.dumps({k: v for k, v in lengths.items() if k != "samples_en"}), flush=True)
    results["output_tokens"] = lengths


def prompt_sizes(results: dict[str, Any]) -> None:
    """Prompt tokens of the real prompts per production tokenizer: the evaluation prompt whole and its shared system
    part (what a warm cache skips), and the reply tokens before the first score is complete (first feedback)."""
    out: dict[str, Any] = {}
    for role, key in ROLE_MODEL.items():
        spec = models.scaled(models.SPECS[key], n_layer=1, n_embd=256, n_ff=256, n_head=2, n_head_kv=1)
        path = Path(tempfile.gettempdir()) / f"rehearsal-tokenizer-{key}.gguf"
        if not path.is_file():
            models.write_model(spec, path)
        with server(role, path, threads=1, parallel=1, ctx_per_slot=8192) as srv:
            base = srv.base_url
            sizes: dict[str, Any] = {}
            for lang in ("ko", "en"):
                if role == "evaluator":
                    msgs = evaluation_messages(lang)
                    sizes[f"prompt_{lang}"] = len(tokenize(base, render(base, msgs)))
                    sizes[f"shared_{lang}"] = len(tokenize(base, render(base, msgs[:1])))
                else:
                    sizes[f"prompt_{lang}"] = len(tokenize(base, render(base, question_messages(lang, 3))))
            if role == "evaluator":
                sizes["first_score_tokens"] = len(tokenize(base, '{"relevance": 4,'))
            out[key] = sizes
    print(json.dumps({"prompt_tokens": out}), flush=True)
    results["prompt_tokens"] = out


async def _seed(lang: str, question: str, answer: str) -> tuple[uuid.UUID, uuid.UUID]:
    from core.db.engine import dispose_engine, get_sessionmaker
    from core.db.models import Answer, AnswerSource, Evaluation, Interview, Language, Question, QuestionKind, User

    try:
        async with get_sessionmaker()() as session:
            user = User(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password_hash="x")  # noqa: S106
            session.add(user)
            await session.flush()
            interview = Interview(
                user_id=user.id, role="Backend engineer", seniority="mid", language=Language(lang), num_questions=5
            )
            session.add(interview)
            await session.flush()
            q = Question(
                interview_id=interview.id,
                position=1,
                kind=QuestionKind.behavioural,
                text=question,
                competency="ownership",
                prompt_version="bench",
            )
            session.add(q)
            await session.flush()
            a = Answer(question_id=q.id, interview_id=interview.id, text=answer, source=AnswerSource.typed)
            session.add(a)
            await session.flush()
            session.add(Evaluation(answer_id=a.id, interview_id=interview.id, answer_revision=1))
            await session.commit()
            return interview.id, a.id
    finally:
        await dispose_engine()


def _timeline(redis_url: str, interview_id: uuid.UUID, started: float, timeout_s: float) -> dict[str, float]:
    import redis as redis_sync

    from core.events import stream_key

    client = redis_sync.Redis.from_url(redis_url)
    cursor, seen = "0-0", dict[str, float]()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        batch: Any = client.xread({stream_key(interview_id): cursor}, block=1000, count=50)
        for _key, entries in batch or []:
            for entry_id, fields in entries:
                cursor = entry_id.decode()
                kind = json.loads(fields[b"data"])["type"]
                seen.setdefault(kind, time.perf_counter() - started)
        if "evaluation.ready" in seen or "evaluation.failed" in seen:
            return seen
    raise TimeoutError(f"no evaluation outcome within {timeout_s} s: {seen}")


@contextlib.contextmanager
def evaluation_worker(env: dict[str, str], **overrides: str) -> Iterator[None]:
    """`python -m worker evaluation` as shipped (1 process, 2 threads), stopped afterwards."""
    from bench.evaluation import _start_worker, _stop

    log = Path(tempfile.gettempdir()) / "rehearsal-bench-production-worker.log"
    proc = _start_worker({**env, **overrides}, log, 1, 2)
    try:
        yield
    finally:
        _stop(proc)


def end_to_end(
    model: Path,
    threads: int,
    results: dict[str, Any],
    *,
    key: str = "e2e",
    langs: tuple[str, ...] = ("ko", "en"),
    paths: tuple[str, ...] = ("streamed", "today"),
    max_tokens: Callable[[str], int] | None = None,
    **server_extra: str,
) -> None:
    """Answer submitted → first `evaluation.partial` and → outcome event, through `python -m worker evaluation`.

    Per language, on a fresh server: the interview's previous evaluation is sent straight to the server first
    (`max_tokens` 1; its prompt tokens processed are a cold call's — nothing cached), then each worker path
    evaluates a further answer of that interview (warm: the shared prefix is cached, as for every answer after a
    server's first). `max_tokens(lang)` fixes the reply length (random weights; see the module docstring), asked
    after the cold prompt (the lengths may still be being measured meanwhile); None = whole replies."""
    from bench._support import private_services
    from core import jobs
    from core.settings import get_settings

    rows: list[dict[str, Any]] = []
    with private_services("bench-production-") as env:
        saved = dict(os.environ)
        os.environ.update(env)
        get_settings.cache_clear()
        try:
            for lang in langs:
                with server("evaluator", model, threads=threads, parallel=2, ctx_per_slot=4096, **server_extra) as srv:
                    question, answer = variant(lang, 0)
                    before = prompt_tokens_total(srv.base_url)
                    started = time.perf_counter()
                    httpx.post(
                        f"{srv.base_url}/v1/chat/completions",
                        json={"messages": evaluation_messages(lang, answer, question), "max_tokens": 1},
                        timeout=7200,
                    ).raise_for_status()
                    cold = {
                        "path": "cold prompt (previous answer, max_tokens 1)",
                        "lang": lang,
                        "prompt_s": round(time.perf_counter() - started, 1),
                        "prompt_tokens_processed": prompt_tokens_total(srv.base_url) - before,
                    }
                    print(json.dumps(cold), flush=True)
                    rows.append(cold)
                    for n, label in enumerate(paths, start=1):
                        cap = max_tokens(lang) if max_tokens else None
                        with evaluation_worker(
                            env,
                            LLM_EVALUATOR__BASE_URLS=srv.base_url,
                            **({"LLM_EVALUATOR__MAX_TOKENS": str(cap)} if cap else {}),
                            LLM_EVALUATOR__READ_TIMEOUT_S="3600",
                            EVALUATION_MAX_RETRIES="0",
                            EVALUATION_PARTIALS="true" if label == "streamed" else "false",
                            EVALUATION_TIME_LIMIT_S="7200",
                        ):
                            interview_id, answer_id = asyncio.run(_seed(lang, *variant(lang, n)))
                            at_start = metrics(srv.base_url)  # also starts the rate gauges' interval
                            started = time.perf_counter()
                            jobs.send_now([jobs.evaluate_answer(answer_id, 1)])
                            seen = _timeline(env["REDIS_URL"], interview_id, started, 7200)
                            after = metrics(srv.base_url)
                        row = {
                            "path": label,
                            "lang": lang,
                            "max_tokens": cap,
                            "first_partial_s": round(seen.get("evaluation.partial", float("nan")), 2),
                            "outcome": "evaluation.ready" if "evaluation.ready" in seen else "evaluation.failed",
                            "outcome_s": round(seen.get("evaluation.ready", seen.get("evaluation.failed", 0.0)), 2),
                            "prompt_tokens_processed": after["prompt_tokens_total"] - at_start["prompt_tokens_total"],
                            "tokens_generated": after["tokens_predicted_total"] - at_start["tokens_predicted_total"],
                            # llama-server's own rates over this job (the gauges cover the time since `before`)
                            "gen_tokens_per_s": round(after["predicted_tokens_seconds"], 3),
                            "prompt_tokens_per_s": round(after["prompt_tokens_seconds"], 3),
                            "load_1m": round(os.getloadavg()[0], 2),
                        }
                        print(json.dumps(row), flush=True)
                        rows.append(row)
        finally:
            os.environ.clear()
            os.environ.update(saved)
            get_settings.cache_clear()
    caps = {row["lang"]: row["max_tokens"] for row in rows if row.get("max_tokens")}
    results[key] = {"threads": threads, "max_tokens": caps or None, "rows": rows}


def caching(results: dict[str, Any]) -> None:
    """Prompt tokens processed per call over two replicas, an interview's calls routed by today's pick vs affinity."""
    from core.llm.pool import ReplicaPool
    from core.settings import Settings

    out: dict[str, Any] = {}
    for role, key in ROLE_MODEL.items():
        spec = models.scaled(models.SPECS[key], n_layer=1, n_embd=256, n_ff=256, n_head=2, n_head_kv=1)
        path = Path(tempfile.gettempdir()) / f"rehearsal-tokenizer-{key}.gguf"
        if not path.is_file():
            models.write_model(spec, path)
        ctx = 4096 if role == "evaluator" else 8192
        settings = Settings()
        role_settings = settings.llm_evaluator if role == "evaluator" else settings.llm_question
        for mode in ("no_cache", "today", "affinity"):
            # Fresh servers per mode: no mode may inherit another's warm caches.
            with (
                server(role, path, threads=1, parallel=2, ctx_per_slot=ctx) as a,
                server(role, path, threads=1, parallel=2, ctx_per_slot=ctx) as b,
            ):
                before = prompt_tokens_total(a.base_url) + prompt_tokens_total(b.base_url)
                calls = asyncio.run(_interleaved(ReplicaPool, role, role_settings, [a.base_url, b.base_url], mode))
                processed = prompt_tokens_total(a.base_url) + prompt_tokens_total(b.base_url) - before
            out[f"{role}_{mode}"] = {"calls": calls, "per_call": round(processed / calls, 1)}
            print(json.dumps({f"{role}_{mode}": out[f"{role}_{mode}"]}), flush=True)
    results["caching"] = out


async def _interleaved(pool_cls: Any, role: str, role_settings: Any, urls: list[str], mode: str) -> int:
    """Three interviews (ko, en, ko) of 5 turns each — more candidates than replicas — their calls interleaved as
    concurrent candidates' would be."""
    pool = pool_cls.from_urls(role, urls, role_settings)
    await pool.refresh()
    calls = 0
    interviews = [(i, lang, uuid.uuid4().hex) for i, lang in enumerate(("ko", "en", "ko"))]
    try:
        for turn in range(5):
            for i, lang, key in interviews:
                if role == "evaluator":
                    msgs = evaluation_messages(
                        lang, f"{ANSWERS[lang]} ({turn})", f"{QUESTIONS[lang]} #{turn + 1}", role=ROLES[i]
                    )
                else:
                    msgs = question_messages(lang, turn, role=ROLES[i])
                replica = await pool.pick(affinity=key if mode == "affinity" else None)
                body = {"messages": msgs, "max_tokens": 1, "cache_prompt": mode != "no_cache"}
                async with httpx.AsyncClient(timeout=600) as client:
                    r = await client.post(f"{replica.root}/v1/chat/completions", json=body)
                    r.raise_for_status()
                calls += 1
    finally:
        await pool.aclose()
    return calls


# --- report ---------------------------------------------------------------------------------------------------


def _reply_caps(spec: str, results: dict[str, Any], lengths_from: str | None) -> Callable[[str], int]:
    """Fixed reply length (SOLAR tokens) per language for the production-shape worker run: 'measured' = this run's
    `lengths` phase, else the `output_tokens` of the JSON file `lengths_from` as it is when the worker run starts
    (written meanwhile by `python -m bench.production.sizing --merge FILE`); or explicit 'ko=700,en=200'."""
    if spec != "measured":
        fixed = {k: int(v) for k, v in (item.split("=") for item in spec.split(","))}
        return lambda lang: fixed[lang]

    def measured(lang: str) -> int:
        lengths = results.get("output_tokens") or (
            json.loads(Path(lengths_from).read_text()).get("output_tokens") if lengths_from else None
        )
        if not lengths:
            raise SystemExit("--e2e-max-tokens measured: no reply lengths (run the 'lengths' phase or --lengths-from)")
        from bench.production.report import reply_tokens

        n = reply_tokens(lengths[ROLE_MODEL["evaluator"]], lang)
        if n is None:
            raise SystemExit(f"no reply length for {lang}")
        return n

    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="prompts,lengths,caching,rates,e2e,e2e-local", help="comma-separated phases")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--roles", default="evaluator,question", help="roles for the rates phase")
    parser.add_argument("--ttft-langs", default="ko,en", help="'' to compute first-token times from the rates")
    parser.add_argument("--e2e-langs", default="ko,en", help="languages of the production-shape worker run")
    parser.add_argument("--e2e-paths", default="streamed,today", help="worker paths of the e2e run, in order")
    parser.add_argument(
        "--e2e-max-tokens",
        default="measured",
        help="reply length of the production-shape worker run: 'measured' (the reply lengths phase, this run's or "
        "the merged one's) or e.g. 'ko=700,en=200'",
    )
    parser.add_argument("--lengths-from", help="JSON with output_tokens for --e2e-max-tokens measured (read late)")
    parser.add_argument("--merge", help="add to the results of an earlier (partial) run")
    parser.add_argument("--out", default=str(OUT_JSON))
    args = parser.parse_args()
    phases = set(args.only.split(","))
    threads = [int(t) for t in args.threads.split(",")]
    previous: dict[str, Any] = json.loads(Path(args.merge).read_text()) if args.merge else {}
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": sys.version.split()[0],
            "weights": "real (LLAMA_MODELS=production)"
            if os.environ.get("LLAMA_MODELS") == "production"
            else f"shape-faithful, generator v{models.GENERATOR_VERSION}",
        },
    }
    started = time.perf_counter()
    with LoadSampler() as load:
        needs = set(args.roles.split(",")) if "rates" in phases else set()
        needs |= {"evaluator"} if "e2e" in phases else set()
        files = {role: model_file(role) for role in ROLE_MODEL if role in needs}  # generated on first use
        results["models"] = {**previous.get("models", {}), **{role: str(p) for role, p in files.items()}}
        for key in ("output_tokens", "output_tokens_before", "caching", "rates", "e2e", "prompt_tokens", "e2e_local"):
            if key in previous:
                results[key] = previous[key]
        if "prompts" in phases:
            prompt_sizes(results)
        if "lengths" in phases:
            output_lengths(results)
        if "caching" in phases:
            caching(results)
        if "rates" in phases:
            for role in args.roles.split(","):
                for t in threads:
                    rates(role, files[role], t, results, ttft_langs=[x for x in args.ttft_langs.split(",") if x])
        if "e2e" in phases:
            end_to_end(
                files["evaluator"],
                max(threads),
                results,
                langs=tuple(x for x in args.e2e_langs.split(",") if x),
                paths=tuple(x for x in args.e2e_paths.split(",") if x),
                max_tokens=_reply_caps(args.e2e_max_tokens, results, args.lengths_from),
            )
        if "e2e-local" in phases:  # the same worker path on the local default model, whole replies
            from core.settings import Settings
            from launcher.models_llm import smollm2_model

            end_to_end(
                smollm2_model(Settings()),
                1,
                results,
                key="e2e_local",
                max_tokens=None,
                LLAMA_ARG_CHAT_TEMPLATE_FILE=str(ROOT / "model-servers" / "templates" / "chatml.jinja"),
                LLAMA_ARG_ALIAS="smollm2-135m-instruct",
            )
    samples = load.samples + previous.get("load_samples", [])
    results["load_samples"] = [round(x, 2) for x in samples]
    results["load_average"] = {
        "mean": round(statistics.mean(samples), 2) if samples else None,
        "max": round(max(samples), 2) if samples else None,
    }
    results["wall_s"] = round(time.perf_counter() - started + previous.get("wall_s", 0.0), 1)
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    from bench.production.report import write_markdown

    OUT_MD.write_text(write_markdown(results))
    print(f"wrote {args.out} and {OUT_MD} in {results['wall_s']} s", flush=True)


if __name__ == "__main__":
    main()
