"""Six faults against the running product; each asserts what the candidate sees and that nothing acknowledged is
lost (answers, evaluations, final transcripts), and records a row of the fault table (see conftest.py)."""

from __future__ import annotations

import asyncio
import base64
import functools
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import redis

from core.settings import Settings
from launcher.llama import LlamaServer
from tests.api.conftest import SseEvent
from tests.faults.conftest import FaultStack, record
from tests.faults.helpers import Candidate, Ledger, candidate

ANSWER = (
    "Our payment API started timing out at 2am. I found the DB connection pool exhausted, rolled back the release "
    "that leaked connections and added an alert on pool usage; errors were gone within ten minutes."
)


def slot_busy(url: str) -> bool:
    try:
        return any(s["is_processing"] for s in httpx.get(f"{url}/slots", timeout=2).json())
    except (httpx.HTTPError, ValueError):
        return False


# The media server's own bound on flushing the last transcripts when a peer goes away (the fault stack's default).
STT_CLOSE_TIMEOUT_S = Settings.model_fields["stt_close_timeout_s"].default


def media_idle(url: str) -> bool:
    """No session and no peer connection left on the media server (its STT flushed and closed)."""
    try:
        health = httpx.get(f"{url}/health", timeout=5).json()
    except httpx.HTTPError:
        return False
    return bool(health["peers"] == 0 and health.get("peer_connections", 0) == 0)


def evaluated(e: SseEvent) -> bool:
    """The evaluation's final outcome: ready, or failed for a reason that is not a lost server (the small local
    models' replies end as content rejections, a real outcome: worker/evaluation/content.py)."""
    if e.event == "evaluation.failed":
        return bool(e.data.get("final")) and e.data.get("error_code") not in ("unavailable", "timeout")
    return e.event == "evaluation.ready"


async def wait_until(predicate: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout_s:.0f} s")


async def test_question_model_killed_mid_stream(fault_stack: FaultStack) -> None:
    ledger = Ledger(fault_stack.database_url)
    async with candidate(fault_stack.base_url) as c:
        await c.start_interview()
        q1 = await c.next_question()
        assert (await ledger.submit(c, q1, ANSWER)).status_code == 202
        events = []

        async def kill_mid_generation() -> None:
            # Tokens reach the browser only once the question passed validation (api/interviews/validation.py), so
            # "mid-generation" is read off the model server: its slot is busy with this question.
            await wait_until(lambda: slot_busy(fault_stack.question.base_url), 60, "question being generated")
            fault_stack.question.kill()  # SIGKILL mid-generation

        killer = asyncio.create_task(kill_mid_generation())
        async with c.client.stream("POST", f"/api/interviews/{c.interview_id}/questions/next") as resp:
            from tests.api.conftest import iter_sse

            async for ev in iter_sse(resp):
                events.append(ev)
                if ev.event in ("done", "error"):
                    break
        await killer
        try:
            assert events[-1].event == "error", [e.event for e in events]
            assert events[-1].data["code"] == "model_unavailable"
            detail = (await c.client.get(f"/api/interviews/{c.interview_id}")).json()
            assert len(detail["questions"]) == 1  # nothing half-written
        finally:
            fault_stack.question.start()
            fault_stack.question.wait_healthy(60)
        await c.next_question()  # the same interview continues
        await ledger.settle()
        lost = await ledger.lost()
    record(
        "question model SIGKILLed mid-stream",
        f"`error` ({events[-1].data['code']}: {events[-1].data['message'][:60]}); asking again works",
        lost,
        ledger.checked(),
    )
    assert lost == {"answers": 0, "evaluations": 0, "transcripts": 0}


async def _answer_being_evaluated(c: Candidate, ledger: Ledger, evaluator: LlamaServer) -> None:
    """Ask the first question and answer it; return once the evaluator is generating that answer's evaluation."""
    await c.start_interview()
    q1 = await c.next_question()
    await wait_until(lambda: not slot_busy(evaluator.base_url), 120, "evaluator idle")
    assert (await ledger.submit(c, q1, ANSWER)).status_code == 202
    await wait_until(lambda: slot_busy(evaluator.base_url), 60, "evaluation being generated")


