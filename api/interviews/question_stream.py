"""`POST /api/interviews/{id}/questions/next`: the next question of the plan, streamed as SSE.

Order of events: `started` immediately, `token`s, then `done` with the stored question id — or `error`, in which
case nothing was stored. The model's output is validated (validation.py) before the candidate sees any of it: it is
generated into a buffer (and abandoned early when its first characters already fail), then streamed out as token
events. An output that fails is retried once; a second failure is replaced by the slot's vetted bank question,
streamed the same way. So the candidate never sees text that is later rejected; the cost is the time to the first
visible token (the whole, short, capped generation instead of its first token): docs/benchmarks/questions.md.

If the client goes away, Starlette cancels this generator; the cancellation closes the model server's HTTP stream,
which frees its slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as aioredis

from api.interviews import prompts, service, validation
from api.sse import frame
from core import llm
from core.db.engine import get_sessionmaker
from core.db.models import Interview, Question, QuestionSource
from core.events import QuestionFailed, QuestionReady, QuestionStarted, QuestionToken, apublish
from core.live_state import generation_lock_key, set_current_question
from core.repositories.interviews import InterviewRepository
from core.settings import Settings

log = logging.getLogger(__name__)

GENERATION_LOCK_TTL_S = 300
TOKEN_EVENT_FLUSH_S = 0.1  # token events to the shared stream are coalesced; the POST stream itself is not
MAX_ATTEMPTS = 2  # one retry, then the bank question
PREFIX_CHECK_EVERY_CHARS = 16
STOP = ["\n\n"]  # a question is one paragraph: what follows a blank line is an answer, notes or a second question
_PIECE = re.compile(r"\S+\s*")


async def acquire_generation_lock(redis: aioredis.Redis, interview_id: uuid.UUID) -> str | None:
    token = uuid.uuid4().hex
    ok = await redis.set(generation_lock_key(interview_id), token, nx=True, ex=GENERATION_LOCK_TTL_S)
    return token if ok else None


_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


async def release_generation_lock(redis: aioredis.Redis, interview_id: uuid.UUID, token: str) -> None:
    await redis.eval(_RELEASE, 1, generation_lock_key(interview_id), token)  # type: ignore[misc]


class _TokenPublisher:
    """Coalesces question tokens into a few events per second for the shared interview stream."""

    def __init__(
        self, redis: aioredis.Redis, interview_id: uuid.UUID, position: int, after: asyncio.Task[str] | None = None
    ) -> None:
        self.redis, self.interview_id, self.position = redis, interview_id, position
        self.buffer: list[str] = []
        self.last_flush = time.monotonic()
        self.after = after  # the question.started publish: tokens must follow it in the stream

    async def add(self, text: str) -> None:
        self.buffer.append(text)
        if time.monotonic() - self.last_flush >= TOKEN_EVENT_FLUSH_S:
            await self.flush()

    async def flush(self) -> None:
        if self.after is not None:
            with contextlib.suppress(Exception):
                await self.after
            self.after = None
        if self.buffer:
            text, self.buffer = "".join(self.buffer), []
            self.last_flush = time.monotonic()
            try:
                await apublish(
                    self.redis, QuestionToken(interview_id=self.interview_id, position=self.position, text=text)
                )
            except Exception:  # the live mirror is best-effort; the POST stream is the source of truth
                log.warning("could not publish question tokens", exc_info=True)


def _error_code(exc: BaseException) -> str:
    if isinstance(exc, llm.LLMUnavailable | OSError):
        return "model_unavailable"
    if isinstance(exc, llm.LLMBadOutput):
        return "bad_output"
    return "internal"


async def _generate(
    prompt: prompts.QuestionPrompt,
    ctx: validation.QuestionContext,
    settings: Settings,
    first_tokens: list[float],
    affinity: str,
) -> tuple[str, dict[str, Any]]:
    """One attempt: the validated question and the call's metadata, or QuestionRejected. Appends the time of the
    model's first token (monotonic) to `first_tokens`: what the candidate would have seen first without validation."""
    parts: list[str] = []
    checked = 0
    async with llm.get_llm("question").stream_chat(
        prompt.messages, max_tokens=settings.llm_question.max_tokens, stop=STOP, affinity=affinity
    ) as stream:
        async for chunk in stream:
            if not parts:
                first_tokens.append(time.monotonic())
            parts.append(chunk)
            size = sum(len(p) for p in parts)
            if size - checked >= PREFIX_CHECK_EVERY_CHARS:
                checked = size
                validation.check_prefix("".join(parts), ctx)  # abandons the stream (frees the slot) early
    meta = {
        "model": stream.model,
        "replica": stream.replica,
        "first_token_ms": round((stream.first_token_s or 0.0) * 1000, 1),
        "finish_reason": stream.finish_reason,
        "usage": stream.usage.as_dict(),
    }
    return validation.validate("".join(parts), ctx, truncated=stream.finish_reason == "length"), meta


