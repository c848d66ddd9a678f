"""Annotated dependencies shared by every router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import redis.asyncio as aioredis
from fastapi import Depends, HTTPException, Request, status
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.sessions import Principal, resolve
from core.db.engine import get_sessionmaker
from core.redis_client import get_async_redis
from core.settings import Settings, get_settings

SESSION_COOKIE = "rehearsal_session"


async def get_db() -> AsyncIterator[AsyncSession]:
    async with get_sessionmaker()() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_db)]
RedisDep = Annotated[aioredis.Redis, Depends(get_async_redis)]


async def current_user(request: Request, session: SessionDep, redis: RedisDep, settings: SettingsDep) -> Principal:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        user = await resolve(token, session, redis, settings)
        if user is not None:
            return user
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not signed in")


CurrentUser = Annotated[Principal, Depends(current_user)]
