"""End to end against the real media server subprocess: WebRTC in, vision jobs and transcripts out."""

from __future__ import annotations

import asyncio
import base64
import io
import itertools
import json
import time
import uuid
from datetime import datetime
from typing import Any

import httpx
import psutil
import pytest
import redis
from PIL import Image

from core.db.engine import get_sessionmaker
from core.events import stream_key
from core.live_state import set_current_question
from core.redis_client import get_async_redis
from core.repositories.interviews import InterviewRepository
from tests.media.client import (
    FaceVideoTrack,
    OfferRejected,
    SpeechAudioTrack,
    connect,
    load_wav_48k,
    offer_sdp,
    wait_connected,
)
from tests.media.conftest import SECRET, token_for

pytestmark = pytest.mark.slow


def vision_jobs(client: redis.Redis, interview_id: uuid.UUID) -> list[dict[str, Any]]:
    """analyze_frame messages for one interview, straight off the real Dramatiq queue in Redis."""
    jobs = []
    for raw in client.hvals("dramatiq:vision.msgs"):
        msg = json.loads(raw)
        if msg["actor_name"] == "analyze_frame" and msg["kwargs"]["interview_id"] == str(interview_id):
            jobs.append(msg["kwargs"])
    return sorted(jobs, key=lambda k: k["captured_at"])


def stream_events(client: redis.Redis, interview_id: uuid.UUID) -> list[dict[str, Any]]:
    entries: list[Any] = client.xrange(stream_key(interview_id))  # type: ignore[assignment]
    return [json.loads(fields[b"data"]) for _id, fields in entries]