async def test_evaluator_killed_mid_job(fault_stack: FaultStack) -> None:
    ledger = Ledger(fault_stack.database_url)
    evaluator = fault_stack.evaluator
    async with candidate(fault_stack.base_url) as c:
        await _answer_being_evaluated(c, ledger, evaluator)
        evaluator.kill()
        try:
            failed = await c.wait_event(lambda e: e.event == "evaluation.failed", 60)
            assert failed.data["final"] is False  # a retry is coming, the candidate is told so
        finally:
            evaluator.start()
            evaluator.wait_healthy(60)
        generating = functools.partial(slot_busy, evaluator.base_url)
        await c.wait_event(evaluated, 240, busy=generating)
        await ledger.settle(busy=generating)
        lost = await ledger.lost()
    record(
        "evaluator SIGKILLed mid-job",
        "`evaluation.pending` → `evaluation.failed` (final=false, retrying) → `evaluation.ready` after restart",
        lost,
        ledger.checked(),
    )
    assert lost == {"answers": 0, "evaluations": 0, "transcripts": 0}


@pytest.mark.faults_full
async def test_worker_sigkilled_mid_job(fault_stack: FaultStack) -> None:
    ledger = Ledger(fault_stack.database_url)
    evaluator = fault_stack.evaluator
    worker = fault_stack.stack.processes["worker-evaluation"]
    async with candidate(fault_stack.base_url) as c:
        await _answer_being_evaluated(c, ledger, evaluator)
        restarts = worker.restarts
        worker.signal_group(signal.SIGKILL)  # the message was taken but never acknowledged
        await wait_until(lambda: worker.restarts > restarts and worker.alive(), 30, "supervisor restart")
        generating = functools.partial(slot_busy, evaluator.base_url)
        await c.wait_event(evaluated, 240, busy=generating)
        await ledger.settle(busy=generating)
        lost = await ledger.lost()
    record(
        "evaluation worker SIGKILLed mid-job",
        "`evaluation.pending`, then `evaluation.ready` once the job is redelivered (≈ 20 s heartbeat) to the "
        "restarted worker",
        lost,
        ledger.checked(),
    )
    assert lost == {"answers": 0, "evaluations": 0, "transcripts": 0}


@pytest.mark.faults_full
async def test_postgres_and_redis_restarted_under_load(fault_stack: FaultStack) -> None:
    ledger = Ledger(fault_stack.database_url)
    statuses: dict[str, int] = {}
    stop = asyncio.Event()

    async def load(c: Candidate, question_id: str, n: int) -> None:
        """Re-submit answers and read the interview in a loop; a refused submission is retried, like the UI."""
        i = 0
        while not stop.is_set():
            i += 1
            try:
                r = await ledger.submit(c, question_id, f"{ANSWER} (revision {n}.{i})")
                statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
                r = await c.client.get(f"/api/interviews/{c.interview_id}")
                statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
            await asyncio.sleep(0.3)

    async with candidate(fault_stack.base_url) as c1, candidate(fault_stack.base_url) as c2:
        await c1.start_interview()
        await c2.start_interview()
        q1, q2 = await c1.next_question(), await c2.next_question()
        tasks = [asyncio.create_task(load(c1, q1, 1)), asyncio.create_task(load(c2, q2, 2))]
        await asyncio.sleep(3)
        await asyncio.to_thread(fault_stack.pg.stop)
        await asyncio.sleep(3)
        await asyncio.to_thread(fault_stack.pg.start)
        await asyncio.sleep(3)
        await asyncio.to_thread(fault_stack.redis.stop)
        await asyncio.sleep(3)
        await asyncio.to_thread(fault_stack.redis.start)
        await asyncio.sleep(5)
        stop.set()
        await asyncio.gather(*tasks)
        # Back to normal: a read and a new question work again.
        assert (await c1.client.get(f"/api/interviews/{c1.interview_id}")).status_code == 200
        await c1.next_question()
        await ledger.settle(busy=functools.partial(slot_busy, fault_stack.evaluator.base_url))
        lost = await ledger.lost()
    errors = {k: v for k, v in statuses.items() if k not in ("200", "202")}
    record(
        "PostgreSQL then Redis restarted under load",
        f"during each outage a clear 503 (seen: {errors}); every retried submission accepted afterwards",
        lost,
        ledger.checked() + f", {sum(statuses.values())} requests",
    )
    assert "500" not in statuses, statuses
    assert lost == {"answers": 0, "evaluations": 0, "transcripts": 0}


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fault-audio") / "speech.wav"
    text = (
        "I designed a payment service in Python. We used Postgres and Redis. "
        "The hardest part was handling retries safely. Then we added idempotency keys to every request."
    )
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-g", "12", "-w", str(path), text], check=True)
    return path


