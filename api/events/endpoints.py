"""`GET /api/interviews/{id}/events`: everything that happens in an interview, live, as resumable SSE."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import redis.asyncio as aioredis
from fastapi import APIRouter, Header, HTTPException, Request, status
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator

from api.deps import CurrentUser, RedisDep, SessionDep, SettingsDep
from api.errors import responses
from api.interviews.service import get_owned
from api.sse import SSE_HEADERS, comment, frame
from core.events import parse_stream_id, start_position, subscribe

router = APIRouter(tags=["events"])

_DOC = """Server-Sent Events for one interview. Each event's name is its type (`question.token`,
`transcript.partial`, `transcript.final`, `speech.started`, `turn.ended` (hands-free: the candidate's turn is over),
`expression.sample`, `evaluation.pending|partial|ready|failed`,
`report.ready`, `service.status`, …), its data the JSON fields defined in `core/events.py`, and its id a stream
position: reconnect with `Last-Event-ID` to receive exactly what was missed (`0-0`: everything kept). An id past
the end of the stream (never sent by this server) resumes at the live tail: what happens from now on. An id that is
not a stream position (`<ms>-<seq>`, each at most 2^64-1) is a 422. The first line, the comment `: connected`, is
sent once the subscription is in place: anything published after it is delivered. A comment line is sent every
10 s while idle."""

_STREAM_ID = r"^\d{1,20}-\d{1,20}$"


def _stream_id(value: str | None) -> str | None:
    if value is not None:
        parse_stream_id(value)  # ValueError: a 422 naming the header
    return value


def _conn_key(user_id: uuid.UUID) -> str:
    return f"rehearsal:sse-connections:{user_id}"


async def _events(
    request: Request, redis: aioredis.Redis, interview_id: uuid.UUID, last_event_id: str | None, counter: str
) -> AsyncIterator[bytes]:
    try:
        after = await start_position(redis, interview_id, last_event_id)
        yield comment("connected")
        async for event in subscribe(redis, interview_id, after=after, block_ms=10_000):
            if await request.is_disconnected():
                break
            yield comment() if event is None else frame(event.type, event.data, event.id)
    finally:
        # Shielded: on client disconnect this runs inside a cancelled task, and an unshielded await would be
        # cancelled too — the slot would stay taken and the user locked out of live events for an hour.
        await asyncio.shield(redis.decr(counter))


@router.get(
    "/interviews/{interview_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": _DOC}, **responses(400, 401, 404, 429)},
    description=_DOC,
)
async def interview_events(
    interview_id: uuid.UUID,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    last_event_id: Annotated[str | None, Header(pattern=_STREAM_ID), AfterValidator(_stream_id)] = None,
) -> StreamingResponse:
    await get_owned(session, interview_id, user)
    await session.close()
    counter = _conn_key(user.id)
    open_now = await redis.incr(counter)
    await redis.expire(counter, 3600)  # self-heals if a process died holding connections
    if open_now > settings.sse_max_connections_per_user:
        await redis.decr(counter)
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many open event streams; close another tab")
    return StreamingResponse(
        _events(request, redis, interview_id, last_event_id, counter),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )
