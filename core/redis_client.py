"""Per-process Redis clients (async for the API and media server, sync for Dramatiq workers)."""

from __future__ import annotations

import redis
import redis.asyncio as aioredis

from core.broker import require_redis_url
from core.settings import get_settings

_async: aioredis.Redis | None = None
_sync: redis.Redis | None = None


def get_async_redis() -> aioredis.Redis:
    global _async
    if _async is None:
        # The read timeout must outlast the longest blocking read (events.subscribe blocks ≤ 10 s).
        _async = aioredis.Redis.from_url(
            require_redis_url(get_settings()), socket_connect_timeout=3, socket_timeout=30, health_check_interval=30
        )
    return _async


def get_sync_redis() -> redis.Redis:
    global _sync
    if _sync is None:
        _sync = redis.Redis.from_url(
            require_redis_url(get_settings()), socket_connect_timeout=3, health_check_interval=30
        )
    return _sync


async def close_async_redis() -> None:
    global _async
    if _async is not None:
        await _async.aclose()
    _async = None
