from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import AuthSession, User, utcnow


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID, *, lock: bool = False) -> User | None:
        return await self.session.get(User, user_id, with_for_update=lock)

    async def get_by_email(self, email: str) -> User | None:
        result = await self.session.exec(select(User).where(func.lower(User.email) == email.lower()))
        return result.one_or_none()

    def add(self, user: User) -> User:
        self.session.add(user)
        return user

    async def delete(self, user_id: uuid.UUID) -> None:
        # ON DELETE CASCADE removes sessions, interviews and everything derived from them.
        await self.session.exec(delete(User).where(col(User.id) == user_id))

    # --- browser sessions -----------------------------------------------------------------------------------

    def add_session(self, user_id: uuid.UUID, token: str, expires_at: datetime) -> AuthSession:
        auth = AuthSession(user_id=user_id, token_hash=token_digest(token), expires_at=expires_at)
        self.session.add(auth)
        return auth

    async def session_user(self, digest: str) -> tuple[User, datetime] | None:
        """The user of an unexpired session (by token digest) and when the session expires."""
        stmt = (
            select(User, AuthSession.expires_at)
            .join(AuthSession, col(AuthSession.user_id) == col(User.id))
            .where(col(AuthSession.token_hash) == digest, col(AuthSession.expires_at) > utcnow())
        )
        row = (await self.session.exec(stmt)).one_or_none()
        return (row[0], row[1]) if row else None

    async def session_digests(self, user_id: uuid.UUID) -> list[str]:
        stmt = select(AuthSession.token_hash).where(col(AuthSession.user_id) == user_id)
        return list((await self.session.exec(stmt)).all())

    async def delete_session(self, token: str) -> None:
        await self.session.exec(delete(AuthSession).where(col(AuthSession.token_hash) == token_digest(token)))

    async def delete_expired_sessions(self) -> None:
        await self.session.exec(delete(AuthSession).where(col(AuthSession.expires_at) <= utcnow()))
