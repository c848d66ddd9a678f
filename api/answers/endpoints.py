from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from api.answers import service
from api.answers.schemas import AnswerAccepted, AnswerIn
from api.deps import CurrentUser, RedisDep, SessionDep
from api.errors import responses

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
