"""`GET /api/evaluations/timing`: how long scoring usually takes, from the stored evaluations (the room shows it as
"scoring usually takes ~N s" while the candidate goes on)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from api.answers.endpoints import TIMING_WINDOW
from core.db.engine import get_sessionmaker
from core.db.models import Answer, AnswerSource, Evaluation, JobStatus, Question, QuestionKind
from tests.api.conftest import ApiProcess, NewUser
from tests.factories import create_interview

# Later than any evaluation another test of this session stores: these rows are the most recent window.
FUTURE = datetime.now(UTC) + timedelta(days=30)
_slots = itertools.count()  # each seeded row is submitted 10 min after the one before: later calls are newer


async def _seed(durations: list[float], *, status: JobStatus = JobStatus.ready, stale: bool = False) -> None:
    """One answer + evaluation per duration, each submitted after every row seeded before and finished `duration`
    s later."""
    seeded = await create_interview()
    async with get_sessionmaker()() as session:
        for i, seconds in enumerate(durations):
            submitted = FUTURE + timedelta(minutes=10 * next(_slots))
            question = Question(
                interview_id=seeded.interview_id,
                position=i + 2,
                kind=QuestionKind.technical,
                text=f"Question {i}",
                prompt_version="test",
            )
            session.add(question)
            await session.flush()
            answer = Answer(
                question_id=question.id,
                interview_id=seeded.interview_id,
                text="An answer.",
                source=AnswerSource.typed,
                revision=2 if stale else 1,  # stale: the evaluation below is for revision 1, re-submitted since
                created_at=submitted,
                updated_at=submitted,
            )
            session.add(answer)
            await session.flush()
            session.add(
                Evaluation(
                    answer_id=answer.id,
                    interview_id=seeded.interview_id,
                    answer_revision=1,
                    status=status,
                    overall_score=3 if status == JobStatus.ready else None,
                    created_at=submitted,
                    updated_at=submitted + timedelta(seconds=seconds),
                )
            )
        await session.commit()


async def test_scoring_timing_is_the_median_of_recent_evaluations(api: ApiProcess, new_user: NewUser) -> None:
    anonymous = await httpx.AsyncClient(base_url=api.base_url).__aenter__()
    try:
        assert (await anonymous.get("/api/evaluations/timing")).status_code == 401
    finally:
        await anonymous.aclose()

    # A full window of ready evaluations taking 1..50 s: the median is 25.5 s.
    await _seed([float(s) for s in range(1, TIMING_WINDOW + 1)])
    user = await new_user()
    r = await user.client.get("/api/evaluations/timing")
    assert r.status_code == 200, r.text
    assert r.json() == {"p50_s": 25.5, "samples": TIMING_WINDOW}

    # Newer rows that are not a finished scoring of the current answer never count: pending, failed, and a result
    # for a revision the candidate has since replaced (its start would be the new revision's).
    await _seed([900.0, 900.0], status=JobStatus.pending)
    await _seed([900.0, 900.0], status=JobStatus.failed)
    await _seed([1000.0, 1000.0, 1000.0], stale=True)
    r = await user.client.get("/api/evaluations/timing")
    assert r.json() == {"p50_s": 25.5, "samples": TIMING_WINDOW}

    # Newer ready evaluations move the estimate (the window slides): five 100 s ones replace the 1–5 s ones, and the
    # window 6..50 s + 5 × 100 s has the median 30.5 s.
    await _seed([100.0] * 5)
    assert (await user.client.get("/api/evaluations/timing")).json() == {"p50_s": 30.5, "samples": TIMING_WINDOW}
    assert uuid.UUID(str(user.info["id"]))  # the caller is a signed-in candidate, nothing about others is returned
