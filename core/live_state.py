"""Small pieces of live interview state in Redis, shared by the API and the media server (deleted with the interview
by `api.deletion.erase`)."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis

_TTL_S = 6 * 3600


def _current_question_key(interview_id: uuid.UUID) -> str:
    return f"rehearsal:interview:{interview_id}:current_question"


def generation_lock_key(interview_id: uuid.UUID) -> str:
    """Held while the API generates the interview's next question (one generation at a time)."""
    return f"rehearsal:interview:{interview_id}:generating"


def interview_keys(interview_id: uuid.UUID) -> list[str]:
    """Every live-state key of an interview, for deleting it."""
    return [_current_question_key(interview_id), generation_lock_key(interview_id)]


async def set_current_question(client: aioredis.Redis, interview_id: uuid.UUID, question_id: uuid.UUID | None) -> None:
    """The API marks the question being answered; the media server tags frames and transcripts with it."""
    key = _current_question_key(interview_id)
    if question_id is None:
        await client.delete(key)
    else:
        await client.set(key, str(question_id), ex=_TTL_S)


async def get_current_question(client: aioredis.Redis, interview_id: uuid.UUID) -> uuid.UUID | None:
    raw = await client.get(_current_question_key(interview_id))
    if not raw:
        return None
    return uuid.UUID(raw.decode() if isinstance(raw, bytes) else raw)
