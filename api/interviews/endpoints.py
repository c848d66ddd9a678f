from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse

from api.deps import CurrentUser, RedisDep, SessionDep, SettingsDep
from api.errors import responses
from api.interviews import question_stream, service
from api.interviews.schemas import FinishOut, InterviewDetail, InterviewIn, InterviewOut, InterviewSummary
from api.sse import SSE_HEADERS

router = APIRouter(prefix="/interviews", tags=["interviews"])

_QUESTION_STREAM_DOC = """Server-Sent Events (`text/event-stream`), in order:

* `started` — `{"position": int, "kind": str, "competency": str}` right away
* `token` — `{"text": str}` pieces of the question, once it passed validation (a rejected output is never shown)
* `done` — `{"question_id": uuid, "position": int, "kind": str, "text": str, "source": "generated" | "follow_up" |
  "bank", "competency": str}`: the question is stored
* `error` — `{"message": str, "code": "model_unavailable" | "model_timeout" | "bad_output" | "internal"}`:
  nothing was stored; ask again

Closing the connection cancels generation and frees the model server's slot."""


@router.post("", status_code=status.HTTP_201_CREATED, response_model=InterviewOut, responses=responses(401))
async def create_interview(
    body: InterviewIn, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> InterviewOut:
    for name in ("job_description", "resume_text"):
        if len(getattr(body, name)) > settings.max_text_chars:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_ENTITY,
                [{"loc": ["body", name], "msg": f"at most {settings.max_text_chars} characters", "type": "too_long"}],
            )
    return InterviewOut.model_validate(await service.create(session, user, body))


@router.get("", response_model=list[InterviewSummary], responses=responses(401))
async def list_interviews(user: CurrentUser, session: SessionDep) -> list[InterviewSummary]:
    return await service.list_for(session, user)


@router.get("/{interview_id}", response_model=InterviewDetail, responses=responses(401, 404))
async def get_interview(interview_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> InterviewDetail:
    return service.detail(*await service.get_owned_with_turns(session, interview_id, user))


@router.delete("/{interview_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(401, 404))
async def delete_interview(interview_id: uuid.UUID, user: CurrentUser, session: SessionDep, redis: RedisDep) -> None:
    """Delete the interview and everything derived from it (questions, answers, transcripts, expression samples,
    evaluations, report, live events)."""
    await service.delete(session, redis, await service.get_owned(session, interview_id, user))


@router.post(
    "/{interview_id}/questions/next",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": _QUESTION_STREAM_DOC},
        **responses(401, 404, 409),
    },
    description=_QUESTION_STREAM_DOC,
)
async def next_question(
    interview_id: uuid.UUID, user: CurrentUser, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> StreamingResponse:
    # Lock first, then read the state: two racing requests can never both pass the checks for one position. The
    # lock names an id the caller may not own; it guards nothing else and is released at once if not theirs.
    lock = await question_stream.acquire_generation_lock(redis, interview_id)
    if lock is None:
        await service.get_owned(session, interview_id, user)  # someone else's interview: 404, not 409
        raise HTTPException(status.HTTP_409_CONFLICT, "a question is already being generated for this interview")
    try:
        interview, rows = await service.get_owned_with_turns(session, interview_id, user)
        turns = service.history(rows)
        position = service.check_can_ask(interview, turns)
        slot = await service.plan_slot(session, interview, position)
    except BaseException:
        await question_stream.release_generation_lock(redis, interview_id, lock)
        raise
    await session.close()  # release the DB connection for the stream's duration
    stream = question_stream.stream_next_question(
        interview=interview,
        position=position,
        slot=slot,
        turns=turns,
        redis=redis,
        settings=settings,
        lock_token=lock,
    )
    return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)


@router.post(
    "/{interview_id}/finish",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=FinishOut,
    responses=responses(401, 404, 409),
)
async def finish_interview(
    interview_id: uuid.UUID, user: CurrentUser, session: SessionDep, redis: RedisDep
) -> FinishOut:
    """Close the interview and queue its report (summary by the evaluator model). Idempotent."""
    interview = await service.get_owned(session, interview_id, user, lock=True)
    return FinishOut(status=await service.finish(session, redis, interview))
