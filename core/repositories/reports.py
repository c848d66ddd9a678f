"""The end-of-interview report: inputs for `summarize_interview` and the report row it writes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import (
    Answer,
    Evaluation,
    ExpressionSample,
    Interview,
    InterviewStatus,
    JobStatus,
    Question,
    Report,
    utcnow,
)


@dataclass(frozen=True)
class EvaluatedTurn:
    position: int
    kind: str
    question_text: str
    status: str | None  # the evaluation's status, None if the answer has no evaluation row
    overall_score: int | None
    rubric: dict[str, Any]
    strengths: list[str]
    improvements: list[str]


def finish_interview(interview: Interview, overall_score: float | None) -> None:
    interview.overall_score = overall_score
    interview.status = InterviewStatus.finished
    if interview.finished_at is None:
        interview.finished_at = utcnow()


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_interview(self, interview_id: uuid.UUID) -> Interview | None:
        stmt = select(Interview).where(col(Interview.id) == interview_id).with_for_update()
        interview: Interview | None = (await self.session.exec(stmt)).one_or_none()
        return interview

    async def evaluated_turns(self, interview_id: uuid.UUID) -> list[EvaluatedTurn]:
        """Every answered question in order, with its evaluation (if any)."""
        stmt = (
            select(Question, Evaluation)
            .join(Answer, col(Answer.question_id) == col(Question.id))
            .outerjoin(Evaluation, col(Evaluation.answer_id) == col(Answer.id))
            .where(col(Question.interview_id) == interview_id)
            .order_by(col(Question.position))
        )
        turns: list[EvaluatedTurn] = []
        for question, evaluation in (await self.session.exec(stmt)).all():
            turns.append(
                EvaluatedTurn(
                    position=question.position,
                    kind=str(question.kind),
                    question_text=question.text,
                    status=str(evaluation.status) if evaluation else None,
                    overall_score=evaluation.overall_score if evaluation else None,
                    rubric=dict(evaluation.rubric) if evaluation else {},
                    strengths=list(evaluation.strengths) if evaluation else [],
                    improvements=list(evaluation.improvements) if evaluation else [],
                )
            )
        return turns

    async def lock_report(self, interview_id: uuid.UUID) -> Report:
        """The interview's report row, locked; created (pending) if missing."""
        now = utcnow()
        await self.session.exec(
            insert(Report)
            .values(
                id=uuid.uuid4(),
                interview_id=interview_id,
                status=JobStatus.pending.value,
                rubric={},
                summary="",
                strengths=[],
                practice=[],
                expression_summary={},
                model_meta={},
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["interview_id"])
        )
        stmt = select(Report).where(col(Report.interview_id) == interview_id).with_for_update()
        report: Report = (await self.session.exec(stmt)).one()
        return report

    async def expression_summary(self, interview_id: uuid.UUID, started_at: datetime) -> dict[str, Any]:
        """The vision worker's aggregates (`core.expressions`), or {} when that component is not installed."""
        try:
            from core.expressions import summarize_expressions
        except ImportError:
            return {}
        samples: Sequence[ExpressionSample] = (
            await self.session.exec(select(ExpressionSample).where(col(ExpressionSample.interview_id) == interview_id))
        ).all()
        if not samples:
            return {}
        questions = (await self.session.exec(select(Question).where(col(Question.interview_id) == interview_id))).all()
        summary: dict[str, Any] = summarize_expressions(samples, questions, started_at=started_at)
        return summary
