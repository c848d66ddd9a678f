"""Where transcripts go: the interview's event stream (live captions) and, for finals, the database.

Segments are tagged with the question that was current when the words were *spoken* (not when the transcript
arrived): the candidate often moves on before the last final of an answer is ready.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import uuid
from typing import Literal

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from core.db.engine import get_sessionmaker
from core.events import ServiceStatus, SpeechStarted, TranscriptFinal, TranscriptPartial, TurnEnded, apublish
from core.live_state import get_current_question
from core.repositories.transcripts import TranscriptRepository
from media.stt.base import Segment
from media.turn import SpeechStart, TurnEnd

log = logging.getLogger(__name__)

# The latest STT health reported by any peer of this process, for /health.
stt_state: dict[str, str] = {"state": "ok", "message": ""}


class QuestionTracker:
    """Follows the interview's current question (set by the API in Redis) against this peer's audio clock."""

    def __init__(self, client: aioredis.Redis, interview_id: uuid.UUID, poll_s: float = 0.5) -> None:
        self.client = client
        self.interview_id = interview_id
        self.poll_s = poll_s
        self.audio_s = 0.0  # advanced by the audio reader
        self._times: list[float] = [0.0]
        self._ids: list[uuid.UUID | None] = [None]
        self._task: asyncio.Task[None] | None = None

    @property
    def current(self) -> uuid.UUID | None:
        return self._ids[-1]

    def at(self, audio_s: float) -> uuid.UUID | None:
        return self._ids[max(0, bisect.bisect_right(self._times, audio_s) - 1)]

    async def refresh(self) -> None:
        try:
            question = await get_current_question(self.client, self.interview_id)
        except (RedisError, OSError, ValueError):
            return  # keep the last known question; Redis trouble is reported by the event publisher
        if question != self._ids[-1]:
            self._times.append(self.audio_s)
            self._ids.append(question)

    async def start(self) -> None:
        await self.refresh()
        self._times[0] = 0.0
        self._task = asyncio.create_task(self._poll(), name="question-tracker")

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            await self.refresh()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class EventSink:
    def __init__(
        self, client: aioredis.Redis, interview_id: uuid.UUID, provider: str, questions: QuestionTracker
    ) -> None:
        self.client = client
        self.interview_id = interview_id
        self.provider = provider
        self.questions = questions

    async def publish(
        self, event: TranscriptPartial | TranscriptFinal | ServiceStatus | SpeechStarted | TurnEnded
    ) -> None:
        try:
            await apublish(self.client, event)
        except (RedisError, OSError) as exc:
            log.warning("cannot publish %s for interview %s: %s", event.type, self.interview_id, type(exc).__name__)

    async def partial(self, segment: Segment) -> None:
        await self.publish(
            TranscriptPartial(
                interview_id=self.interview_id,
                question_id=self.questions.at(segment.start_s),
                text=segment.text,
                start_s=segment.start_s,
                end_s=segment.end_s,
            )
        )

    async def final(self, segment: Segment) -> None:
        question_id = self.questions.at(segment.start_s)
        segment_id: uuid.UUID | None = None
        try:
            async with get_sessionmaker()() as session:
                row = await TranscriptRepository(session).add_final_segment(
                    interview_id=self.interview_id,
                    question_id=question_id,
                    text=segment.text,
                    start_s=segment.start_s,
                    end_s=segment.end_s,
                    confidence=segment.confidence,
                    provider=self.provider,
                )
                segment_id = row.id
        except (SQLAlchemyError, OSError) as exc:
            # Still shown live; the API falls back to the streamed text. Never log the words themselves.
            log.error("cannot store a transcript segment for interview %s: %s", self.interview_id, type(exc).__name__)
        await self.publish(
            TranscriptFinal(
                interview_id=self.interview_id,
                question_id=question_id,
                segment_id=segment_id,
                text=segment.text,
                start_s=segment.start_s,
                end_s=segment.end_s,
                confidence=segment.confidence,
            )
        )

    async def status(self, state: Literal["ok", "degraded", "down"], message: str) -> None:
        stt_state.update(state=state, message=message)
        await self.publish(ServiceStatus(interview_id=self.interview_id, service="stt", state=state, message=message))


class TurnSink:
    """Publishes the end-of-turn detector's signals for the room. A turn is tagged with the question that was
    current when it started, and only if that question is still current when it ends: a turn that began before the
    question was open, or ran across a change of question, gets None and never finishes an answer by itself."""

    def __init__(self, events: EventSink, countdown_s: float) -> None:
        self.events = events
        self.countdown_s = countdown_s
        self._turn_question: uuid.UUID | None = None

    async def signal(self, signal: SpeechStart | TurnEnd) -> None:
        questions = self.events.questions
        if isinstance(signal, SpeechStart):
            self._turn_question = questions.current
            await self.events.publish(
                SpeechStarted(
                    interview_id=self.events.interview_id, question_id=questions.current, start_s=signal.start_s
                )
            )
            return
        question = self._turn_question if self._turn_question == questions.current else None
        await self.events.publish(
            TurnEnded(
                interview_id=self.events.interview_id,
                question_id=question,
                end_s=round(signal.end_s, 3),
                confidence=signal.confidence,
                reason=signal.reason,
                countdown_s=self.countdown_s,
            )
        )
