from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import CurrentUser, SessionDep
from api.errors import responses
from api.interviews.service import get_owned_with_turns
from api.reports import service
from api.reports.schemas import ReportOut

router = APIRouter(tags=["reports"])


@router.get("/interviews/{interview_id}/report", response_model=ReportOut, responses=responses(401, 404))
async def get_report(interview_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ReportOut:
    """The report dashboard's data. `status` is `pending` until the evaluator's summary is written (watch for
    `report.ready` on the event stream); per-question detail is available at any time."""
    return await service.build(session, *await get_owned_with_turns(session, interview_id, user))
