"""The real Deepgram SDK against a local server speaking Deepgram's live protocol (the cloud is unreachable here):
parameters and auth on the wire, transcripts through to events and rows, KeepAlive, a 401 and a dropped socket."""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
import redis

from core.db.engine import get_sessionmaker
from core.events import stream_key
from core.live_state import set_current_question
from core.redis_client import get_async_redis
from core.repositories.interviews import InterviewRepository
from core.settings import Settings
from media.sink import EventSink, QuestionTracker
from media.stt import create_provider
from media.stt.deepgram import DeepgramProvider
from tests.media.deepgram_fake import FakeDeepgram

KEY = "dg-test-key"


@pytest.fixture
async def fake_deepgram() -> AsyncIterator[FakeDeepgram]:
    server = FakeDeepgram(api_key=KEY)
    await server.start()
    yield server
    await server.stop()


def tone(seconds: float) -> bytes:
    t = np.arange(int(16_000 * seconds)) / 16_000
    return (np.sin(2 * math.pi * 220 * t) * 8000).astype(np.int16).tobytes()


def events(client: redis.Redis, interview_id: uuid.UUID) -> list[dict[str, Any]]:
    entries: list[Any] = client.xrange(stream_key(interview_id))  # type: ignore[assignment]
    return [json.loads(fields[b"data"]) for _id, fields in entries]


async def provider_for(url: str, ids: dict[str, uuid.UUID], *, key: str = KEY) -> tuple[DeepgramProvider, Any]:
    settings = Settings(
        deepgram_api_key=key,
        deepgram_base_url=url,
        deepgram_keepalive_s=0.3,
        deepgram_reconnect_max_s=0.5,
        stt_close_timeout_s=5,
    )
    assert settings.effective_stt_provider == "deepgram"
    client = get_async_redis()
    await set_current_question(client, ids["interview_id"], ids["question_id"])
    questions = QuestionTracker(client, ids["interview_id"])
    await questions.start()
    sink = EventSink(client, ids["interview_id"], "deepgram", questions)
    provider = create_provider(settings, "ko", sink)
    assert isinstance(provider, DeepgramProvider)
    return provider, questions


async def stream(provider: DeepgramProvider, seconds: float) -> None:
    chunk = tone(0.02)
    for _ in range(int(seconds / 0.02)):
        await provider.feed(chunk)
        await asyncio.sleep(0.005)  # faster than real time; the fake server does not care


async def wait_until(predicate: Any, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        await asyncio.sleep(0.1)
    return predicate()


async def test_transcripts_flow_to_events_and_rows(fake_deepgram, make_interview, redis_client) -> None:
    ids = await make_interview(language="ko")
    provider, questions = await provider_for(fake_deepgram.url, ids)
    await provider.start()
    await stream(provider, 2.5)
    await asyncio.sleep(1.0)  # idle: KeepAlive instead of hanging up
    await provider.close()
    await questions.stop()

    params = fake_deepgram.connections[0]
    assert params["language"] == "ko"
    assert params["sample_rate"] == "16000"
    assert params["encoding"] == "linear16"
    assert params["channels"] == "1"
    assert params["model"] == "nova-2"
    assert params["interim_results"] == "true"
    assert "utterance_end_ms" in params
    assert "endpointing" in params
    assert fake_deepgram.audio_bytes >= int(2.5 * 32_000) - 3200
    assert fake_deepgram.keepalives >= 1

    got = events(redis_client, ids["interview_id"])
    partials = [e for e in got if e["type"] == "transcript.partial"]
    finals = [e for e in got if e["type"] == "transcript.final"]
    assert partials
    assert partials[0]["text"] == "안녕하세요"
    assert len(finals) == 1
    assert finals[0]["text"] == fake_deepgram.transcript
    assert finals[0]["question_id"] == str(ids["question_id"])
    assert finals[0]["confidence"] == pytest.approx(0.93)
    async with get_sessionmaker()() as session:
        rows = await InterviewRepository(session).transcripts(ids["interview_id"])
    assert [r.text for r in rows] == [fake_deepgram.transcript]
    assert rows[0].provider == "deepgram"
    assert str(rows[0].id) == finals[0]["segment_id"]


async def test_rejected_key_is_reported(fake_deepgram, make_interview, redis_client) -> None:
    ids = await make_interview(language="ko")
    provider, questions = await provider_for(fake_deepgram.url, ids, key="wrong-key")
    await provider.start()
    await stream(provider, 0.5)

    def status() -> list[dict[str, Any]]:
        return [e for e in events(redis_client, ids["interview_id"]) if e["type"] == "service.status"]

    assert await wait_until(status)
    await provider.close()
    await questions.stop()
    (event,) = status()
    assert event["service"] == "stt"
    assert event["state"] == "down"
    assert "401" in event["message"]
    assert "DEEPGRAM_API_KEY" in event["message"]
    assert KEY not in event["message"]
    assert fake_deepgram.rejected == 1  # not retried in a loop
    assert fake_deepgram.connections == []


async def test_dropped_socket_reconnects(fake_deepgram, make_interview, redis_client) -> None:
    fake_deepgram.drop_after_final = True
    ids = await make_interview(language="ko")
    provider, questions = await provider_for(fake_deepgram.url, ids)
    await provider.start()
    await stream(provider, 2.5)  # first connection: a final, then the socket is cut
    assert await wait_until(lambda: len(fake_deepgram.connections) >= 2)
    await stream(provider, 2.5)  # second connection: another final
    await provider.close()
    await questions.stop()

    got = events(redis_client, ids["interview_id"])
    statuses = [(e["state"], e["message"]) for e in got if e["type"] == "service.status"]
    assert statuses[0][0] == "degraded"
    assert "reconnecting" in statuses[0][1]
    assert statuses[1][0] == "ok"
    finals = [e for e in got if e["type"] == "transcript.final"]
    assert len(finals) == 2
    # Times continue across the reconnect instead of restarting at zero.
    assert finals[1]["start_s"] >= finals[0]["end_s"] - 0.5
    assert provider.connections == 2
