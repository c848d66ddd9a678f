"""Interviews and their questions and answers. Every read is scoped to the owning user: another user's id simply
does not exist for them (the API answers 404, never 403, so ids cannot be probed)."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import Answer, Evaluation, ExpressionSample, Interview, Question, Report, TranscriptSegment


class Turn(NamedTuple):
    question: Question
    answer: Answer | None
    evaluation: Evaluation | None


def submission_lock_key(question_id: uuid.UUID) -> int:
    """The PostgreSQL advisory-lock key (signed 32-bit) held while an answer to this question is being stored."""
    return zlib.crc32(question_id.bytes) - 2**31


class InterviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, interview: Interview) -> Interview:
        self.session.add(interview)
        return interview

    async def get_for_user(
        self, interview_id: uuid.UUID, user_id: uuid.UUID, *, lock: bool = False
    ) -> Interview | None:
        stmt = select(Interview).where(col(Interview.id) == interview_id, col(Interview.user_id) == user_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.exec(stmt)).one_or_none()

    async def list_for_user(self, user_id: uuid.UUID, limit: int = 200) -> Sequence[tuple[Interview, int]]:
        answered = (
            select(func.count(col(Answer.id)))
            .where(col(Answer.interview_id) == col(Interview.id))
            .correlate(Interview)
            .scalar_subquery()
        )
        stmt = (
            select(Interview, answered)
            .where(col(Interview.user_id) == user_id)
            .order_by(col(Interview.created_at).desc())
            .limit(limit)
        )
        return list((await self.session.exec(stmt)).all())

    async def delete_many(self, interview_ids: list[uuid.UUID]) -> None:
        """Rows only (with what cascades): `api.deletion.erase` is the way to delete an interview."""
        if interview_ids:
            await self.session.exec(delete(Interview).where(col(Interview.id).in_(interview_ids)))

    async def ids_for_user(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        stmt = select(Interview.id).where(col(Interview.user_id) == user_id)
        return list((await self.session.exec(stmt)).all())

    async def ids_older_than(self, cutoff: datetime) -> list[uuid.UUID]:
        stmt = select(Interview.id).where(col(Interview.created_at) < cutoff)
        return list((await self.session.exec(stmt)).all())

    # --- questions ------------------------------------------------------------------------------------------

    async def question_for_user(self, question_id: uuid.UUID, user_id: uuid.UUID) -> tuple[Question, Interview] | None:
        stmt = (
            select(Question, Interview)
            .join(Interview, col(Interview.id) == col(Question.interview_id))
            .where(col(Question.id) == question_id, col(Interview.user_id) == user_id)
        )
        row = (await self.session.exec(stmt)).one_or_none()
        return (row[0], row[1]) if row else None

    async def get_with_turns_for_user(
        self, interview_id: uuid.UUID, user_id: uuid.UUID
    ) -> tuple[Interview, list[Turn]] | None:
        """The user's interview and every question in order with its answer and that answer's evaluation, in one
        round trip (outer joins); None when the interview is not theirs."""
        stmt = (
            select(Interview, Question, Answer, Evaluation)
            .join(Question, col(Question.interview_id) == col(Interview.id), isouter=True)
            .join(Answer, col(Answer.question_id) == col(Question.id), isouter=True)
            .join(Evaluation, col(Evaluation.answer_id) == col(Answer.id), isouter=True)
            .where(col(Interview.id) == interview_id, col(Interview.user_id) == user_id)
            .order_by(col(Question.position))
        )
        rows = (await self.session.exec(stmt)).all()
        if not rows:
            return None
        return rows[0][0], [Turn(q, a, e) for _, q, a, e in rows if q is not None]

    def add_question(self, question: Question) -> Question:
        self.session.add(question)
        return question

    # --- answers and evaluations ----------------------------------------------------------------------------

    async def answer_for_question(self, question_id: uuid.UUID, *, lock: bool = False) -> Answer | None:
        stmt = select(Answer).where(col(Answer.question_id) == question_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.exec(stmt)).one_or_none()

    async def answers(self, interview_id: uuid.UUID) -> list[Answer]:
        stmt = select(Answer).where(col(Answer.interview_id) == interview_id)
        return list((await self.session.exec(stmt)).all())

    async def try_lock_submission(self, question_id: uuid.UUID) -> bool:
        """Take the question's answer-submission lock for this transaction; False when another one holds it."""
        stmt = select(func.pg_try_advisory_xact_lock(submission_lock_key(question_id)))
        return bool((await self.session.exec(stmt)).one())

    def add_answer(self, answer: Answer) -> Answer:
        self.session.add(answer)
        return answer

    async def evaluation_for_answer(self, answer_id: uuid.UUID) -> Evaluation | None:
        stmt = select(Evaluation).where(col(Evaluation.answer_id) == answer_id)
        return (await self.session.exec(stmt)).one_or_none()

    def add_evaluation(self, evaluation: Evaluation) -> Evaluation:
        self.session.add(evaluation)
        return evaluation

    # --- what the media server and the vision worker stored ---------------------------------------------------

    async def transcript(self, question_id: uuid.UUID) -> list[TranscriptSegment]:
        """The final speech-to-text segments of one question's answer, in spoken order."""
        return await self._segments(col(TranscriptSegment.question_id) == question_id)

    async def transcripts(self, interview_id: uuid.UUID) -> list[TranscriptSegment]:
        """The final speech-to-text segments of the whole interview, in spoken order."""
        return await self._segments(col(TranscriptSegment.interview_id) == interview_id)

    async def _segments(self, where: ColumnElement[bool]) -> list[TranscriptSegment]:
        stmt = select(TranscriptSegment).where(where).order_by(col(TranscriptSegment.start_s))
        return list((await self.session.exec(stmt)).all())

    async def expression_samples(self, interview_id: uuid.UUID) -> list[ExpressionSample]:
        stmt = (
            select(ExpressionSample)
            .where(col(ExpressionSample.interview_id) == interview_id)
            .order_by(col(ExpressionSample.captured_at))
        )
        return list((await self.session.exec(stmt)).all())

    # --- report -------------------------------------------------------------------------------------------------

    async def report(self, interview_id: uuid.UUID) -> Report | None:
        stmt = select(Report).where(col(Report.interview_id) == interview_id)
        return (await self.session.exec(stmt)).one_or_none()

    def add_report(self, report: Report) -> Report:
        self.session.add(report)
        return report
