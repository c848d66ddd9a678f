""" "Something happened in interview X": typed events, published by any process, streamed by the API.

Each interview has a Redis Stream (`rehearsal:events:<interview_id>`). Streams rather than plain pub/sub because
the browser's SSE connection must be resumable with `Last-Event-ID`: the stream entry id *is* the SSE event id, so a
reconnecting browser gets exactly what it missed. Streams are capped in length and expire after a day.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import redis
import redis.asyncio as aioredis
from pydantic import BaseModel, Field, TypeAdapter

STREAM_PREFIX = "rehearsal:events:"
STREAM_MAXLEN = 5_000
STREAM_TTL_S = 24 * 3600


class _Event(BaseModel):
    interview_id: uuid.UUID


class QuestionStarted(_Event):
    type: Literal["question.started"] = "question.started"
    position: int


class QuestionToken(_Event):
    type: Literal["question.token"] = "question.token"
    position: int
    text: str


class QuestionReady(_Event):
    type: Literal["question.ready"] = "question.ready"
    question_id: uuid.UUID
    position: int
    kind: str
    text: str
    source: str = "generated"  # generated | follow_up | bank (C3)
    competency: str | None = None


class QuestionFailed(_Event):
    type: Literal["question.failed"] = "question.failed"
    position: int
    message: str


class TranscriptPartial(_Event):
    type: Literal["transcript.partial"] = "transcript.partial"
    question_id: uuid.UUID | None
    text: str
    start_s: float
    end_s: float


class TranscriptFinal(_Event):
    type: Literal["transcript.final"] = "transcript.final"
    question_id: uuid.UUID | None
    segment_id: uuid.UUID | None = None
    text: str
    start_s: float
    end_s: float
    confidence: float | None = None


class SpeechStarted(_Event):
    """The candidate started speaking (voice activity, not words yet): the room stops reading the question aloud
    (barge-in) and cancels a pending hands-free countdown."""

    type: Literal["speech.started"] = "speech.started"
    question_id: uuid.UUID | None  # the question current when the speech started
    start_s: float  # on the peer's audio clock, like transcript segments


class TurnEnded(_Event):
    """The candidate has finished their answer, by the end-of-turn model (or a long silence): the room finishes the
    answer by itself after a countdown of `countdown_s` that speaking or a click cancels. `question_id` is None for
    a turn that did not happen wholly under one question (the room ignores it)."""

    type: Literal["turn.ended"] = "turn.ended"
    question_id: uuid.UUID | None
    end_s: float  # where the last word ended, on the peer's audio clock (transcript segments use the same clock)
    confidence: float  # the model's probability that the answer is complete
    reason: Literal["model", "silence"]  # the model said so, or the silence lasted TURN_MAX_SILENCE_S
    countdown_s: float


class ExpressionSampled(_Event):
    type: Literal["expression.sample"] = "expression.sample"
    question_id: uuid.UUID | None
    captured_at: str
    face_found: bool
    dominant: str | None = None
    confidence: float | None = None  # probability of the dominant expression
    scores: dict[str, float] = Field(default_factory=dict)


class EvaluationPending(_Event):
    type: Literal["evaluation.pending"] = "evaluation.pending"
    question_id: uuid.UUID
    answer_id: uuid.UUID


class EvaluationReady(_Event):
    type: Literal["evaluation.ready"] = "evaluation.ready"
    question_id: uuid.UUID
    answer_id: uuid.UUID
    overall_score: int


class EvaluationPartial(_Event):
    """What the evaluator has written so far, while it is still writing (throttled, at most a few per second):
    scores complete so far and finished strength/improvement points. Provisional and not yet validated: the UI shows
    them as "being scored", `evaluation.ready` replaces them with the stored result, and `evaluation.failed` (of
    the same answer) means drop them — a failed evaluation is never shown as final."""

    type: Literal["evaluation.partial"] = "evaluation.partial"
    question_id: uuid.UUID
    answer_id: uuid.UUID
    rubric: dict[str, int] = Field(default_factory=dict)  # criterion → 1–5, only the ones already written
    overall_score: int | None = None
    strengths: list[str] = Field(default_factory=list)
    improvements: list[str] = Field(default_factory=list)


class EvaluationFailed(_Event):
    type: Literal["evaluation.failed"] = "evaluation.failed"
    question_id: uuid.UUID
    answer_id: uuid.UUID
    reason: str
    final: bool  # False while retries remain
    # Why, for the UI to translate: "timeout" (the evaluator stopped answering: a busy machine), "unavailable",
    # "bad_output". None from publishers that do not classify.
    error_code: str | None = None


class ReportReady(_Event):
    type: Literal["report.ready"] = "report.ready"
    overall_score: float | None


class ReportFailed(_Event):
    type: Literal["report.failed"] = "report.failed"
    reason: str


class ServiceStatus(_Event):
    """Media connection or speech-to-text trouble the candidate should see (and recovery from it)."""

    type: Literal["service.status"] = "service.status"
    service: Literal["media", "stt", "question_model", "evaluator_model", "vision"]
    state: Literal["ok", "degraded", "down"]
    message: str = ""


Event = Annotated[
    QuestionStarted
    | QuestionToken
    | QuestionReady
    | QuestionFailed
    | TranscriptPartial
    | TranscriptFinal
    | SpeechStarted
    | TurnEnded
    | ExpressionSampled
    | EvaluationPending
    | EvaluationPartial
    | EvaluationReady
    | EvaluationFailed
    | ReportReady
    | ReportFailed
    | ServiceStatus,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def stream_key(interview_id: uuid.UUID | str) -> str:
    return f"{STREAM_PREFIX}{interview_id}"


def _fields(event: _Event) -> dict[str, str]:
    event_type: str = event.type  # type: ignore[attr-defined]  # every concrete event declares its literal
    return {"type": event_type, "data": event.model_dump_json()}


def publish(client: redis.Redis, event: _Event) -> str:
    """Publish from synchronous code (Dramatiq workers). Returns the event id."""
    key = stream_key(event.interview_id)
    pipe = client.pipeline(transaction=False)
    pipe.xadd(key, _fields(event), maxlen=STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
    pipe.expire(key, STREAM_TTL_S)
    event_id, _ = pipe.execute()
    return event_id.decode() if isinstance(event_id, bytes) else str(event_id)


async def apublish(client: aioredis.Redis, event: _Event) -> str:
    key = stream_key(event.interview_id)
    async with client.pipeline(transaction=False) as pipe:
        pipe.xadd(key, _fields(event), maxlen=STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
        pipe.expire(key, STREAM_TTL_S)
        event_id, _ = await pipe.execute()
    return event_id.decode() if isinstance(event_id, bytes) else str(event_id)


class StreamedEvent(BaseModel):
    id: str
    type: str
    data: dict[str, Any]


async def start_position(client: aioredis.Redis, interview_id: uuid.UUID, last_event_id: str | None) -> str:
    """Where a subscription starts: right after `last_event_id`, or at the live tail (what is published from now on)
    when it is None or past the end of the stream — events get ids from the clock, so a client waiting for an id
    that does not exist yet would hear nothing, possibly for ever. `last_event_id` must pass `parse_stream_id`."""
    key = stream_key(interview_id)
    # Resolved once, so events published between this and the first XREAD are never skipped.
    info: Any = await client.xinfo_stream(key) if await client.exists(key) else None
    last: Any = (info["last-generated-id"] if info else "0-0") or "0-0"
    tail = last.decode() if isinstance(last, bytes) else str(last)
    if last_event_id is None or parse_stream_id(last_event_id) > parse_stream_id(tail):
        return tail
    return last_event_id


async def subscribe(
    client: aioredis.Redis,
    interview_id: uuid.UUID,
    *,
    after: str,
    block_ms: int = 10_000,
) -> AsyncIterator[StreamedEvent | None]:
    """Yield events after the stream id `after` (from `start_position`), forever. Yields None after each idle
    `block_ms` so the caller can send a keep-alive and notice a disconnected client."""
    key = stream_key(interview_id)
    cursor = after
    while True:
        batch: Any = await client.xread({key: cursor}, block=block_ms, count=200)
        if not batch:
            yield None
            continue
        for _key, entries in batch:
            for entry_id, fields in entries:
                eid = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                cursor = eid
                raw_type = fields.get(b"type") or fields.get("type")
                raw_data = fields.get(b"data") or fields.get("data")
                etype = raw_type.decode() if isinstance(raw_type, bytes) else str(raw_type)
                data = EVENT_ADAPTER.validate_json(raw_data).model_dump(mode="json")
                yield StreamedEvent(id=eid, type=etype, data=data)


STREAM_ID_PART_MAX = 2**64 - 1  # Redis Streams: milliseconds and sequence are each an unsigned 64-bit integer


def parse_stream_id(value: str) -> tuple[int, int]:
    """`<ms>-<seq>` as Redis Streams accept it, or ValueError (which Redis would answer with "Invalid stream ID")."""
    ms, sep, seq = value.partition("-")
    if not sep or not (ms.isascii() and ms.isdigit() and seq.isascii() and seq.isdigit()):
        raise ValueError("a stream id is <milliseconds>-<sequence>, both decimal")
    parts = int(ms), int(seq)
    if max(parts) > STREAM_ID_PART_MAX:
        raise ValueError("a stream id's milliseconds and sequence are each at most 2^64-1")
    return parts
