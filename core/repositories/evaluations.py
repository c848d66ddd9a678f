"""Evaluation rows for the evaluation worker: one row per answer, for the answer's current revision.

The API creates the row (status pending) when an answer is submitted and bumps `answer_revision` on a
re-submission; the worker fills it in. Writes happen under a row lock and only if the answer still has the revision
the job was for, so a slow job for an outdated revision can never overwrite a newer result.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import Answer, Evaluation, Interview, JobStatus, Question, utcnow


@dataclass(frozen=True)
class AnswerContext:
    """Everything the prompt needs, copied out of the session (plain values, safe after it closes)."""

    answer_id: uuid.UUID
    revision: int
    interview_id: uuid.UUID
    question_id: uuid.UUID
    language: str
    role: str
    seniority: str
    question_kind: str
    question_competency: str | None
    question_text: str
    answer_text: str


class EvaluationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def answer_context(self, answer_id: uuid.UUID) -> AnswerContext | None:
        stmt = (
            select(Answer, Question, Interview)
            .join(Question, col(Question.id) == col(Answer.question_id))
            .join(Interview, col(Interview.id) == col(Answer.interview_id))
            .where(col(Answer.id) == answer_id)
        )
        row = (await self.session.exec(stmt)).one_or_none()
        if row is None:
            return None
        answer, question, interview = row
        return AnswerContext(
            answer_id=answer.id,
            revision=answer.revision,
            interview_id=interview.id,
            question_id=question.id,
            language=str(interview.language),
            role=interview.role,
            seniority=interview.seniority,
            question_kind=str(question.kind),
            question_competency=question.competency,
            question_text=question.text,
            answer_text=answer.text,
        )

    async def current_revision(self, answer_id: uuid.UUID) -> int | None:
        stmt = select(Answer.revision).where(col(Answer.id) == answer_id)
        revision: int | None = (await self.session.exec(stmt)).one_or_none()
        return revision

    async def lock_for_answer(self, ctx: AnswerContext) -> Evaluation:
        """The answer's evaluation row, locked for this transaction; created (pending) if the API has not yet."""
        await self.session.exec(
            insert(Evaluation)
            .values(
                id=uuid.uuid4(),
                answer_id=ctx.answer_id,
                interview_id=ctx.interview_id,
                answer_revision=ctx.revision,
                status=JobStatus.pending.value,
                rubric={},
                strengths=[],
                improvements=[],
                model_answer="",
                attempts=0,
                model_meta={},
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["answer_id"])
        )
        stmt = select(Evaluation).where(col(Evaluation.answer_id) == ctx.answer_id).with_for_update()
        evaluation: Evaluation = (await self.session.exec(stmt)).one()
        return evaluation


# Updates of a locked row (no queries): the actor calls them between lock_for_answer and commit.


def retry_counters(evaluation: Evaluation, revision: int) -> dict[str, int]:
    """Failed attempts so far for this revision, by kind (kept in model_meta so they survive redelivery)."""
    meta = evaluation.model_meta or {}
    kinds = ("bad_output", "unavailable", "timeout")  # worker/evaluation/retry.py's failure kinds
    if meta.get("revision") != revision:
        return dict.fromkeys(kinds, 0)
    return {kind: int(meta.get(kind, 0)) for kind in kinds}


def start_attempt(evaluation: Evaluation, revision: int) -> None:
    counters = retry_counters(evaluation, revision)
    evaluation.answer_revision = revision
    evaluation.status = JobStatus.pending
    evaluation.attempts = evaluation.attempts + 1 if (evaluation.model_meta or {}).get("revision") == revision else 1
    evaluation.model_meta = {"revision": revision, **counters}
    evaluation.updated_at = utcnow()


def store_ready(
    evaluation: Evaluation,
    *,
    overall_score: int,
    rubric: dict[str, int],
    strengths: list[str],
    improvements: list[str],
    model_answer: str,
    model_meta: dict[str, Any],
) -> None:
    evaluation.status = JobStatus.ready
    evaluation.overall_score = overall_score
    evaluation.rubric = rubric
    evaluation.strengths = strengths
    evaluation.improvements = improvements
    evaluation.model_answer = model_answer
    evaluation.error = None
    evaluation.error_code = None
    evaluation.model_meta = model_meta
    evaluation.updated_at = utcnow()


def store_attempt_failed(
    evaluation: Evaluation,
    *,
    revision: int,
    kind: str,
    reason: str,
    code: str,
    final: bool,
    meta: dict[str, Any],
) -> dict[str, int]:
    """Count a failed attempt; on the final one the row becomes `failed` — with no score, never a made-up one."""
    counters = retry_counters(evaluation, revision)
    counters[kind] = counters.get(kind, 0) + 1
    evaluation.error = reason
    evaluation.error_code = code
    evaluation.model_meta = {**meta, "revision": revision, **counters}
    if final:
        evaluation.status = JobStatus.failed
        evaluation.overall_score = None
        evaluation.rubric = {}
        evaluation.strengths = []
        evaluation.improvements = []
        evaluation.model_answer = ""
    evaluation.updated_at = utcnow()
    return counters


async def recent_scoring_seconds(session: AsyncSession, limit: int) -> list[float]:
    """How long the `limit` most recent successful evaluations took, submission to result, in seconds.

    Submission is the answer's `updated_at` (set when its current revision was submitted) and the result is the
    evaluation's `updated_at` (set by `store_ready`); only evaluations of the answer's current revision count, so a
    re-submission never pairs one revision's start with another's result."""
    stmt = (
        select(Evaluation.updated_at, Answer.updated_at)
        .join(Answer, col(Answer.id) == col(Evaluation.answer_id))
        .where(col(Evaluation.status) == JobStatus.ready, col(Evaluation.answer_revision) == col(Answer.revision))
        .order_by(col(Evaluation.updated_at).desc())
        .limit(limit)
    )
    rows = (await session.exec(stmt)).all()
    return [max(0.0, (done - submitted).total_seconds()) for done, submitted in rows]