async def stream_next_question(
    *,
    interview: Interview,
    position: int,
    slot: prompts.Slot,
    turns: list[prompts.PastTurn],
    redis: aioredis.Redis,
    settings: Settings,
    lock_token: str,
) -> AsyncIterator[bytes]:
    source = prompts.next_source(slot, turns)
    prompt = prompts.build_messages(
        language=interview.language,
        role=interview.role,
        seniority=interview.seniority,
        job_description=interview.job_description,
        resume_text=interview.resume_text,
        history=turns,
        slot=slot,
        source=source,
    )
    ctx = validation.QuestionContext(
        language=interview.language,
        instructions=prompt.instructions,
        context=[interview.job_description, interview.resume_text],
        asked=[t.question for t in turns],
    )
    started = time.monotonic()
    # Published alongside the model request, not before it: the first token should wait for nothing but the model.
    started_event = asyncio.create_task(apublish(redis, QuestionStarted(interview_id=interview.id, position=position)))
    publisher = _TokenPublisher(redis, interview.id, position, after=started_event)
    try:
        yield frame("started", {"position": position, "kind": slot.kind.value, "competency": slot.competency})
        text: str | None = None
        meta: dict[str, Any] = {}
        rejected: list[str] = []
        first_tokens: list[float] = []
        for _ in range(MAX_ATTEMPTS):
            try:
                text, meta = await _generate(prompt, ctx, settings, first_tokens, str(interview.id))
                break
            except validation.QuestionRejected as exc:
                rejected.append(exc.code)
                log.info("question output rejected (%s): %s", exc.code, exc.reason)
            except llm.LLMBadOutput:  # e.g. an empty reply: as unusable as a rejected one
                rejected.append("bad_output")
        if text is None:
            text, source = slot.bank_text, QuestionSource.bank
        elif validation.normalise(text) == validation.normalise(slot.bank_text):
            source = QuestionSource.bank  # the model asked the bank question word for word
        visible_ms = round((time.monotonic() - started) * 1000, 1)
        for piece in _PIECE.findall(text):
            yield frame("token", {"text": piece})
            await publisher.add(piece)
        await publisher.flush()
        meta = {
            **meta,
            "prompt_version": prompts.PROMPT_VERSION,
            "latency_ms": round((time.monotonic() - started) * 1000, 1),
            "visible_first_token_ms": visible_ms,  # vs. the model's first token of the first attempt:
            "model_first_token_ms": round((first_tokens[0] - started) * 1000, 1) if first_tokens else None,
            "attempts": len(rejected) + (1 if meta else 0),
            "rejected": rejected,  # reason codes only: a rejected output is never stored
        }
        async with get_sessionmaker()() as session:
            question = InterviewRepository(session).add_question(
                Question(
                    interview_id=interview.id,
                    position=position,
                    kind=slot.kind,
                    text=text,
                    source=source,
                    competency=slot.competency,
                    bank_id=slot.bank_id,
                    prompt_version=prompts.PROMPT_VERSION,
                    model_meta=meta,
                )
            )
            await session.commit()
        await set_current_question(redis, interview.id, question.id)
        ready = {
            "question_id": str(question.id),
            "position": position,
            "kind": slot.kind.value,
            "text": text,
            "source": source.value,
            "competency": slot.competency,
        }
        await apublish(
            redis,
            QuestionReady(
                interview_id=interview.id,
                question_id=question.id,
                position=position,
                kind=slot.kind,
                text=text,
                source=source.value,
                competency=slot.competency,
            ),
        )
        yield frame("done", ready)
    except (llm.LLMError, OSError) as exc:
        message = str(exc) or "the question model is unavailable"
        log.warning("question generation failed", extra={"interview_id": str(interview.id), "error": message})
        yield frame("error", {"message": message, "code": _error_code(exc)})
        await publisher.flush()  # keeps question.started ahead of question.failed in the event stream
        await apublish(redis, QuestionFailed(interview_id=interview.id, position=position, message=message))
    finally:
        # Shielded: on client disconnect this runs inside a cancelled task.
        await asyncio.shield(release_generation_lock(redis, interview.id, lock_token))


__all__ = ["acquire_generation_lock", "service", "stream_next_question"]
