"""`summarize_interview` in a real worker: aggregates ready evaluations, writes the report, finishes the interview."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from sqlmodel import col, select

from core import jobs
from core.db.engine import get_sessionmaker
from core.db.models import Evaluation, ExpressionSample, Interview, InterviewStatus, JobStatus, Report
from tests.evaluator_standin import MODEL, evaluator_standin
from tests.worker.evaluation.helpers import create_answer, enqueue_evaluation, evaluation_worker, wait_for_event
from worker.evaluation.schemas import CRITERIA


async def wait_all_evaluated(interview_id: uuid.UUID, count: int, timeout_s: float = 120) -> list[Evaluation]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        async with get_sessionmaker()() as session:
            rows = (await session.exec(select(Evaluation).where(col(Evaluation.interview_id) == interview_id))).all()
        if len(rows) == count and all(r.status != JobStatus.pending for r in rows):
            return list(rows)
        time.sleep(0.3)
    raise AssertionError("evaluations still pending")


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path / "logs"


async def test_report_is_written_and_interview_finished(
    service_env, db_session, redis_client: redis.Redis, logs: Path
) -> None:
    interview, q1, a1 = await create_answer(db_session, "I would use a queue and retries.")
    _, _q2, a2 = await create_answer(
        db_session, "Indexes speed up reads.", interview=interview, position=2, question="Explain DB indexes."
    )
    db_session.add(
        ExpressionSample(
            interview_id=interview.id,
            question_id=q1.id,
            captured_at=datetime.now(UTC),
            face_found=True,
            dominant="neutral",
            scores={"neutral": 0.9, "happy": 0.1},
            model_id="test",
            latency_ms=1.0,
        )
    )
    await db_session.commit()
    with evaluator_standin() as (url, _), evaluation_worker(service_env, logs, LLM_EVALUATOR__BASE_URLS=url):
        # Summarising first: the job waits for the pending evaluations instead of reporting without them.
        jobs.send_now([jobs.summarize_interview(interview.id)])
        enqueue_evaluation(a1.id)
        enqueue_evaluation(a2.id)
        evaluations = await wait_all_evaluated(interview.id, 2)
        event = wait_for_event(redis_client, interview.id, lambda e: e["type"].startswith("report."), 120)
    assert all(e.status == JobStatus.ready for e in evaluations)
    assert event["type"] == "report.ready"
    async with get_sessionmaker()() as session:
        report = (await session.exec(select(Report).where(col(Report.interview_id) == interview.id))).one()
        fresh = await session.get(Interview, interview.id)
    assert fresh is not None
    expected = round(sum(e.overall_score or 0 for e in evaluations) / 2, 1)
    assert report.status == JobStatus.ready
    assert report.overall_score == expected
    assert event["overall_score"] == expected
    assert set(report.rubric) == set(CRITERIA)
    for name in CRITERIA:
        assert report.rubric[name] == round(sum(e.rubric[name] for e in evaluations) / 2, 2)
    assert report.summary
    assert 1 <= len(report.strengths) <= 3
    assert 1 <= len(report.practice) <= 3
    assert report.model_meta["model"] == MODEL
    assert report.model_meta["evaluations"] == 2
    assert report.expression_summary  # core/expressions.py present: its aggregates are included
    assert fresh.status == InterviewStatus.finished
    assert fresh.overall_score == expected
