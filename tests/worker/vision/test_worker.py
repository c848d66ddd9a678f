"""End to end through a real `python -m worker vision` process on the session's Redis and PostgreSQL:
enqueue by message name (as the media server does) → a stored `ExpressionSample` + an event in the stream."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis

from core import events
from core.broker import get_broker
from core.db.engine import get_sessionmaker
from core.db.models import ExpressionSample
from core.jobs import analyze_frame
from core.repositories import expressions as repo
from core.repositories.interviews import InterviewRepository
from tests.conftest import ROOT
from tests.factories import create_interview
from tests.worker.vision.conftest import b64

pytestmark = pytest.mark.usefixtures("vision_worker")


async def make_interview(*, consent: bool) -> tuple[uuid.UUID, uuid.UUID]:
    seeded = await create_interview(camera=consent, seniority="senior")
    return seeded.interview_id, seeded.question_id


def send(interview_id: uuid.UUID, question_id: uuid.UUID | None, data: bytes | str, *, age_s: float = 0.0) -> None:
    payload = data if isinstance(data, str) else b64(data)
    captured = datetime.now(UTC) - timedelta(seconds=age_s)
    get_broker().enqueue(
        analyze_frame(interview_id=interview_id, question_id=question_id, captured_at=captured, jpeg_b64=payload)
    )


async def samples(interview_id: uuid.UUID) -> list[ExpressionSample]:
    async with get_sessionmaker()() as session:
        return await InterviewRepository(session).expression_samples(interview_id)


async def wait_for(predicate: Any, timeout: float = 120.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.25)


def stream_events(client: redis.Redis, interview_id: uuid.UUID) -> list[dict[str, Any]]:
    entries: list[tuple[bytes, dict[bytes, bytes]]] = client.xrange(events.stream_key(interview_id))  # type: ignore[assignment]
    return [json.loads(fields[b"data"]) for _id, fields in entries]


async def test_frames_are_analysed_stored_and_published(
    redis_client: redis.Redis, astronaut_jpeg: bytes, coffee_jpeg: bytes
) -> None:
    interview_id, question_id = await make_interview(consent=True)
    send(interview_id, question_id, astronaut_jpeg)
    send(interview_id, question_id, coffee_jpeg)

    rows = await wait_for(lambda: _at_least(interview_id, 2))
    face = next(r for r in rows if r.face_found)
    empty = next(r for r in rows if not r.face_found)
    assert face.question_id == question_id
    assert face.dominant == "happy"
    assert set(face.scores) == {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"}
    assert all(isinstance(v, float) for v in face.scores.values())
    assert face.face_box is not None
    assert face.face_box["w"] > 0
    assert face.detector_confidence is not None
    assert face.model_id.startswith("fer-mini-xception")
    assert face.latency_ms > 0
    assert empty.dominant is None
    assert empty.scores == {}
    assert empty.face_box is None

    published = stream_events(redis_client, interview_id)
    assert [e["type"] for e in published] == ["expression.sample", "expression.sample"]
    happy = next(e for e in published if e["face_found"])
    assert happy["dominant"] == "happy"
    assert happy["question_id"] == str(question_id)
    assert happy["confidence"] == pytest.approx(happy["scores"]["happy"])
    stats = repo.read_stats(redis_client, interview_id)
    assert stats[repo.ANALYSED] == 2
    assert stats[repo.NO_FACE] == 1


async def test_stale_frames_are_dropped_and_counted(redis_client: redis.Redis, astronaut_jpeg: bytes) -> None:
    interview_id, question_id = await make_interview(consent=True)
    send(interview_id, question_id, astronaut_jpeg, age_s=600)
    send(interview_id, question_id, astronaut_jpeg, age_s=900)
    send(interview_id, question_id, astronaut_jpeg)  # fresh
    await wait_for(lambda: _stats_at_least(redis_client, interview_id, repo.DROPPED_STALE, 2))
    await wait_for(lambda: _at_least(interview_id, 1))
    assert len(await samples(interview_id)) == 1
    assert repo.read_stats(redis_client, interview_id) == {repo.DROPPED_STALE: 2, repo.ANALYSED: 1}


async def test_bad_frames_are_rejected_and_the_worker_keeps_running(
    redis_client: redis.Redis,
    vision_worker: subprocess.Popen[bytes],
    astronaut_jpeg: bytes,
    huge_jpeg: bytes,
) -> None:
    interview_id, question_id = await make_interview(consent=True)
    send(interview_id, question_id, "")  # empty
    send(interview_id, question_id, b"\xff\xd8\xff\xe0 this is not really a jpeg")  # corrupt
    send(interview_id, question_id, astronaut_jpeg[: len(astronaut_jpeg) // 3])  # truncated
    send(interview_id, question_id, "%%% not base64 %%%")
    send(interview_id, question_id, huge_jpeg)  # 50 megapixels
    send(interview_id, question_id, astronaut_jpeg)  # and then a good one
    rows = await wait_for(lambda: _at_least(interview_id, 1))
    assert len(rows) == 1
    assert rows[0].dominant == "happy"
    await wait_for(lambda: _stats_at_least(redis_client, interview_id, "rejected_corrupt", 3))
    await wait_for(lambda: _stats_at_least(redis_client, interview_id, "rejected_too_many_pixels", 1))
    await wait_for(lambda: _stats_at_least(redis_client, interview_id, "rejected_empty", 1))
    stats = repo.read_stats(redis_client, interview_id)
    assert stats == {
        "rejected_empty": 1,
        "rejected_corrupt": 3,
        "rejected_too_many_pixels": 1,
        repo.ANALYSED: 1,
    }
    assert vision_worker.poll() is None
    # Rejections are final: nothing is left waiting for a retry.
    assert redis_client.zcard("dramatiq:vision.DQ") == 0


async def test_no_camera_consent_means_no_analysis(redis_client: redis.Redis, astronaut_jpeg: bytes) -> None:
    refused, question_id = await make_interview(consent=False)
    consented, other_question = await make_interview(consent=True)
    send(refused, question_id, astronaut_jpeg)
    send(consented, other_question, astronaut_jpeg)
    await wait_for(lambda: _stats_at_least(redis_client, refused, repo.NO_CONSENT, 1))
    await wait_for(lambda: _at_least(consented, 1))
    assert await samples(refused) == []
    assert repo.read_stats(redis_client, refused) == {repo.NO_CONSENT: 1}
    assert stream_events(redis_client, refused) == []


async def _at_least(interview_id: uuid.UUID, n: int) -> list[ExpressionSample] | None:
    rows = await samples(interview_id)
    return rows if len(rows) >= n else None


async def _stats_at_least(client: redis.Redis, interview_id: uuid.UUID, name: str, n: int) -> bool:
    return repo.read_stats(client, interview_id).get(name, 0) >= n


def test_worker_without_weights_fails_fast_with_one_clear_line(
    service_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = dict(service_env)
    env.update({"DEEPFACE_HOME": str(tmp_path_factory.mktemp("no-weights")), "VISION_WEIGHTS": "fer"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker", "vision", "--processes", "1", "--threads", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:  # never leave the Dramatiq parent or its child behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 3
    assert "vision worker cannot start: VISION_WEIGHTS" in stderr