async def health(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        body: dict[str, Any] = (await client.get("/health")).json()
        return body


async def wait_for(predicate: Any, timeout: float, step: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(step)
    return predicate()


async def test_frames_and_offline_transcript(media_server, make_interview, speech_wav, redis_client) -> None:
    ids = await make_interview(camera=True, voice=True)
    await set_current_question(get_async_redis(), ids["interview_id"], ids["question_id"])
    audio = SpeechAudioTrack(load_wav_48k(speech_wav))
    pc = await connect(str(media_server["url"]), token_for(ids), video=FaceVideoTrack(), audio=audio)
    try:
        await wait_connected(pc)
        assert (await health(str(media_server["url"])))["peers"] >= 1

        jobs = await wait_for(lambda: len(vision_jobs(redis_client, ids["interview_id"])) >= 3 or None, 30)
        assert jobs, "fewer than 3 vision jobs arrived"
        jobs = vision_jobs(redis_client, ids["interview_id"])
        times = [datetime.fromisoformat(job["captured_at"]) for job in jobs]
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        # One sample per 2 s interval, not one per frame (15 fps). No upper bound: a loaded CI machine may lag.
        assert all(gap >= 1.5 for gap in gaps), gaps
        for job in jobs:
            assert job["question_id"] == str(ids["question_id"])
            image = Image.open(io.BytesIO(base64.b64decode(job["jpeg_b64"])))
            image.load()
            assert image.format == "JPEG"
            assert image.width >= 320
            assert image.height >= 240

        def final_events() -> list[dict[str, Any]]:
            return [e for e in stream_events(redis_client, ids["interview_id"]) if e["type"] == "transcript.final"]

        finals = await wait_for(final_events, 60)
        assert finals, "no final transcript"
        text = " ".join(e["text"] for e in finals).lower()
        for word in ("alice", "software", "reliable"):
            assert word in text, text
        assert finals[0]["question_id"] == str(ids["question_id"])
        assert finals[0]["segment_id"]
        assert 0 <= finals[0]["start_s"] < finals[0]["end_s"]
        async with get_sessionmaker()() as session:
            rows = await InterviewRepository(session).transcript(ids["question_id"])
            assert rows
            assert rows[0].provider == "whisper"
            assert "alice" in " ".join(r.text for r in rows).lower()
    finally:
        await pc.close()
    for _ in range(40):
        if (await health(str(media_server["url"])))["peers"] == 0:
            break
        await asyncio.sleep(0.25)
    assert (await health(str(media_server["url"])))["peers"] == 0


async def test_no_frames_without_camera_consent(media_server, make_interview, redis_client) -> None:
    ids = await make_interview(camera=False, voice=True)
    pc = await connect(
        str(media_server["url"]), token_for(ids, camera=False), video=FaceVideoTrack(), audio=SpeechAudioTrack()
    )
    try:
        await wait_connected(pc)
        await asyncio.sleep(4.5)  # two sampling intervals
        assert vision_jobs(redis_client, ids["interview_id"]) == []
    finally:
        await pc.close()


async def post_offer(url: str, body: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await client.post("/offer", json=body)


async def test_bad_inputs(media_server, make_interview) -> None:
    url = str(media_server["url"])
    ids = await make_interview()
    other = await make_interview()
    good_sdp = await offer_sdp(video=True, audio=True)

    garbage = await post_offer(url, {"sdp": "v=0\r\nthis is not sdp", "type": "offer", "token": token_for(ids)})
    assert garbage.status_code == 400
    assert "SDP" in garbage.json()["detail"]

    forged = token_for(ids)[:-4] + "AAAA"
    response = await post_offer(url, {"sdp": good_sdp, "type": "offer", "token": forged})
    assert response.status_code == 401
    assert "signature" in response.json()["detail"]

    expired = await post_offer(url, {"sdp": good_sdp, "type": "offer", "token": token_for(ids, ttl=-10)})
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]

    # A genuine token of one user, pointed at another user's interview.
    crossed = token_for({"user_id": ids["user_id"], "interview_id": other["interview_id"]})
    response = await post_offer(url, {"sdp": good_sdp, "type": "offer", "token": crossed})
    assert response.status_code == 403

    no_audio = await post_offer(
        url, {"sdp": await offer_sdp(video=True, audio=False), "type": "offer", "token": token_for(ids)}
    )
    assert no_audio.status_code == 400
    assert "no audio track" in no_audio.json()["detail"]

    missing = await post_offer(url, {"sdp": good_sdp, "type": "offer"})
    assert missing.status_code == 422
    assert (await health(url))["peers"] == 0
    assert SECRET not in garbage.text


async def test_new_peer_replaces_old(media_server, make_interview) -> None:
    url = str(media_server["url"])
    ids = await make_interview()
    first = await connect(url, token_for(ids), video=FaceVideoTrack(), audio=SpeechAudioTrack())
    second = None
    try:
        await wait_connected(first)
        second = await connect(url, token_for(ids), video=FaceVideoTrack(), audio=SpeechAudioTrack())
        await wait_connected(second)
        assert (await health(url))["peers"] == 1
        # The server closed the old connection: the first client sees it go away.
        assert await wait_for(lambda: first.connectionState in ("closed", "failed"), 30)
    finally:
        await first.close()
        if second is not None:
            await second.close()


async def test_finished_interview_ends_the_session(media_server, make_interview) -> None:
    from core.db.models import Interview, InterviewStatus

    url = str(media_server["url"])
    ids = await make_interview()
    pc = await connect(url, token_for(ids), video=FaceVideoTrack(), audio=SpeechAudioTrack())
    try:
        await wait_connected(pc)
        async with get_sessionmaker()() as session:
            interview = await session.get(Interview, ids["interview_id"])
            assert interview is not None
            interview.status = InterviewStatus.finishing
            await session.commit()
        assert await wait_for(lambda: pc.connectionState in ("closed", "failed"), 30)
        with pytest.raises(OfferRejected) as rejected:
            await connect(url, token_for(ids), video=FaceVideoTrack(), audio=SpeechAudioTrack())
        assert rejected.value.status == 409
    finally:
        await pc.close()


async def test_twenty_cycles_leak_nothing(media_server, make_interview) -> None:
    url = str(media_server["url"])
    proc = psutil.Process(int(media_server["pid"]))  # type: ignore[call-overload]
    ids = await make_interview()

    async def cycle() -> None:
        pc = await connect(url, token_for(ids), video=FaceVideoTrack(), audio=SpeechAudioTrack())
        try:
            await wait_connected(pc)
            await asyncio.sleep(0.5)
        finally:
            await pc.close()
        for _ in range(80):
            if (await health(url))["peers"] == 0:
                return
            await asyncio.sleep(0.25)
        raise AssertionError("peer not torn down")

    for _ in range(3):  # warm-up: codecs, thread pools, DB pool
        await cycle()
    await asyncio.sleep(1)
    base = await health(url)
    base_fds, base_rss = proc.num_fds(), proc.memory_info().rss
    base_sockets = len(proc.net_connections(kind="inet"))
    for _ in range(20):
        await cycle()
    await asyncio.sleep(1)
    after = await health(url)
    assert after["peers"] == 0
    assert after["tasks"] <= base["tasks"], (base, after)
    assert proc.num_fds() <= base_fds + 4, (base_fds, proc.num_fds())
    assert len(proc.net_connections(kind="inet")) <= base_sockets + 2
    growth_mb = (proc.memory_info().rss - base_rss) / 1e6
    assert growth_mb < 40, f"RSS grew {growth_mb:.0f} MB over 20 cycles"
