from __future__ import annotations

import statistics
import uuid

from fastapi import APIRouter, status

from api.answers import service
from api.answers.schemas import AnswerAccepted, AnswerIn, ScoringTiming
from api.deps import CurrentUser, RedisDep, SessionDep
from api.errors import responses
from core.repositories.evaluations import recent_scoring_seconds

router = APIRouter(tags=["answers"])


@router.post(
    "/questions/{question_id}/answer",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AnswerAccepted,
    responses=responses(401, 404, 409),
)
async def submit_answer(
    question_id: uuid.UUID, body: AnswerIn, user: CurrentUser, session: SessionDep, redis: RedisDep
) -> AnswerAccepted:
    """Store the final answer (re-submitting replaces it and re-evaluates) and queue its evaluation. Progress
    arrives on the interview's event stream: `evaluation.pending`, then `evaluation.ready` or `evaluation.failed`."""
    return await service.submit(session, redis, user, question_id, body)


TIMING_WINDOW = 50  # recent evaluations the estimate is taken over: follows load and model changes within minutes
TIMING_MIN_SAMPLES = 3  # fewer than this is an anecdote, not "usually"


@router.get("/evaluations/timing", response_model=ScoringTiming, responses=responses(401))
async def scoring_timing(user: CurrentUser, session: SessionDep) -> ScoringTiming:
    """How long scoring usually takes (median of the most recent evaluations of every candidate, submission to
    score), so the room can say "scoring usually takes ~N s" and let the candidate go on meanwhile. Durations only:
    no answer, score or candidate is revealed."""
    seconds = await recent_scoring_seconds(session, TIMING_WINDOW)
    p50 = round(statistics.median(seconds), 1) if len(seconds) >= TIMING_MIN_SAMPLES else None
    return ScoringTiming(p50_s=p50, samples=len(seconds))
