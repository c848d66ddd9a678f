"""RETENTION_DAYS: old interviews and everything derived from them are deleted; recent ones are kept."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from api.retention import purge_once
from core.db.engine import get_sessionmaker
from core.db.models import Answer, AnswerSource, Interview, Language, Question, QuestionKind, User, utcnow
from core.settings import get_settings


async def test_purge_deletes_only_expired_interviews_with_their_rows() -> None:
    maker = get_sessionmaker()
    async with maker() as s:
        user = User(email=f"{uuid.uuid4().hex}@example.com", password_hash="x")
        s.add(user)
        await s.flush()
        old = Interview(user_id=user.id, role="r", seniority="mid", language=Language.en, num_questions=1,
                        created_at=utcnow() - timedelta(days=91))  # fmt: skip
        new = Interview(user_id=user.id, role="r", seniority="mid", language=Language.en, num_questions=1)
        s.add_all([old, new])
        await s.flush()
        q = Question(interview_id=old.id, position=1, kind=QuestionKind.opening, text="q?", prompt_version="t")
        s.add(q)
        await s.flush()
        s.add(Answer(question_id=q.id, interview_id=old.id, text="a", source=AnswerSource.typed))
        await s.commit()
    settings = get_settings().model_copy(update={"retention_days": 90})
    assert await purge_once(settings) >= 1
    async with maker() as s:
        assert await s.get(Interview, old.id) is None
        assert await s.get(Interview, new.id) is not None
        left = await s.exec(select(func.count()).select_from(Answer).where(col(Answer.interview_id) == old.id))
        assert left.one() == 0
    # 0 = keep forever
    assert await purge_once(settings.model_copy(update={"retention_days": 0})) == 0
