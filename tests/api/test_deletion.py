"""Every way an interview is deleted — the candidate's DELETE, account deletion, the retention pass — leaves no row,
Redis key, cached session or stored frame behind. The traces are made by the product's own code paths."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis
from sqlalchemy import func, update
from sqlmodel import col, select

from api.deps import SESSION_COOKIE
from api.interviews.question_stream import acquire_generation_lock
from api.retention import purge_once
from core.db.engine import get_sessionmaker
from core.db.models import (
    Answer,
    AnswerSource,
    AuthSession,
    Evaluation,
    ExpressionSample,
    Interview,
    Question,
    QuestionKind,
    Report,
    TranscriptSegment,
    User,
    utcnow,
)
from core.events import QuestionStarted, apublish
from core.live_state import set_current_question
from core.privacy import frames_dir
from core.redis_client import get_async_redis
from core.repositories import expressions
from core.repositories.transcripts import TranscriptRepository
from core.repositories.users import token_digest
from core.settings import get_settings
from tests.api.conftest import INTERVIEW, NewUser
from tests.api.conftest import User as ApiUser
from tests.factories import create_interview

TABLES = (Interview, Question, Answer, Evaluation, Report, TranscriptSegment, ExpressionSample)


async def leave_traces(interview_id: uuid.UUID, sync_redis: redis.Redis) -> None:
    """Rows in every table derived from the interview, its event stream, live state, vision counters and a frame."""
    async with get_sessionmaker()() as s:
        q = Question(interview_id=interview_id, position=2, kind=QuestionKind.opening, text="q?", prompt_version="t")
        s.add(q)
        await s.flush()
        a = Answer(question_id=q.id, interview_id=interview_id, text="a", source=AnswerSource.speech)
        s.add(a)
        await s.flush()
        s.add(Evaluation(answer_id=a.id, interview_id=interview_id, answer_revision=1))
        s.add(Report(interview_id=interview_id))
        await s.commit()
        await TranscriptRepository(s).add_final_segment(
            interview_id=interview_id, question_id=q.id, text="a", start_s=0, end_s=1, confidence=1, provider="t"
        )
        await expressions.ExpressionRepository(s).add_sample(
            interview_id=interview_id, question_id=q.id, captured_at=utcnow(), face_found=False, face_box=None,
            detector_confidence=None, dominant=None, scores={}, model_id="t", latency_ms=1,
        )  # fmt: skip
    client = get_async_redis()
    await apublish(client, QuestionStarted(interview_id=interview_id, position=1))
    await set_current_question(client, interview_id, q.id)
    assert await acquire_generation_lock(client, interview_id)
    expressions.count(sync_redis, interview_id, expressions.ANALYSED)
    folder = frames_dir(get_settings(), interview_id)
    folder.mkdir(parents=True)
    (folder / "0001.jpg").write_bytes(b"\xff\xd8 frame")
    assert list(sync_redis.scan_iter(match=f"*{interview_id}*"))


async def assert_no_traces(interview_id: uuid.UUID, sync_redis: redis.Redis) -> None:
    async with get_sessionmaker()() as s:
        for table in TABLES:
            column = col(table.id) if table is Interview else col(table.interview_id)  # type: ignore[union-attr]
            left = (await s.exec(select(func.count()).select_from(table).where(column == interview_id))).one()
            assert left == 0, f"{table.__name__} rows left"
    assert list(sync_redis.scan_iter(match=f"*{interview_id}*")) == []
    assert not frames_dir(get_settings(), interview_id).exists()


async def interview_of(user: ApiUser) -> uuid.UUID:
    r = await user.client.post("/api/interviews", json=INTERVIEW)
    assert r.status_code == 201, r.text
    return uuid.UUID(r.json()["id"])


@pytest.fixture
def sync_redis(redis_client: redis.Redis) -> redis.Redis:
    return redis_client


async def test_delete_interview_leaves_nothing(new_user: NewUser, sync_redis: redis.Redis) -> None:
    user = await new_user()
    iid = await interview_of(user)
    await leave_traces(iid, sync_redis)
    assert (await user.client.delete(f"/api/interviews/{iid}")).status_code == 204
    await assert_no_traces(iid, sync_redis)


async def test_delete_account_leaves_nothing(new_user: NewUser, sync_redis: redis.Redis) -> None:
    user = await new_user()
    ids = [await interview_of(user), await interview_of(user)]
    for iid in ids:
        await leave_traces(iid, sync_redis)
    assert (await user.client.get("/api/auth/me")).status_code == 200  # the session is now cached in Redis
    digest = token_digest(user.client.cookies[SESSION_COOKIE])
    cached = list(sync_redis.scan_iter(match=f"*{digest}*"))
    assert cached and sync_redis.get(cached[0]) != b"revoked"
    assert (await user.client.delete("/api/auth/me")).status_code == 204
    for iid in ids:
        await assert_no_traces(iid, sync_redis)
    assert all(sync_redis.get(k) == b"revoked" for k in cached)  # a tombstone, no longer the user
    async with get_sessionmaker()() as s:
        uid = uuid.UUID(user.info["id"])
        assert await s.get(User, uid) is None
        assert (
            await s.exec(select(func.count()).select_from(AuthSession).where(col(AuthSession.user_id) == uid))
        ).one() == 0


async def test_retention_leaves_nothing(sync_redis: redis.Redis) -> None:
    old, recent = (await create_interview()).interview_id, (await create_interview()).interview_id
    await leave_traces(old, sync_redis)
    async with get_sessionmaker()() as s:
        await s.exec(update(Interview).where(col(Interview.id) == old).values(created_at=utcnow() - timedelta(days=91)))
        await s.commit()
    assert await purge_once(get_settings().model_copy(update={"retention_days": 90})) >= 1
    await assert_no_traces(old, sync_redis)
    async with get_sessionmaker()() as s:
        assert await s.get(Interview, recent) is not None
