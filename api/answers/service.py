"""Submitting an answer: store (or replace) it, compute speech metrics, queue its evaluation after commit."""

from __future__ import annotations

import uuid
import zlib

import redis.asyncio as aioredis
from fastapi import HTTPException, status
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.answers.schemas import AnswerAccepted, AnswerIn
from api.auth.sessions import Principal
from core import jobs, speech_metrics
from core.db.models import Answer, AnswerSource, Evaluation, InterviewStatus, JobStatus, TranscriptSegment, utcnow
from core.events import EvaluationPending, apublish
from core.repositories.interviews import InterviewRepository


def submission_lock_key(question_id: uuid.UUID) -> int:
    """The PostgreSQL advisory-lock key (signed 32-bit) held while an answer to this question is being stored."""
    return zlib.crc32(question_id.bytes) - 2**31


async def _transcript_timings(session: AsyncSession, question_id: uuid.UUID) -> list[speech_metrics.Timing]:
    stmt = select(TranscriptSegment).where(col(TranscriptSegment.question_id) == question_id)
    return [speech_metrics.Timing(s.start_s, s.end_s) for s in (await session.exec(stmt)).all()]


async def submit(
    session: AsyncSession, redis: aioredis.Redis, user: Principal, question_id: uuid.UUID, body: AnswerIn
) -> AnswerAccepted:
    repo = InterviewRepository(session)
    found = await repo.question_for_user(question_id, user.id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "question not found")
    question, interview = found
    if interview.status != InterviewStatus.active:
        raise HTTPException(status.HTTP_409_CONFLICT, "the interview is finished; answers can no longer change")
    # One submission per question at a time: a concurrent second one is refused rather than interleaved.
    locked = (await session.exec(select(func.pg_try_advisory_xact_lock(submission_lock_key(question.id))))).one()
    if not locked:
        raise HTTPException(status.HTTP_409_CONFLICT, "an answer to this question is already being submitted")

    duration = (body.ended_at - body.started_at).total_seconds() if body.started_at and body.ended_at else None
    metrics = speech_metrics.compute(
        body.text, interview.language, duration, await _transcript_timings(session, question.id)
    )
    answer = await repo.answer_for_question(question.id, lock=True)
    now = utcnow()
    if answer is None:
        answer = repo.add_answer(
            Answer(
                question_id=question.id,
                interview_id=interview.id,
                text=body.text,
                source=AnswerSource(body.source),
                started_at=body.started_at,
                ended_at=body.ended_at,
                speech_metrics=metrics,
            )
        )
        await session.flush()
    else:  # re-submission replaces the answer and re-evaluates the new revision
        answer.text = body.text
        answer.source = AnswerSource(body.source)
        answer.started_at, answer.ended_at = body.started_at, body.ended_at
        answer.speech_metrics = metrics
        answer.revision += 1
        answer.updated_at = now
    evaluation = await repo.evaluation_for_answer(answer.id)
    if evaluation is None:
        repo.add_evaluation(Evaluation(answer_id=answer.id, interview_id=interview.id, answer_revision=answer.revision))
    else:
        evaluation.status = JobStatus.pending
        evaluation.answer_revision = answer.revision
        evaluation.error = None
        evaluation.attempts = 0
        evaluation.updated_at = now
    jobs.enqueue_after_commit(session, jobs.evaluate_answer(answer.id, answer.revision))
    await jobs.commit_and_enqueue(session)
    await apublish(redis, EvaluationPending(interview_id=interview.id, question_id=question.id, answer_id=answer.id))
    return AnswerAccepted(id=answer.id, question_id=question.id, revision=answer.revision, speech_metrics=metrics)
