"""Load: N simulated candidates (HTTP + SSE) against the real API for a fixed time, plus idle SSE connections held.

Real services: private PostgreSQL + Redis, one `python -m api` process, one evaluation worker, `llama-server` with
the tiny generated model for the questions and the evaluator stand-in (see `load_environment`), so the models cost
little CPU and the API is what is measured. The question server and the evaluation worker run at a lower CPU priority
(nice 10): in production they have hosts of their own, and on this machine's two cores their bursts (questions
generated, evaluations parsed) would otherwise take the API's turns. PostgreSQL and Redis, which every read waits
on, keep normal priority.

Candidates arrive one after another over the first 15 % of the run (`RAMP_SHARE`). Each signs up, creates an
interview, opens its live event stream (`/events`) and from then on polls the non-LLM reads a candidate's page makes
(`/auth/me`, `/interviews`, `/interviews/{id}`) with a short think time until the end; meanwhile it streams its first
question and submits an answer after a speaking time (`SPEAKING_SHARE`), which the worker evaluates (the candidate's
event stream receives the evaluation events). Meanwhile `IDLE_SSE` extra event streams (spread over users, within
the per-user limit) stay open and idle. Measured: p50/p95/p99 of the non-LLM reads, errors (any exception, non-2xx,
or an event stream that closed early), API memory growth, idle streams still open at the end. The anchor for
latency is the same reads from one candidate with nothing else running, measured first in the same run.

`python -m bench.load` prints the rows (about 2 minutes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench._support import (
    BACKGROUND_NICE,
    INTERVIEW,
    ROOT,
    Api,
    background,
    bench_llama,
    free_port,
    percentile,
    private_services,
    row,
    scaled,
    signed_up,
    start_api,
)
from bench._support import sse_events as _sse_events

CANDIDATES = 20
DURATION_S = float(scaled(60, minimum=15))
THINK_S = 1.0  # a candidate's page refreshes its reads about once a second
# A ramp-up over the first 15 % of the run, and answers after speaking for 5-15 % of it (3-9 s of the 60 s run; real
# answers take minutes, longer than the run). Not all at once: that measured one synchronised burst, not the load
# (docs/hardening.md, Load).
RAMP_SHARE = 0.15
SPEAKING_SHARE = (0.05, 0.15)
IDLE_SSE = 200
SSE_PER_USER = 8  # the product's default SSE_MAX_CONNECTIONS_PER_USER
ANSWER = "I would add an index on the foreign key, check the query plan, and batch the N+1 queries."


@dataclass
class LoadResult:
    reads_ms: list[float] = field(default_factory=list)
    writes_ms: list[float] = field(default_factory=list)
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    events_received: int = 0
    idle_opened: int = 0
    idle_held: int = 0
    questions: int = 0
    rss_start_mib: float = 0.0
    rss_end_mib: float = 0.0

    def error(self, what: str) -> None:
        if len(self.errors) < 50:
            self.errors.append(what)
        else:
            self.errors.append("…")


async def _timed(result: LoadResult, bucket: list[float], coro: Any, expect: int, label: str) -> httpx.Response | None:
    started = time.perf_counter()
    result.requests += 1
    try:
        resp: httpx.Response = await coro
    except httpx.HTTPError as exc:
        result.error(f"{label}: {type(exc).__name__}")
        return None
    bucket.append((time.perf_counter() - started) * 1000)
    if resp.status_code != expect:
        result.error(f"{label}: HTTP {resp.status_code}")
        return None
    return resp


async def _event_stream(client: httpx.AsyncClient, iid: str, result: LoadResult, stop: asyncio.Event) -> None:
    """One candidate's live events until `stop`; closing early is an error."""
    try:
        async with client.stream("GET", f"/api/interviews/{iid}/events", timeout=httpx.Timeout(60, connect=10)) as r:
            if r.status_code != 200:
                result.error(f"events: HTTP {r.status_code}")
                return
            async for _event, _data in _sse_events(r):
                result.events_received += 1
        if not stop.is_set():
            result.error("events: stream closed by the server")
    except httpx.HTTPError as exc:
        if not stop.is_set():
            result.error(f"events: {type(exc).__name__}")


async def _ask_and_answer(client: httpx.AsyncClient, iid: str, result: LoadResult, speaking_s: float) -> None:
    """Stream the next question, take `speaking_s` to answer it, submit the answer."""
    question_id = None
    async with client.stream("POST", f"/api/interviews/{iid}/questions/next") as resp:
        async for event, data in _sse_events(resp):
            if event == "done":
                question_id = data["question_id"]
            if event in ("done", "error"):
                break
    if not question_id:
        result.error("question: no done event")
        return
    result.questions += 1
    await asyncio.sleep(speaking_s)
    body = {"text": ANSWER, "source": "typed"}
    await _timed(
        result, result.writes_ms, client.post(f"/api/questions/{question_id}/answer", json=body), 202, "answer"
    )


