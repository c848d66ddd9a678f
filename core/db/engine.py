"""Async SQLAlchemy engine (psycopg 3) and session factory, one per process."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import ConfigError
from core.settings import Settings, get_settings


def sqlalchemy_url(raw: str) -> URL:
    """`postgresql://…` (libpq style, also unix-socket `?host=/dir`) → the psycopg 3 driver URL."""
    url = make_url(raw)
    return url.set(drivername="postgresql+psycopg")


def require_database_url(settings: Settings) -> str:
    if not settings.database_url:
        raise ConfigError(
            "DATABASE_URL",
            "not set; `make run` provides the embedded PostgreSQL, or point it at your server",
        )
    return settings.database_url


# A pooled connection idle for longer than this is pinged before use (see `_ping_when_idle`).
IDLE_PING_S = 10.0


def create_engine(settings: Settings | None = None) -> AsyncEngine:
    settings = settings or get_settings()
    engine = create_async_engine(
        sqlalchemy_url(require_database_url(settings)),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_recycle=1800,
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Pessimistic disconnect handling for idle connections only.

    `pool_pre_ping` would add a round trip to every checkout, i.e. to every request. A connection that was in use
    moments ago is almost surely alive; one that sat idle (PostgreSQL or a proxy may have dropped it, or the server
    restarted meanwhile) is pinged, and a dead one is replaced before the caller sees it. If PostgreSQL restarts
    while connections are busy, the requests using them fail (503, nothing acknowledged) and SQLAlchemy then
    invalidates the whole pool, so the next ones reconnect."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _checkin(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_S:
            return  # new, or used moments ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("idle connection is dead") from exc
        if not alive:
            raise DisconnectionError("idle connection is dead")


_engine: AsyncEngine | None = None
_sessionmaker: async_sessionmaker[AsyncSession] | None = None


def get_engine() -> AsyncEngine:
    global _engine, _sessionmaker
    if _engine is None:
        _engine = create_engine()
        _sessionmaker = async_sessionmaker(_engine, class_=AsyncSession, expire_on_commit=False)
    return _engine


def get_sessionmaker() -> async_sessionmaker[AsyncSession]:
    get_engine()
    assert _sessionmaker is not None
    return _sessionmaker


@asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    """A session for one unit of work; the caller commits (see `core.jobs.commit_and_enqueue`)."""
    async with get_sessionmaker()() as session:
        yield session


async def dispose_engine() -> None:
    global _engine, _sessionmaker
    if _engine is not None:
        await _engine.dispose()
    _engine = None
    _sessionmaker = None
