"""The one way to delete interviews — or a whole account — and every trace of them.

Used by `DELETE /api/interviews/{id}`, `DELETE /api/auth/me` and the retention pass. The rows go in one transaction
(answers, transcripts, expression samples, evaluations and reports by ON DELETE CASCADE); after the commit go the
Redis state (event stream, current question, generation lock, vision counters), the stored frames (STORE_FRAMES)
and, for an account, its cached sign-in sessions. Redis entries expire on their own, so a failure after the commit
leaves nothing that outlives a day; stored frames have no expiry, hence they are removed in the same call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import redis.asyncio as aioredis
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import sessions
from core.events import stream_key
from core.live_state import interview_keys
from core.privacy import delete_stored_frames
from core.repositories.expressions import stats_key
from core.repositories.interviews import InterviewRepository
from core.repositories.users import UserRepository
from core.settings import Settings


def redis_keys(interview_id: uuid.UUID) -> list[str]:
    """Every Redis key that belongs to one interview."""
    return [stream_key(interview_id), *interview_keys(interview_id), stats_key(interview_id)]


async def erase(
    session: AsyncSession,
    redis: aioredis.Redis,
    settings: Settings,
    *,
    interview_ids: Iterable[uuid.UUID] = (),
    user_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Delete these interviews — and with `user_id`, that account and all its interviews — and their traces.
    Commits the session. Returns the ids of the interviews deleted."""
    ids = list(interview_ids)
    digests: list[str] = []
    if user_id is not None:
        users = UserRepository(session)
        # Locked first: an interview being created concurrently waits for this commit, then fails (no user) —
        # it cannot slip in between listing the account's interviews and deleting them.
        if await users.get(user_id, lock=True) is not None:
            ids += await InterviewRepository(session).ids_for_user(user_id)
            digests = await users.session_digests(user_id)
            await users.delete(user_id)
    await InterviewRepository(session).delete_many(ids)
    await session.commit()

    for start in range(0, len(ids), 500):  # a retention pass can hold thousands
        await redis.delete(*[key for interview_id in ids[start : start + 500] for key in redis_keys(interview_id)])
    await delete_stored_frames(settings, ids)
    await sessions.revoke(redis, settings, digests)
    return ids