async def _candidate(
    base_url: str,
    deadline: float,
    result: LoadResult,
    stop: asyncio.Event,
    ask: bool,
    arrive_s: float,
    speaking_s: float,
) -> None:
    """One candidate: arrives after `arrive_s`, opens an interview and its event stream, and polls the page's reads
    until `deadline` while (if `ask`) a question streams and is answered `speaking_s` after it arrived."""
    await asyncio.sleep(arrive_s)
    client = await signed_up(base_url)
    try:
        iid = (await client.post("/api/interviews", json=INTERVIEW)).raise_for_status().json()["id"]
        events = asyncio.create_task(_event_stream(client, iid, result, stop))
        answering = asyncio.create_task(_ask_and_answer(client, iid, result, speaking_s)) if ask else None
        reads = ("/api/auth/me", "/api/interviews", f"/api/interviews/{iid}")
        while time.monotonic() < deadline:
            for path in reads:
                await _timed(result, result.reads_ms, client.get(path), 200, path.split("/")[2])
            await asyncio.sleep(THINK_S)
        if answering is not None:
            if not answering.done():
                result.error("answer: not submitted before the end of the run")
                answering.cancel()
            (outcome,) = await asyncio.gather(answering, return_exceptions=True)
            if isinstance(outcome, Exception):  # a cancelled task is not an error: its lateness was counted above
                result.error(f"answer: {type(outcome).__name__}: {outcome}")
        if events.done():
            result.error("events: stream ended during the run")
        stop.set()
        events.cancel()
        await asyncio.gather(events, return_exceptions=True)
    finally:
        await client.aclose()


