"""What the candidate's progress is made of: their evaluated answers per competency, and the interview to copy a
practice interview's setup from. Scoped to the user like every read (`core/practice.py` turns the rows into trends
and a schedule)."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import Answer, Evaluation, Interview, JobStatus, Question
from core.practice import ScoredAnswer


class ProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def scored_answers(self, user_id: uuid.UUID) -> list[ScoredAnswer]:
        """Every answer of the user's interviews that was scored (evaluation ready) and whose question belongs to a
        competency, oldest interview first. Failed or pending evaluations are not a score and are left out."""
        stmt = (
            select(Interview.id, Interview.created_at, Question.competency, Evaluation.overall_score)
            .join(Question, col(Question.interview_id) == col(Interview.id))
            .join(Answer, col(Answer.question_id) == col(Question.id))
            .join(Evaluation, col(Evaluation.answer_id) == col(Answer.id))
            .where(
                col(Interview.user_id) == user_id,
                col(Question.competency).is_not(None),
                col(Evaluation.status) == JobStatus.ready.value,
                col(Evaluation.overall_score).is_not(None),
            )
            .order_by(col(Interview.created_at), col(Question.position))
        )
        rows = (await self.session.exec(stmt)).all()
        return [
            ScoredAnswer(interview_id=iid, interview_started_at=started, competency=competency, score=float(score))
            for iid, started, competency, score in rows
            if competency is not None and score is not None  # excluded in SQL; narrows the types
        ]

    async def recent_bank_ids(self, user_id: uuid.UUID, interviews: int = 5) -> set[str]:
        """Bank questions asked in the user's latest interviews: a practice interview asks new ones where it can."""
        latest = (
            select(Interview.id)
            .where(col(Interview.user_id) == user_id)
            .order_by(col(Interview.created_at).desc())
            .limit(interviews)
        )
        stmt = select(Question.bank_id).where(
            col(Question.interview_id).in_(latest.scalar_subquery()), col(Question.bank_id).is_not(None)
        )
        return {bank_id for bank_id in (await self.session.exec(stmt)).all() if bank_id}

    async def latest_interview(self, user_id: uuid.UUID) -> Interview | None:
        stmt = (
            select(Interview)
            .where(col(Interview.user_id) == user_id)
            .order_by(col(Interview.created_at).desc())
            .limit(1)
        )
        return (await self.session.exec(stmt)).first()
