from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import CurrentUser, SessionDep
from api.errors import responses
from api.interviews.schemas import InterviewOut
from api.progress import service
from api.progress.schemas import TZ_DESCRIPTION, PracticeIn, ProgressOut, TimeZoneName

router = APIRouter(prefix="/progress", tags=["progress"])


@router.get("", response_model=ProgressOut, responses=responses(401, 422))
async def get_progress(
    user: CurrentUser, session: SessionDep, tz: Annotated[TimeZoneName, Query(description=TZ_DESCRIPTION)] = "UTC"
) -> ProgressOut:
    """Per-competency score history across the candidate's own interviews (one point per interview: the mean of the
    competency's evaluated answers) and the spaced-repetition schedule (SM-2): what is due today."""
    return await service.get_progress(session, user, tz)


@router.post(
    "/practice", status_code=status.HTTP_201_CREATED, response_model=InterviewOut, responses=responses(401, 409, 422)
)
async def start_practice(body: PracticeIn, user: CurrentUser, session: SessionDep) -> InterviewOut:
    """Start a practice interview whose plan targets the competencies due today, weakest first (the weakest ones when
    nothing is due), with questions the candidate was not asked recently where the bank has them. 409 without any
    scored answer yet. Continue as with any interview (`POST /api/interviews/{id}/questions/next`)."""
    return InterviewOut.model_validate(await service.start_practice(session, user, body))
