"""Who is signed in: session cookie → `Principal`, with a Redis cache in front of PostgreSQL.

Every API request authenticates, so the lookup is on every hot path (a question's first token waits for it). The
database stays the source of truth — a session exists while its `auth_sessions` row does — and Redis holds the
answer for at most `SESSION_CACHE_TTL_S` (never past the session's own expiry), shared by all API processes.

Revocation is immediate everywhere: sign-out and account deletion replace the cached entry by a tombstone, and the
cache is only ever filled with SET NX, so a request that read the row just before it was deleted cannot put the
session back. If Redis is unavailable, the database answers alone.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import utcnow
from core.repositories.users import UserRepository, token_digest
from core.settings import Settings

log = logging.getLogger(__name__)

_PREFIX = "rehearsal:auth-session:"
_REVOKED = b"revoked"


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user as requests see it: identity and preferences, never the password hash."""

    id: uuid.UUID
    email: str
    display_name: str
    locale: str


def _key(digest: str) -> str:
    return _PREFIX + digest


def _encode(principal: Principal) -> str:
    return json.dumps({**asdict(principal), "id": str(principal.id)})


def _decode(raw: bytes | str) -> Principal | None:
    try:
        data = json.loads(raw)
        return Principal(uuid.UUID(data["id"]), data["email"], data["display_name"], data["locale"])
    except (ValueError, KeyError, TypeError):
        return None  # written by another version: ask the database


async def resolve(token: str, session: AsyncSession, redis: aioredis.Redis, settings: Settings) -> Principal | None:
    """The session's user, or None when the token is unknown, expired or revoked."""
    digest = token_digest(token)
    try:
        cached: bytes | str | None = await redis.get(_key(digest))  # bytes: the app's client does not decode
    except RedisError:
        log.debug("session cache unavailable, asking the database", exc_info=True)
        cached = None
    if cached == _REVOKED:
        return None
    if cached is not None and (principal := _decode(cached)) is not None:
        return principal
    found = await UserRepository(session).session_user(digest)
    if found is None:
        return None
    user, expires_at = found
    principal = Principal(user.id, user.email, user.display_name, user.locale)
    ttl = min(settings.session_cache_ttl_s, int((expires_at - utcnow()).total_seconds()))
    if ttl > 0:
        try:
            await redis.set(_key(digest), _encode(principal), ex=ttl, nx=True)
        except RedisError:
            log.debug("session cache unavailable, not cached", exc_info=True)
    return principal


async def revoke(redis: aioredis.Redis, settings: Settings, digests: Iterable[str]) -> None:
    """Tombstone these sessions in the cache (call after the rows' deletion is committed)."""
    keys = [_key(d) for d in digests]
    if not keys:
        return
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            # Outlives any entry a racing request could still try to add (those are SET NX, TTL ≤ this).
            pipe.set(key, _REVOKED, ex=settings.session_cache_ttl_s)
        await pipe.execute()
