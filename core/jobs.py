"""Job contracts between services, and enqueue-after-commit.

The API and the media server enqueue work by message name (`evaluate_answer` on `evaluation`, …) without importing
the workers' code, so the API image needs no LangChain and no DeepFace. A job must never run before its row
exists: messages are held on the DB session and sent only once its transaction has committed; a rollback drops
them.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any

import anyio
import dramatiq
import redis
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from core.broker import get_broker

QUEUE_EVALUATION = "evaluation"
QUEUE_VISION = "vision"

EVALUATE_ANSWER = "evaluate_answer"
SUMMARIZE_INTERVIEW = "summarize_interview"
ANALYZE_FRAME = "analyze_frame"

_PENDING = "rehearsal_pending_jobs"


def message(queue: str, actor: str, **kwargs: Any) -> dramatiq.Message[Any]:
    return dramatiq.Message(queue_name=queue, actor_name=actor, args=(), kwargs=kwargs, options={})


def evaluate_answer(answer_id: uuid.UUID, revision: int) -> dramatiq.Message[Any]:
    return message(QUEUE_EVALUATION, EVALUATE_ANSWER, answer_id=str(answer_id), revision=revision)


def summarize_interview(interview_id: uuid.UUID) -> dramatiq.Message[Any]:
    return message(QUEUE_EVALUATION, SUMMARIZE_INTERVIEW, interview_id=str(interview_id))


def analyze_frame(
    *, interview_id: uuid.UUID, question_id: uuid.UUID | None, captured_at: datetime, jpeg_b64: str
) -> dramatiq.Message[Any]:
    return message(
        QUEUE_VISION,
        ANALYZE_FRAME,
        interview_id=str(interview_id),
        question_id=str(question_id) if question_id else None,
        captured_at=captured_at.isoformat(),
        jpeg_b64=jpeg_b64,
    )


def enqueue_after_commit(session: AsyncSession | Session, msg: dramatiq.Message[Any]) -> None:
    """Hold `msg` until `session`'s transaction commits (see `commit_and_enqueue`)."""
    target = session.sync_session if isinstance(session, AsyncSession) else session
    target.info.setdefault(_PENDING, []).append(msg)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _take_pending(session: AsyncSession | Session) -> list[dramatiq.Message[Any]]:
    target = session.sync_session if isinstance(session, AsyncSession) else session
    pending: list[dramatiq.Message[Any]] = target.info.pop(_PENDING, [])
    return pending


SEND_RETRY_S = 15.0  # covers a Redis restart or failover


def send_now(messages: list[dramatiq.Message[Any]]) -> None:
    broker = get_broker()
    for msg in messages:
        # The transaction has already committed: giving up on a brief Redis outage would leave the job's row
        # pending forever with nothing queued to finish it, so retry for a while before reporting the error.
        deadline = time.monotonic() + SEND_RETRY_S
        delay = 0.2
        while True:
            try:
                broker.enqueue(msg)
                break
            except (redis.ConnectionError, redis.TimeoutError):
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 2.0)


async def commit_and_enqueue(session: AsyncSession) -> None:
    """Commit, then send the held messages (off the event loop: the Redis client is synchronous)."""
    await session.commit()
    pending = _take_pending(session)
    if pending:
        await anyio.to_thread.run_sync(send_now, pending)


def commit_and_enqueue_sync(session: Session) -> None:
    session.commit()
    send_now(_take_pending(session))
