"""The connection pool's disconnect handling on a real PostgreSQL: idle connections are pinged, busy ones not."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import engine as db_engine


@pytest.fixture
async def engine(services: dict[str, str]) -> AsyncIterator[AsyncEngine]:
    eng = db_engine.create_engine()
    yield eng
    await eng.dispose()


async def _backend_pid(eng: AsyncEngine) -> int:
    async with eng.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(pid: int) -> None:
    killer = db_engine.create_engine()
    try:
        async with killer.connect() as conn:
            assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    finally:
        await killer.dispose()


async def test_an_idle_connection_killed_by_the_server_is_replaced_before_use(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await _backend_pid(engine)
    await _terminate(first)
    monkeypatch.setattr(db_engine, "IDLE_PING_S", 0.0)  # the pooled connection now counts as idle

    second = await _backend_pid(engine)  # no error: the ping found it dead and the pool reconnected

    assert second != first


async def test_a_connection_used_moments_ago_is_not_pinged_and_a_dead_one_fails_once(engine: AsyncEngine) -> None:
    first = await _backend_pid(engine)
    await _terminate(first)

    with pytest.raises(OperationalError):  # the API turns this into a 503: nothing was acknowledged
        await _backend_pid(engine)
    second = await _backend_pid(engine)  # the pool was invalidated: the next request reconnects

    assert second != first
