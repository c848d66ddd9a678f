"""Rows for tests that need an interview without going through the API (workers, media server)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.db.engine import get_sessionmaker
from core.db.models import Interview, Language, Question, QuestionKind, User


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
