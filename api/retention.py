"""The retention setting, enforced: interviews older than RETENTION_DAYS (and everything derived from them, by
cascade) are deleted, and expired sign-in sessions removed. Runs hourly inside the API; a Redis lock makes one
API replica do it per period."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from api.deletion import erase
from core.db.engine import get_sessionmaker
from core.db.models import utcnow
from core.redis_client import get_async_redis
from core.repositories.interviews import InterviewRepository
from core.repositories.users import UserRepository
from core.settings import Settings

log = logging.getLogger(__name__)
PERIOD_S = 3600
LOCK_KEY = "rehearsal:retention-lock"


async def purge_once(settings: Settings) -> int:
    """Delete what is past retention now; returns the number of interviews deleted."""
    async with get_sessionmaker()() as session:
        await UserRepository(session).delete_expired_sessions()
        ids: list[uuid.UUID] = []
        if settings.retention_days > 0:
            ids = await InterviewRepository(session).ids_older_than(utcnow() - timedelta(days=settings.retention_days))
        await erase(session, get_async_redis(), settings, interview_ids=ids)
    if ids:
        log.info("retention: deleted %d interviews older than %d days", len(ids), settings.retention_days)
    return len(ids)


async def run_forever(settings: Settings) -> None:
    redis = get_async_redis()
    while True:
        try:
            if await redis.set(LOCK_KEY, "1", nx=True, ex=PERIOD_S - 60):
                await purge_once(settings)
        except Exception:  # a failed pass is retried next period; never take the API down
            log.warning("retention pass failed", exc_info=True)
        await asyncio.sleep(PERIOD_S)


@contextlib.asynccontextmanager
async def retention_task(settings: Settings) -> AsyncIterator[None]:
    task = asyncio.create_task(run_forever(settings), name="retention")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