async def test_media_peer_dropped_mid_answer(fault_stack: FaultStack, speech_wav: Path) -> None:
    from media.app import restrict_host_addresses
    from tests.media.client import FaceVideoTrack, SpeechAudioTrack, connect, load_wav_48k, wait_connected

    restrict_host_addresses(["127.0.0.1"])  # the test process is the WebRTC client: loopback only
    ledger = Ledger(fault_stack.database_url)
    async with candidate(fault_stack.base_url) as c:
        await c.start_interview(consent_voice=True, consent_camera=True)
        q1 = await c.next_question()
        token = (await c.client.post(f"/api/interviews/{c.interview_id}/media-token")).json()["token"]
        pc = await connect(
            fault_stack.media_url, token, video=FaceVideoTrack(), audio=SpeechAudioTrack(load_wav_48k(speech_wav))
        )
        try:
            await wait_connected(pc)
            await c.wait_event(lambda e: e.event == "transcript.final", 90)  # mid-answer: one sentence done
        finally:
            await pc.close()  # the peer goes away while the candidate is still speaking
        # The media server flushes what it already heard, then closes the session: wait for that, not a clock.
        await wait_until(lambda: media_idle(fault_stack.media_url), STT_CLOSE_TIMEOUT_S + 60, "media session closed")
        ledger.note_transcripts(c)
        spoken = " ".join(e.data["text"] for e in c.seen("transcript.final"))
        # The UI then submits what was transcribed (or typed) as the answer.
        assert (await ledger.submit(c, q1, spoken or ANSWER)).status_code == 202
        token2 = (await c.client.post(f"/api/interviews/{c.interview_id}/media-token")).status_code
        await ledger.settle(busy=functools.partial(slot_busy, fault_stack.evaluator.base_url))
        lost = await ledger.lost()
    statuses = sorted({f"{e.data['service']}:{e.data['state']}" for e in c.seen("service.status")})
    record(
        "media peer dropped mid-answer",
        f"transcripts of what was said before the drop ({len(ledger.transcripts)} final), status {statuses}; "
        f"reconnect token {token2}; answer submitted",
        lost,
        ledger.checked(),
    )
    assert ledger.transcripts, "nothing heard before the drop was kept"
    assert token2 == 200
    assert lost == {"answers": 0, "evaluations": 0, "transcripts": 0}


@pytest.mark.faults_full
async def test_vision_queue_flooded(fault_stack: FaultStack) -> None:
    from skimage import data

    from core.broker import build_broker
    from core.jobs import analyze_frame
    from core.repositories.expressions import read_stats
    from core.settings import Settings
    from tests.worker.vision.conftest import jpeg

    frame_b64 = base64.b64encode(jpeg(data.astronaut())).decode()  # type: ignore[no-untyped-call]
    flood = 120
    ledger = Ledger(fault_stack.database_url)
    rclient = redis.Redis.from_url(fault_stack.redis_url)
    broker = build_broker(Settings(redis_url=fault_stack.redis_url, database_url=fault_stack.database_url))
    try:
        async with candidate(fault_stack.base_url) as c:
            await c.start_interview(consent_camera=True)
            q1 = await c.next_question()
            iid = uuid.UUID(c.interview_id)
            for _ in range(flood):  # 4 minutes of one candidate's frames arrive at once
                broker.enqueue(
                    analyze_frame(
                        interview_id=iid, question_id=uuid.UUID(q1), captured_at=datetime.now(UTC), jpeg_b64=frame_b64
                    )
                )
            # The rest of the product carries on while the vision queue is full.
            reads = [(await c.client.get(f"/api/interviews/{c.interview_id}")).status_code for _ in range(20)]
            assert (await ledger.submit(c, q1, ANSWER)).status_code == 202
            await ledger.settle()

            def drained() -> bool:
                stats = read_stats(rclient, iid)
                return sum(stats.values()) >= flood

            await wait_until(drained, 240, "vision queue drained")
            stats = read_stats(rclient, iid)
            lost = await ledger.lost()
            samples = len(c.seen("expression.sample"))
    finally:
        broker.close()
        rclient.close()
    assert set(reads) == {200}
    assert stats.get("dropped_stale", 0) > 0, stats  # back-pressure: old frames are dropped, not queued forever
    record(
        f"vision queue flooded ({flood} frames at once)",
        f"{stats.get('analysed', 0)} frames analysed ({samples} `expression.sample` events), "
        f"{stats.get('dropped_stale', 0)} stale frames dropped and counted; API reads all 200",
        lost,
        ledger.checked(),
    )
    assert lost == {"answers": 0, "evaluations": 0, "transcripts": 0}
