"""A test-only actor for the broker round trip: renames a user and records that it ran."""

from __future__ import annotations

import uuid

import dramatiq
from sqlalchemy import update
from sqlmodel import col

from core.broker import get_broker
from core.db.engine import get_sessionmaker
from core.db.models import User
from core.redis_client import get_sync_redis

get_broker()


@dramatiq.actor(queue_name="roundtrip", actor_name="touch_user", max_retries=0)
async def touch_user(user_id: str) -> None:
    async with get_sessionmaker()() as session:
        await session.exec(update(User).where(col(User.id) == uuid.UUID(user_id)).values(display_name="touched"))
        await session.commit()
    get_sync_redis().rpush("roundtrip:ran", user_id)
