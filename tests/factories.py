"""Rows for tests that need an interview without going through the API (workers, media server)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from statistics import fmean

from core.db.engine import get_sessionmaker
from core.db.models import (
    Answer,
    AnswerSource,
    Evaluation,
    Interview,
    InterviewStatus,
    JobStatus,
    Language,
    Question,
    QuestionKind,
    User,
)
from core.question_bank import load_bank


@dataclass(frozen=True)
class SeededInterview:
    user_id: uuid.UUID
    interview_id: uuid.UUID
    question_id: uuid.UUID


async def create_interview(
    *,
    camera: bool = False,
    voice: bool = False,
    language: str = "en",
    seniority: str = "mid",
    question: str = "Tell me about yourself.",
) -> SeededInterview:
    """A user, an interview owned by them, and its first (opening) question."""
    async with get_sessionmaker()() as session:
        user = User(email=f"seed-{uuid.uuid4().hex[:12]}@example.com", password_hash="x")
        session.add(user)
        await session.flush()
        interview = Interview(
            user_id=user.id,
            role="Backend engineer",
            seniority=seniority,
            language=Language(language),
            num_questions=3,
            consent_camera=camera,
            consent_voice=voice,
        )
        session.add(interview)
        await session.flush()
        first = Question(
            interview_id=interview.id, position=1, kind=QuestionKind.opening, text=question, prompt_version="test"
        )
        session.add(first)
        await session.commit()
        return SeededInterview(user.id, interview.id, first.id)


Scores = list[tuple[str, int | None]]  # (competency, score); None = the evaluation failed


async def create_scored_interview(
    user_id: uuid.UUID, days_ago: int, scores: Scores, *, asked: list[str] | None = None
) -> str:
    """A finished interview `days_ago` days back (at noon UTC) with one scored answer per (competency, score)."""
    bank = load_bank()
    started = datetime.combine(datetime.now(UTC).date() - timedelta(days=days_ago), time(12), tzinfo=UTC)
    async with get_sessionmaker()() as session:
        interview = Interview(
            user_id=user_id,
            role="Backend engineer",
            role_preset="backend",
            seniority="mid",
            language=Language.en,
            num_questions=len(scores),
            consent_voice=True,
            status=InterviewStatus.finished,
            overall_score=round(fmean(scored), 1) if (scored := [s for _, s in scores if s is not None]) else None,
            created_at=started,
            finished_at=started + timedelta(minutes=30),
        )
        session.add(interview)
        await session.flush()
        for position, (competency, score) in enumerate(scores, start=1):
            bank_id = bank.select("backend", "en", competency=competency)[position % 3].id
            if asked is not None:
                asked.append(bank_id)
            question = Question(
                interview_id=interview.id,
                position=position,
                kind=QuestionKind.technical,
                text=f"Question {position}?",
                competency=competency,
                bank_id=bank_id,
                prompt_version="test",
            )
            session.add(question)
            await session.flush()
            answer = Answer(
                question_id=question.id, interview_id=interview.id, text="My answer.", source=AnswerSource.typed
            )
            session.add(answer)
            await session.flush()
            session.add(
                Evaluation(
                    answer_id=answer.id,
                    interview_id=interview.id,
                    answer_revision=1,
                    status=JobStatus.ready if score is not None else JobStatus.failed,
                    overall_score=score,
                )
            )
        await session.commit()
        return str(interview.id)