async def _idle_streams(base_url: str, n: int, result: LoadResult, ready: asyncio.Event, hold: asyncio.Event) -> None:
    """Open `n` idle event streams over ⌈n / SSE_PER_USER⌉ users; count those still open when `hold` is set."""
    limits = httpx.Limits(max_connections=n + 16, max_keepalive_connections=n + 16)
    owners = [await signed_up(base_url, limits=limits) for _ in range(-(-n // SSE_PER_USER))]
    interviews = [(await c.post("/api/interviews", json=INTERVIEW)).raise_for_status().json()["id"] for c in owners]
    opened: list[tuple[contextlib.AsyncExitStack, httpx.Response]] = []

    async def open_one(i: int) -> None:
        client, iid = owners[i // SSE_PER_USER], interviews[i // SSE_PER_USER]
        stack = contextlib.AsyncExitStack()
        try:
            resp = await stack.enter_async_context(
                client.stream("GET", f"/api/interviews/{iid}/events", timeout=httpx.Timeout(None, connect=30))
            )
            if resp.status_code != 200:
                result.error(f"idle events: HTTP {resp.status_code}")
                await stack.aclose()
                return
            first = await resp.aiter_lines().__anext__()  # the ": connected" comment
            if not first.startswith(":"):
                result.error("idle events: no connected comment")
            opened.append((stack, resp))
        except (httpx.HTTPError, StopAsyncIteration) as exc:
            result.error(f"idle events: {type(exc).__name__}")
            await stack.aclose()

    try:
        for start in range(0, n, 25):  # in batches: a burst of 200 connects is not what is being measured
            await asyncio.gather(*(open_one(i) for i in range(start, min(n, start + 25))))
        result.idle_opened = len(opened)
        ready.set()
        await hold.wait()
        result.idle_held = sum(1 for _, resp in opened if not resp.is_closed)
    finally:
        for stack, _ in opened:
            with contextlib.suppress(Exception):
                await stack.aclose()
        for c in owners:
            await c.aclose()


async def simulate(
    api: Api, *, candidates: int, duration_s: float, idle_sse: int, asking: int | None = None
) -> LoadResult:
    """Run the load against `api`; `asking` candidates (default all) stream a question and submit an answer."""
    result = LoadResult()
    hold, ready = asyncio.Event(), asyncio.Event()
    idle = asyncio.create_task(_idle_streams(api.base_url, idle_sse, result, ready, hold)) if idle_sse else None
    if idle:  # every idle stream open before the load starts (or the opener failed)
        await asyncio.wait([idle, asyncio.create_task(ready.wait())], return_when=asyncio.FIRST_COMPLETED)
    result.rss_start_mib = api.rss_mib()
    deadline = time.monotonic() + duration_s
    asking = candidates if asking is None else asking
    stops = [asyncio.Event() for _ in range(candidates)]
    ramp_s, speaking = duration_s * RAMP_SHARE, random.Random(7)  # the same speaking times in every run
    outcomes = await asyncio.gather(
        *(
            _candidate(
                api.base_url,
                deadline,
                result,
                stops[i],
                i < asking,
                arrive_s=ramp_s * i / candidates,
                speaking_s=duration_s * speaking.uniform(*SPEAKING_SHARE),
            )
            for i in range(candidates)
        ),
        return_exceptions=True,
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            result.error(f"candidate: {type(outcome).__name__}: {outcome}")
    result.rss_end_mib = api.rss_mib()
    hold.set()
    if idle:
        await idle
    return result


async def baseline(api: Api, seconds: float = 8.0) -> list[float]:
    """The same reads from one candidate with nothing else running (the latency anchor)."""
    result = LoadResult()
    client = await signed_up(api.base_url)
    try:
        iid = (await client.post("/api/interviews", json=INTERVIEW)).raise_for_status().json()["id"]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for path in ("/api/auth/me", "/api/interviews", f"/api/interviews/{iid}"):
                await _timed(result, result.reads_ms, client.get(path), 200, path)
    finally:
        await client.aclose()
    return result.reads_ms


@contextlib.contextmanager
def load_environment(log_dir: Path | None = None) -> Iterator[Api]:
    """Private services, a tiny-model llama-server for the questions, the evaluator stand-in, the API and one
    evaluation worker. The evaluator is tests/evaluator_standin.py (a local chat-completions server that streams a
    valid evaluation): the content checks reject every reply of the tiny model, so on it each answer cost two
    1,100-token attempts of the one-thread server that also streams the questions, and the run measured that
    server instead of the API."""
    from core.settings import Settings
    from launcher.models_llm import tiny_model
    from tests.evaluator_standin import evaluator_standin

    settings = Settings()
    llama = bench_llama("question", settings, model=tiny_model(settings), alias="tiny", parallel=4, ctx=4096 * 4)
    llama.start()
    try:
        llama.wait_healthy(60)
        assert llama.proc is not None
        background(llama.proc.pid)  # all its threads exist once it is healthy
        with private_services("bench-load-") as env, evaluator_standin() as (evaluator_url, _):
            env = {
                **env,
                "LLM_QUESTION__BASE_URLS": llama.base_url,
                "LLM_EVALUATOR__BASE_URLS": evaluator_url,
                "LLM_QUESTION__MAX_TOKENS": "48",
                "EVALUATION_MAX_RETRIES": "1",
                "MEDIA_URL": f"http://127.0.0.1:{free_port()}",
            }
            log = (log_dir / "load-api.log") if log_dir else None
            api = start_api(env, log)
            # Niced from its first instruction, so its processes and threads inherit it (`nice` execs in place:
            # the pid is the worker's). Not preexec_fn: this process has threads (the evaluator stand-in).
            command = [sys.executable, "-m", "worker", "evaluation", "--processes", "1", "--threads", "2"]
            worker = subprocess.Popen(
                ["nice", "-n", str(BACKGROUND_NICE), *command],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                yield api
            finally:
                api.stop()
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGTERM)
                    try:
                        worker.wait(15)
                    except subprocess.TimeoutExpired:
                        os.killpg(worker.pid, signal.SIGKILL)
                        worker.wait()
    finally:
        llama.stop()


def _rows(base: list[float], res: LoadResult) -> list[dict[str, Any]]:
    load = f"{CANDIDATES} candidates, {DURATION_S:.0f} s, {IDLE_SSE} idle SSE"
    anchor = "same reads, 1 candidate, no load"
    out = [
        row(f"load.reads ({load})", f"p{q}", percentile(res.reads_ms, q), anchor, percentile(base, q), t, "ms")
        for q, t in ((50, "informational"), (95, "informational"), (99, "< 50 ms"))
    ]
    out.append(
        row(
            f"load.reads ({load})",
            "throughput",
            len(res.reads_ms) / DURATION_S,
            "1 candidate, no think time",
            len(base) / 8.0,
            "informational",
            "req/s",
            1,
        )
    )
    out.append(row("load.errors", "errors", len(res.errors), "requests sent", res.requests, "≤ 0", "count", 0))
    out.append(
        row(
            "load.api_memory",
            "rss_end",
            res.rss_end_mib,
            "RSS after the idle streams opened, before the load",
            res.rss_start_mib,
            "ratio ≤ 1.25",
            "MiB",
            1,
        )
    )
    out.append(row("load.idle_sse", "held_open", res.idle_held, "opened", IDLE_SSE, "ratio ≥ 1", "connections", 0))
    if res.writes_ms:
        out.append(
            row(
                "load.answer_submit",
                "p99",
                percentile(res.writes_ms, 99),
                "reads p99 under the same load",
                percentile(res.reads_ms, 99),
                "informational",
                "ms",
            )
        )
    return out


def run() -> list[dict[str, Any]]:
    with load_environment() as api:

        async def go() -> tuple[list[float], LoadResult]:
            base = await baseline(api)
            return base, await simulate(api, candidates=CANDIDATES, duration_s=DURATION_S, idle_sse=IDLE_SSE)

        base, res = asyncio.run(go())
    if res.errors:
        print("load errors:", res.errors[:10], file=sys.stderr)
    return _rows(base, res)


if __name__ == "__main__":
    for r in run():
        print(json.dumps(r, ensure_ascii=False))
