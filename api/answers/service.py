"""Submitting an answer: store (or replace) it, compute speech metrics, queue its evaluation after commit."""

from __future__ import annotations

import uuid
from typing import Any

import redis.asyncio as aioredis
from sqlmodel.ext.asyncio.session import AsyncSession

from api.answers.schemas import AnswerAccepted, AnswerIn
from api.auth.sessions import Principal
from core import jobs, speech_metrics
from core.db.models import Answer, AnswerSource, Evaluation, InterviewStatus, JobStatus, utcnow
from core.errors import Conflict, NotFound
from core.events import EvaluationPending, apublish
from core.repositories.interviews import InterviewRepository


async def submit(
    session: AsyncSession, redis: aioredis.Redis, user: Principal, question_id: uuid.UUID, body: AnswerIn
) -> AnswerAccepted:
    repo = InterviewRepository(session)
    found = await repo.question_for_user(question_id, user.id)
    if found is None:
        raise NotFound("question not found")
    question, interview = found
    if interview.status != InterviewStatus.active:
        raise Conflict("the interview is finished; answers can no longer change")
    # One submission per question at a time: a concurrent second one is refused rather than interleaved.
    if not await repo.try_lock_submission(question.id):
        raise Conflict("an answer to this question is already being submitted")

    metrics: dict[str, Any] = {}  # a typed answer has no speaking pace or spoken fillers (C3)
    if body.source == AnswerSource.speech:
        duration = (body.ended_at - body.started_at).total_seconds() if body.started_at and body.ended_at else None
        timings = [speech_metrics.Timing(s.start_s, s.end_s) for s in await repo.transcript(question.id)]
        metrics = speech_metrics.compute(body.text, interview.language, duration, timings)
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
        evaluation.error_code = None
        evaluation.attempts = 0
        evaluation.updated_at = now
    jobs.enqueue_after_commit(session, jobs.evaluate_answer(answer.id, answer.revision))
    await jobs.commit_and_enqueue(session)
    await apublish(redis, EvaluationPending(interview_id=interview.id, question_id=question.id, answer_id=answer.id))
    return AnswerAccepted(id=answer.id, question_id=question.id, revision=answer.revision, speech_metrics=metrics)
